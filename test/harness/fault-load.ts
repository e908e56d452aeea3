import mqtt, { type MqttClient } from 'mqtt';
import { newFleet, settleSwap } from '../../bench/fleet.js';
import { ATTENDANT, swapRequest } from '../../bench/scenarios/swap-request.js';
import type { FleetState, WorkRequest } from '../../bench/types.js';
import { reconcile } from '../../src/admin/reconcile.js';
import type { Db } from '../../src/ports/database.js';

export interface FaultLoadOptions {
  /** Requests kept outstanding. */
  inFlight: number;
  /** Plans in the seeded fleet (bench/seed.ts seedFleet). */
  plans: number;
  /** An unanswered request is sent again, with the same correlation_id, after this long. */
  resendMs: number;
  /** Each request is published this many times at once (a broker or app that duplicates). */
  copies?: number;
  /** A name for this run's correlation ids. */
  runId: string;
  /** The subscriber's MQTT client id (a persistent session survives a broker restart). */
  clientId: string;
}

interface Outstanding {
  request: WorkRequest;
  sentAt: number;
  sends: number;
}

export interface Answer {
  success: boolean;
  replayed: boolean;
  code: string | null;
  /** The answer's own content: QoS 1 may deliver one answer twice, a second application differs. */
  fingerprint: string;
}

export interface LoadCounts {
  sent: number;
  resends: number;
  answered: number;
  succeeded: number;
  refused: number;
  unavailable: number;
  replayed: number;
  unanswered: number;
  events_received: number;
}

const RETRYABLE = new Set(['SERVICE_UNAVAILABLE']);

/**
 * The distinct answers of one request that were neither replays nor retryable refusals: what swapd
 * decided for real. A redelivered copy of one answer counts once (same fingerprint); a second decision
 * — another success, or a refusal beside the success (the request processed again and refused because
 * the first had already moved the battery) — counts again. Exactly one per request is the promise.
 */
export function realAnswers(list: readonly Answer[]): string[] {
  const decided = list.filter((a) => !a.replayed && !RETRYABLE.has(a.code ?? ''));
  return [...new Set(decided.map((a) => `${a.success} ${a.code ?? '-'} ${a.fingerprint}`))];
}

/**
 * An attendant app fleet under faults: swaps on many plans, `inFlight` at a time; a request that gets
 * no answer (or a retryable one) is sent again with the same correlation_id, as the app does. It keeps
 * every answer and every event it receives, so a test can reconcile them against the database.
 */
export class FaultLoad {
  /** Publishes the requests (its offline queue fills during an outage). */
  readonly #client: MqttClient;
  /** Receives answers and events on a persistent session of its own, so nothing delays its resubscription. */
  readonly #subscriber: MqttClient;
  readonly #options: FaultLoadOptions;
  readonly #fleet: FleetState;
  readonly #pending = new Map<string, Outstanding>();
  readonly answers = new Map<string, Answer[]>();
  readonly eventIds = new Set<string>();
  readonly #counts = { sent: 0, resends: 0 };
  #seq = 0;
  #running = false;
  #timer: NodeJS.Timeout | null = null;

