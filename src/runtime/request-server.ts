import type { Logger } from '../log.js';
import type { BrokerClient, InboundMessage } from '../ports/broker.js';
import type { RequestPipeline } from '../router/request-pipeline.js';
import { requestFilters } from '../router/topics.js';

/**
 * Subscribes the request topics and answers each request through the pipeline, many at a time
 * (Postgres row locks order requests of one plan); a bound keeps memory flat under a flood.
 */
export class RequestServer {
  readonly #broker: BrokerClient;
  readonly #pipeline: RequestPipeline;
  readonly #log: Logger;
  readonly #maxInFlight: number;
  #inFlight = 0;
  readonly #waiting: InboundMessage[] = [];
  #idleResolvers: (() => void)[] = [];

  constructor(broker: BrokerClient, pipeline: RequestPipeline, log: Logger, maxInFlight = 256) {
    this.#broker = broker;
    this.#pipeline = pipeline;
    this.#log = log.child({ component: 'requests' });
    this.#maxInFlight = maxInFlight;
  }

  async start(sharedGroup: string | null): Promise<void> {
    await this.#broker.subscribe(requestFilters(sharedGroup), (m) => this.#accept(m));
  }

  #accept(message: InboundMessage): void {
    if (this.#inFlight >= this.#maxInFlight) {
      this.#waiting.push(message);
      return;
    }
    this.#run(message);
  }

  #run(message: InboundMessage): void {
    this.#inFlight++;
    void this.#process(message).finally(() => {
      this.#inFlight--;
      const next = this.#waiting.shift();
      if (next) this.#run(next);
      else if (this.#inFlight === 0) for (const r of this.#idleResolvers.splice(0)) r();
    });
  }

  async #process(message: InboundMessage): Promise<void> {
    try {
      const out = await this.#pipeline.handle(message);
      if (!out) return;
      const options = {
        qos: 1 as const,
        ...(out.correlationData ? { correlationData: out.correlationData } : {}),
      };
      await Promise.all(out.topics.map((topic) => this.#broker.publish(topic, out.payload, options)));
    } catch (err) {
      this.#log.error({ err, topic: message.topic }, 'could not answer a request');
    }
  }

  /** Resolves once every accepted request has been answered. */
  drain(): Promise<void> {
    if (this.#inFlight === 0 && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleResolvers.push(resolve));
  }
}
