import { DriverError } from '../../../ports/data-provider.js';
import type { Connector } from '../connection-supervisor.js';
import type { SeplosBus } from './seplos-bus.js';
import { busFor } from './seplos-bus.js';
import type { SeplosEndpoint } from './seplos-endpoint.js';
import type { SeplosFrame } from './seplos-frame.js';

/**
 * One pack's connection: membership of the bus its endpoint names (shared with the other packs on the
 * same serial port or gateway). Opening joins the bus, closing leaves it; the bus tells the link when
 * the shared transport is lost.
 */
export class SeplosLink implements Connector {
  readonly #endpoint: SeplosEndpoint;
  readonly #member: { address: number; lost(reason: string): void };
  #bus: SeplosBus | null = null;
  /** Bumped by every open and close: an open that finishes after a close (its deadline passed) undoes itself. */
  #generation = 0;

  constructor(endpoint: SeplosEndpoint, onLost: (reason: string) => void) {
    this.#endpoint = endpoint;
    this.#member = { address: endpoint.address, lost: onLost };
  }

  async open(timeoutMs: number): Promise<void> {
    const generation = ++this.#generation;
    const bus = busFor(this.#endpoint);
    await bus.attach(this.#member, timeoutMs);
    if (generation !== this.#generation) {
      await bus.detach(this.#member);
      throw notConnected();
    }
    this.#bus = bus;
  }

  async close(): Promise<void> {
    this.#generation += 1;
    const bus = this.#bus;
    this.#bus = null;
    await bus?.detach(this.#member);
  }

  /** Sends one command to this pack and returns its success answer, within `budgetMs` overall. */
  exchange(cid2: number, budgetMs: number): Promise<SeplosFrame> {
    const bus = this.#bus;
    if (!bus) return Promise.reject(notConnected());
    return bus.exchange(this.#endpoint.address, cid2, budgetMs);
  }
}

function notConnected(): DriverError {
  return new DriverError('NOT_CONNECTED', 'the connection is closed');
}