  private constructor(client: MqttClient, subscriber: MqttClient, options: FaultLoadOptions) {
    this.#client = client;
    this.#subscriber = subscriber;
    this.#options = options;
    this.#fleet = newFleet(options.plans);
    subscriber.on('message', (topic, payload) => this.#receive(topic, payload));
    for (const c of [client, subscriber]) c.on('error', () => {});
  }

  /** Connects the publisher, and the subscriber with a persistent session (QoS 1 kept while it is away). */
  static async connect(url: string, options: FaultLoadOptions): Promise<FaultLoad> {
    const common = { reconnectPeriod: 200, connectTimeout: 2000, protocolVersion: 4 as const };
    const subscriber = await mqtt.connectAsync(url, { ...common, clientId: options.clientId, clean: false });
    await subscriber.subscribeAsync(
      ['rtrn/abs/attendant/plan/+/equipment_checkout_response', 'event/abs/#'],
      { qos: 1 },
    );
    const client = await mqtt.connectAsync(url, { ...common, clean: true });
    return new FaultLoad(client, subscriber, options);
  }

  /** Starts sending; resends run on a timer until stop() has drained everything. */
  start(): void {
    this.#running = true;
    this.#fill();
    this.#timer = setInterval(() => this.#resend(), Math.max(100, Math.floor(this.#options.resendMs / 4)));
  }

  /** Stops taking new work and waits until every request has an answer (resending meanwhile). */
  async stop(timeoutMs = 60_000): Promise<void> {
    this.#running = false;
    const deadline = Date.now() + timeoutMs;
    while (this.#pending.size > 0 && Date.now() < deadline) await sleep(50);
  }

  /** Waits until `n` more swaps have succeeded than when called. */
  async progress(n: number, timeoutMs = 60_000): Promise<void> {
    const target = this.counts().succeeded + n;
    const deadline = Date.now() + timeoutMs;
    while (this.counts().succeeded < target) {
      if (Date.now() > deadline)
        throw new Error(`only ${this.counts().succeeded} of ${target} swaps succeeded`);
      await sleep(20);
    }
  }

  counts(): LoadCounts {
    let answered = 0;
    let succeeded = 0;
    let refused = 0;
    let unavailable = 0;
    let replayed = 0;
    for (const list of this.answers.values()) {
      const final = list.find((a) => a.success) ?? list[list.length - 1];
      if (!final || RETRYABLE.has(final.code ?? '')) continue;
      answered++;
      if (final.success) succeeded++;
      else refused++;
      unavailable += list.filter((a) => RETRYABLE.has(a.code ?? '')).length;
      replayed += list.filter((a) => a.replayed).length;
    }
    return {
      ...this.#counts,
      answered,
      succeeded,
      refused,
      unavailable,
      replayed,
      unanswered: this.#pending.size,
      events_received: this.eventIds.size,
    };
  }

  /** Correlation ids decided more than once: two different answers that are neither replays nor retryable. */
  answeredTwice(): string[] {
    return [...this.answers].filter(([, list]) => realAnswers(list).length > 1).map(([id]) => id);
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await Promise.all([this.#client.endAsync(true), this.#subscriber.endAsync(true)]);
  }

  #fill(): void {
    while (this.#running && this.#pending.size < this.#options.inFlight) {
      const request = swapRequest(
        this.#fleet,
        'equipment_checkout',
        (incoming, outgoing, correlationId) => ({
          action: 'EQUIPMENT_CHECKOUT',
          correlation_id: correlationId,
          replacement_equipment_id: outgoing,
          incoming_equipment_id: incoming,
          incoming_kwh: 4.8,
          outgoing_kwh: 30.4,
          ...ATTENDANT,
        }),
        `${this.#options.runId}-${this.#seq++}`,
      );
      if (!request) return;
      this.#pending.set(request.correlationId, { request, sentAt: Date.now(), sends: 1 });
      this.#counts.sent++;
      this.#publish(request);
    }
  }

  #publish(request: WorkRequest): void {
    for (let i = 0; i < (this.#options.copies ?? 1); i++)
      this.#client.publish(request.topic, request.payload, { qos: 1 }, () => {});
  }

  #resend(): void {
    const now = Date.now();
    for (const entry of this.#pending.values()) {
      if (now - entry.sentAt < this.#options.resendMs) continue;
      entry.sentAt = now;
      entry.sends++;
      this.#counts.resends++;
      this.#publish(entry.request);
    }
  }

  #receive(topic: string, payload: Buffer): void {
    const body = parse(payload);
    if (!body) return;
    if (topic.startsWith('event/')) {
      if (typeof body.event_id === 'string') this.eventIds.add(body.event_id);
      return;
    }
    const id = body.correlation_id;
    if (typeof id !== 'string') return;
    const error = body.error as { code?: string } | undefined;
    const answer = {
      success: body.success === true,
      replayed: body.replayed === true,
      code: error?.code ?? null,
      fingerprint: `${String(body.timestamp)} ${JSON.stringify(body.metadata ?? null)}`,
    };
    this.answers.set(id, [...(this.answers.get(id) ?? []), answer]);
    const entry = this.#pending.get(id);
    if (!entry) return;
    if (RETRYABLE.has(answer.code ?? '')) {
      entry.sentAt = Date.now() - this.#options.resendMs / 2;
      return;
    }
    this.#pending.delete(id);
    const { plan, outgoing } = entry.request;
    if (plan && outgoing) settleSwap(this.#fleet, plan, outgoing, answer.success);
    this.#fill();
  }
}

export interface Reconciled {
  counts: LoadCounts;
  swaps_in_ledger: number;
  events_committed: number;
  events_missing: string[];
  /** Requests decided twice (two real answers): applied twice, or applied and then refused. */
  answered_twice: string[];
  violations: string[];
}

/**
 * The fault suite's end: the database's own ledger checks, plus what only the clients can tell —
 * every request answered, none applied twice, every committed event received, and the ledger's swap
 * count equal to the swaps the clients saw succeed.
 */
export async function reconcileLoad(db: Db, load: FaultLoad, waitForEventsMs = 15_000): Promise<Reconciled> {
  const deadline = Date.now() + waitForEventsMs;
  // Events still in the outbox are on their way (the relay retries after an outage): wait for it first.
  while (Date.now() < deadline) {
    const pending = await db.selectFrom('outbox').select('id').where('published_at', 'is', null).execute();
    if (pending.length === 0) break;
    await sleep(100);
  }
  const report = await reconcile(db, { now: new Date(), publishLagMs: 60_000 });
  const committed = await db.selectFrom('events').select('event_id').execute();
  let missing = committed.map((e) => e.event_id).filter((id) => !load.eventIds.has(id));
  while (missing.length > 0 && Date.now() < deadline) {
    await sleep(100);
    missing = missing.filter((id) => !load.eventIds.has(id));
  }
  const used = await db
    .selectFrom('service_states')
    .select((eb) => eb.fn.sum<string>('used').as('total'))
    .where('service_id', '=', 'svc-battery-fleet-kenya-premium')
    .executeTakeFirst();
  return {
    counts: load.counts(),
    swaps_in_ledger: Number(used?.total ?? 0),
    events_committed: committed.length,
    events_missing: missing,
    answered_twice: load.answeredTwice(),
    violations: report.violations.map((v) => `${v.rule} ${v.subject}: ${v.message}`),
  };
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
