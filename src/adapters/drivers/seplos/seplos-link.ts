import { DriverError } from '../../../ports/data-provider.js';
import type { Connector } from '../connection-supervisor.js';
import { sleep } from '../deadline.js';
import { RequestQueue } from '../request-queue.js';
import type { ByteTransport } from './byte-transport.js';
import { openTransport } from './byte-transport.js';
import type { SeplosEndpoint } from './seplos-endpoint.js';
import type { SeplosFrame } from './seplos-frame.js';
import { decodeAnswer, encodeCommand, extractFrame } from './seplos-frame.js';

interface Pending {
  settle(result: { frame: Buffer } | { error: DriverError }): void;
}

/**
 * One connection to a Seplos pack. Commands go through a queue (one on the bus at a time), keep the
 * inter-command delay, and are retried after an invalid answer while the time budget lasts; an answer
 * that never comes is a TIMEOUT.
 */
export class SeplosLink implements Connector {
  readonly #endpoint: SeplosEndpoint;
  readonly #onLost: (reason: string) => void;
  readonly #queue = new RequestQueue();
  #transport: ByteTransport | null = null;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: Pending | null = null;
  #lastExchangeAt = 0;

  constructor(endpoint: SeplosEndpoint, onLost: (reason: string) => void) {
    this.#endpoint = endpoint;
    this.#onLost = onLost;
  }

  async open(timeoutMs: number): Promise<void> {
    const transport = await openTransport(
      this.#endpoint,
      {
        data: (chunk) => {
          if (this.#transport === transport) this.#receive(chunk);
        },
        lost: (reason) => {
          if (this.#transport === transport) this.#onLost(reason);
        },
      },
      timeoutMs,
    );
    this.#transport = transport;
    this.#buffer = Buffer.alloc(0);
  }

  async close(): Promise<void> {
    const transport = this.#transport;
    this.#transport = null;
    this.#pending?.settle({ error: new DriverError('NOT_CONNECTED', 'the connection was closed') });
    this.#pending = null;
    await transport?.close();
  }

  /** Sends one command and returns the pack's success answer, within `budgetMs` overall. */
  exchange(cid2: number, budgetMs: number): Promise<SeplosFrame> {
    const deadline = performance.now() + budgetMs;
    return this.#queue.run(async () => {
      let lastError: DriverError | null = null;
      for (let attempt = 0; attempt <= this.#endpoint.retries; attempt += 1) {
        await this.#interCommandDelay(deadline);
        const left = deadline - performance.now();
        if (left <= 0) break;
        const result = await this.#attempt(cid2, left);
        if ('frame' in result) return result.frame;
        lastError = result.error;
        if (result.error.code !== 'EXCEPTION' || result.error.details.frame === 'device-error') break;
      }
      throw lastError ?? new DriverError('TIMEOUT', `pack ${this.#endpoint.address}: no answer in time`);
    });
  }

  async #interCommandDelay(deadline: number): Promise<void> {
    const wait = this.#lastExchangeAt + this.#endpoint.delayMs - performance.now();
    if (wait > 0) await sleep(Math.min(wait, Math.max(0, deadline - performance.now())));
  }

  async #attempt(cid2: number, timeoutMs: number): Promise<{ frame: SeplosFrame } | { error: DriverError }> {
    const transport = this.#transport;
    if (!transport) return { error: new DriverError('NOT_CONNECTED', 'the connection is closed') };
    this.#buffer = Buffer.alloc(0);
    const answer = new Promise<{ frame: Buffer } | { error: DriverError }>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending = null;
        resolve({
          error: new DriverError(
            'TIMEOUT',
            `pack ${this.#endpoint.address}: no answer to CID2 ${cid2.toString(16)} within ${Math.round(timeoutMs)} ms`,
          ),
        });
      }, timeoutMs);
      this.#pending = {
        settle: (result) => {
          clearTimeout(timer);
          this.#pending = null;
          resolve(result);
        },
      };
    });
    transport.write(encodeCommand(this.#endpoint.address, cid2));
    const result = await answer;
    this.#lastExchangeAt = performance.now();
    if ('error' in result) return result;
    const decoded = decodeAnswer(result.frame, this.#endpoint.address);
    return decoded.ok ? { frame: decoded.value } : { error: decoded.error };
  }

  #receive(chunk: Buffer): void {
    if (!this.#pending) return;
    const extracted = extractFrame(Buffer.concat([this.#buffer, chunk]));
    this.#buffer = extracted.rest;
    if (extracted.kind === 'frame') this.#pending.settle({ frame: extracted.frame });
    else if (extracted.kind === 'garbage') this.#pending.settle({ error: extracted.error });
  }
}
