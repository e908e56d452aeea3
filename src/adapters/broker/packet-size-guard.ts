import { Duplex } from 'node:stream';

/** An MQTT packet announced larger than the limit. */
export class PacketTooLarge extends Error {
  constructor(readonly size: number) {
    super(`MQTT packet of ${size} bytes is over the limit`);
  }
}

/**
 * Follows MQTT's framing (a type byte, a variable-length "remaining length", then that many bytes)
 * over a byte stream, without keeping any of it. Returns the first oversized packet's size, or null.
 */
export class MqttFrameReader {
  #state: 'type' | 'length' | 'body' = 'type';
  #length = 0;
  #multiplier = 1;
  #remaining = 0;

  constructor(readonly maxPacketBytes: number) {}

  /** Reads a chunk; throws PacketTooLarge when a packet's length says it will not fit (or is malformed). */
  read(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.#state === 'type') {
        this.#state = 'length';
        this.#length = 0;
        this.#multiplier = 1;
        i++;
      } else if (this.#state === 'length') {
        i = this.#readLength(chunk, i);
      } else {
        const take = Math.min(this.#remaining, chunk.length - i);
        i += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = 'type';
      }
    }
  }

  #readLength(chunk: Buffer, at: number): number {
    const byte = chunk[at] as number;
    this.#length += (byte & 0x7f) * this.#multiplier;
    this.#multiplier *= 128;
    if (this.#length > this.maxPacketBytes) throw new PacketTooLarge(this.#length);
    if (byte & 0x80) {
      if (this.#multiplier >= 128 ** 4) throw new PacketTooLarge(this.#length);
      return at + 1;
    }
    this.#remaining = this.#length;
    this.#state = this.#remaining === 0 ? 'type' : 'body';
    return at + 1;
  }
}

/**
 * A broker connection that passes bytes through to aedes while watching MQTT's framing: a packet whose
 * announced length exceeds the limit ends the connection at its header, before its body is received,
 * so an oversized message is never buffered. (aedes has no maximum packet size of its own.)
 */
export class PacketSizeGuard extends Duplex {
  readonly #inner: Duplex;
  readonly #reader: MqttFrameReader;

  constructor(inner: Duplex, maxPacketBytes: number, onOversize: (err: PacketTooLarge) => void) {
    super();
    this.#inner = inner;
    this.#reader = new MqttFrameReader(maxPacketBytes);
    inner.on('data', (chunk: Buffer) => {
      try {
        this.#reader.read(chunk);
      } catch (err) {
        onOversize(err as PacketTooLarge);
        this.destroy();
        return;
      }
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (err) => this.destroy(err));
    inner.on('close', () => this.destroy());
  }

  override _read(): void {
    this.#inner.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.#inner.write(chunk, encoding, done);
  }

  override _final(done: (err?: Error | null) => void): void {
    this.#inner.end(done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.#inner.destroy();
    done(err);
  }
}
