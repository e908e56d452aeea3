import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MqttFrameReader, PacketTooLarge } from '../../src/adapters/broker/packet-size-guard.js';

function remainingLength(n: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return bytes;
}

/** A QoS 0 PUBLISH packet, framed by hand: type byte, remaining length, topic, payload. */
function publish(size: number): Buffer {
  const topic = Buffer.from('call/uxi/attendant/plan/p/identify_customer');
  const body = Buffer.concat([
    Buffer.from([topic.length >> 8, topic.length & 0xff]),
    topic,
    Buffer.alloc(size, 120),
  ]);
  return Buffer.concat([Buffer.from([0x30, ...remainingLength(body.length)]), body]);
}

const ping = () => Buffer.from([0xc0, 0x00]);

/** Cuts a buffer into pieces at the given points. */
function pieces(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(from, p));
    from = p;
  }
  return out.filter((b) => b.length > 0);
}

describe('MQTT framing under the packet size guard', () => {
  it('a stream of packets within the limit passes however it is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (sizes, cuts) => {
          const stream = Buffer.concat(sizes.flatMap((s) => [publish(s), ping()]));
          const reader = new MqttFrameReader(4096);
          for (const piece of pieces(stream, cuts)) reader.read(piece);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('an oversized packet is refused at its header, before its body arrives', () => {
    const reader = new MqttFrameReader(65536);
    const big = publish(10_000_000);
    expect(() => reader.read(big.subarray(0, 5))).toThrow(PacketTooLarge);
  });

  it('a malformed remaining length (five continuation bytes) is refused', () => {
    const reader = new MqttFrameReader(Number.MAX_SAFE_INTEGER);
    expect(() => reader.read(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f]))).toThrow(PacketTooLarge);
  });
});
