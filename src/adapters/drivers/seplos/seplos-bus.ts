import { DriverError } from '../../../ports/data-provider.js';
import { sleep } from '../deadline.js';
import { RequestQueue } from '../request-queue.js';
import type { ByteTransport } from './byte-transport.js';
import { openTransport } from './byte-transport.js';
import type { SeplosEndpoint } from './seplos-endpoint.js';
import type { SeplosFrame } from './seplos-frame.js';
import { decodeAnswer, encodeCommand, extractFrame } from './seplos-frame.js';

/** `details.source` of a TIMEOUT spent waiting for the bus: the pack itself never got the command. */
export const BUS_BUSY = 'bus busy';

type Outcome = { frame: Buffer } | { error: DriverError };

/** A pack's view of its bus: told when the shared transport is lost. */
export interface BusMember {
  readonly address: number;
  lost(reason: string): void;
}

/**
 * One RS-485 bus (a serial port, or one gateway connection) shared by every pack on it: the packs of a
 * cabinet hang on the same wire with different addresses, so their drivers share one transport and one
 * queue — one command on the wire at a time, with the inter-command delay between any two.
 */
export class SeplosBus {
  readonly key: string;
  readonly #endpoint: SeplosEndpoint;
  readonly #queue = new RequestQueue();
  readonly #members = new Set<BusMember>();
  #transport: ByteTransport | null = null;
  #opening: Promise<ByteTransport> | null = null;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: ((outcome: Outcome) => void) | null = null;
  #lastExchangeAt = 0;

  constructor(key: string, endpoint: SeplosEndpoint) {
    this.key = key;
    this.#endpoint = endpoint;
  }

  get memberCount(): number {
    return this.#members.size;
  }

  /** Another pack's endpoint can share this bus when the line settings agree. */
  matches(endpoint: SeplosEndpoint): boolean {
    const own = this.#endpoint;
    if (own.kind === 'serial' && endpoint.kind === 'serial') return own.baudRate === endpoint.baudRate;
    return own.kind === endpoint.kind;
  }

  /** Joins the bus, opening the transport if it is not open yet. */
  async attach(member: BusMember, timeoutMs: number): Promise<void> {
    if (!this.#transport) {
      this.#opening ??= this.#open(timeoutMs).finally(() => {
        this.#opening = null;
      });
      await this.#opening;
    }
    this.#members.add(member);
  }

  /** Leaves the bus; the transport closes with its last member. */
  async detach(member: BusMember): Promise<void> {
    this.#members.delete(member);
    if (this.#members.size > 0 || this.#opening !== null) return;
    if (BUSES.get(this.key) === this) BUSES.delete(this.key);
    const transport = this.#transport;
    this.#transport = null;
    this.#settle({ error: new DriverError('NOT_CONNECTED', 'the connection was closed') });
    await transport?.close();
  }

  /** Sends one command to one pack and returns its success answer, within `budgetMs` overall. */
  exchange(address: number, cid2: number, budgetMs: number): Promise<SeplosFrame> {
    const deadline = performance.now() + budgetMs;
    return this.#queue.run(async () => {
      let lastError: DriverError | null = null;
      for (let attempt = 0; attempt <= this.#endpoint.retries; attempt += 1) {
        await this.#interCommandDelay(deadline);
        const left = deadline - performance.now();
        if (left <= 0) {
          if (attempt === 0) lastError = busBusy(address, budgetMs);
          break;
        }
        const outcome = await this.#attempt(address, cid2, left);
        if ('frame' in outcome) {
          const decoded = decodeAnswer(outcome.frame, address);
          if (decoded.ok) return decoded.value;
          lastError = decoded.error;
          if (decoded.error.details.frame === 'device-error') break;
        } else {
          lastError = outcome.error;
          if (outcome.error.code !== 'EXCEPTION') break;
        }
      }
      throw lastError ?? new DriverError('TIMEOUT', `pack ${address}: no answer in time`);
    });
  }

  async #open(timeoutMs: number): Promise<ByteTransport> {
    const transport = await openTransport(
      this.#endpoint,
      {
        data: (chunk) => {
          if (this.#transport === transport) this.#receive(chunk);
        },
        lost: (reason) => {
          if (this.#transport === transport) this.#lost(reason);
        },
      },
      timeoutMs,
    );
    this.#transport = transport;
    this.#buffer = Buffer.alloc(0);
    return transport;
  }

  #lost(reason: string): void {
    const transport = this.#transport;
    this.#transport = null;
    this.#settle({ error: new DriverError('CONNECTION_FAILED', reason) });
    transport?.close().catch(() => undefined);
    for (const m of [...this.#members]) m.lost(reason);
  }

  async #interCommandDelay(deadline: number): Promise<void> {
    const wait = this.#lastExchangeAt + this.#endpoint.delayMs - performance.now();
    if (wait > 0) await sleep(Math.min(wait, Math.max(0, deadline - performance.now())));
  }

  async #attempt(address: number, cid2: number, timeoutMs: number): Promise<Outcome> {
    const transport = this.#transport;
    if (!transport) return { error: new DriverError('NOT_CONNECTED', 'the connection is closed') };
    this.#buffer = Buffer.alloc(0);
    const answer = new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending = null;
        const what = `pack ${address}: no answer to CID2 ${cid2.toString(16)} within ${Math.round(timeoutMs)} ms`;
        resolve({ error: new DriverError('TIMEOUT', what) });
      }, timeoutMs);
      this.#pending = (outcome) => {
        clearTimeout(timer);
        this.#pending = null;
        resolve(outcome);
      };
    });
    transport.write(encodeCommand(address, cid2));
    const outcome = await answer;
    this.#lastExchangeAt = performance.now();
    return outcome;
  }

  #settle(outcome: Outcome): void {
    this.#pending?.(outcome);
  }

  #receive(chunk: Buffer): void {
    if (!this.#pending) return;
    const extracted = extractFrame(Buffer.concat([this.#buffer, chunk]));
    this.#buffer = extracted.rest;
    if (extracted.kind === 'frame') this.#settle({ frame: extracted.frame });
    else if (extracted.kind === 'garbage') this.#settle({ error: extracted.error });
  }
}

function busBusy(address: number, budgetMs: number): DriverError {
  return new DriverError(
    'TIMEOUT',
    `pack ${address}: the bus was busy with other packs for the whole ${budgetMs} ms; command not sent`,
    { source: BUS_BUSY },
  );
}

/** The buses of this process, by serial path or gateway address. */
const BUSES = new Map<string, SeplosBus>();

export function busKey(endpoint: SeplosEndpoint): string {
  return endpoint.kind === 'tcp' ? `tcp:${endpoint.host}:${endpoint.port}` : `serial:${endpoint.path}`;
}

/** The shared bus for this endpoint; a serial port already open at another baud rate is refused. */
export function busFor(endpoint: SeplosEndpoint): SeplosBus {
  const key = busKey(endpoint);
  const existing = BUSES.get(key);
  if (existing) {
    if (!existing.matches(endpoint))
      throw new DriverError('CONNECTION_FAILED', `${key} is already used with other settings (baud rate)`);
    return existing;
  }
  const bus = new SeplosBus(key, endpoint);
  BUSES.set(key, bus);
  return bus;
}
