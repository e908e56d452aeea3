import type { MqttClient } from 'mqtt';
import { settleSwap } from './fleet.js';
import type { LoadResult, RunCommand } from './load-protocol.js';
import type { FleetState, MqttScenario, WorkRequest } from './types.js';

const DRAIN_TIMEOUT_MS = 5_000;

interface Pending {
  sent: number;
  request: WorkRequest;
}

function errorOf(body: Record<string, unknown>): string {
  const error = body.error as { code?: string } | undefined;
  const signals = body.signals as string[] | undefined;
  return error?.code ?? signals?.join('+') ?? 'FAILED';
}

/**
 * A closed loop keeping `inFlight` requests outstanding on one MQTT connection: warm-up, measured
 * window, then a bounded drain. Latency is taken here, where the response is received.
 */
export class LoadLoop {
  readonly #client: MqttClient;
  readonly #scenario: MqttScenario;
  readonly #fleet: FleetState;
  readonly #cmd: RunCommand;
  readonly #pending = new Map<string, Pending>();
  readonly #result: LoadResult = {
    completed: 0,
    succeeded: 0,
    errors: 0,
    totalAnswered: 0,
    timeouts: 0,
    firstError: null,
    latencies: [],
    windowMs: 0,
    aborted: false,
  };
  #seq = 0;
  #warmSucceeded = 0;
  #warmFailed = 0;
  #windowStart = 0;
  #windowEnd = Number.POSITIVE_INFINITY;
  #stopped = false;
  #drained: (() => void) | null = null;

  constructor(client: MqttClient, scenario: MqttScenario, fleet: FleetState, cmd: RunCommand) {
    this.#client = client;
    this.#scenario = scenario;
    this.#fleet = fleet;
    this.#cmd = cmd;
  }

  async run(): Promise<LoadResult> {
    const onMessage = (_topic: string, payload: Buffer) => this.#receive(payload);
    this.#client.on('message', onMessage);
    try {
      const started = performance.now();
      this.#windowStart = started + this.#cmd.warmupMs;
      this.#fill();
      await sleep(this.#cmd.warmupMs);
      if (this.#warmSucceeded === 0 && this.#warmFailed > 0) this.#result.aborted = true;
      else await this.#measure();
      await this.#drain();
      return this.#result;
    } finally {
      this.#client.off('message', onMessage);
    }
  }

  async #measure(): Promise<void> {
    this.#windowStart = performance.now();
    this.#windowEnd = this.#windowStart + this.#cmd.durationMs;
    await sleep(this.#cmd.durationMs);
    this.#result.windowMs = performance.now() - this.#windowStart;
  }

  #drain(): Promise<void> {
    this.#stopped = true;
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#result.timeouts = this.#pending.size;
        this.#pending.clear();
        resolve();
      }, DRAIN_TIMEOUT_MS);
      this.#drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #fill(): void {
    while (!this.#stopped && this.#pending.size < this.#cmd.inFlight) {
      const request = this.#scenario.next(this.#fleet, this.#seq++, this.#cmd.runId);
      if (!request) return;
      this.#pending.set(request.correlationId, { sent: performance.now(), request });
      this.#client.publish(request.topic, request.payload, { qos: 1 });
    }
  }

  #receive(payload: Buffer): void {
    const at = performance.now();
    const body = parse(payload);
    const id = body?.correlation_id;
    const entry = typeof id === 'string' ? this.#pending.get(id) : undefined;
    if (!body || !entry) return;
    this.#pending.delete(id as string);
    const ok = body.success !== false;
    const { plan, outgoing } = entry.request;
    if (plan && outgoing) settleSwap(this.#fleet, plan, outgoing, ok);
    this.#count(ok, body, at, at - entry.sent);
    if (this.#stopped && this.#pending.size === 0) this.#drained?.();
    this.#fill();
  }

  #count(ok: boolean, body: Record<string, unknown>, at: number, latency: number): void {
    const r = this.#result;
    r.totalAnswered += 1;
    if (!ok && r.firstError === null) r.firstError = errorOf(body);
    if (at < this.#windowStart) {
      if (ok) this.#warmSucceeded += 1;
      else this.#warmFailed += 1;
      return;
    }
    if (at > this.#windowEnd) return;
    r.completed += 1;
    r.latencies.push(latency);
    if (ok) r.succeeded += 1;
    else r.errors += 1;
  }
}

function parse(payload: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
