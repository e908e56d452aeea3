import { randomUUID } from 'node:crypto';
import type { ActionHandler, HandlerSettings } from '../../agents/handler.types.js';
import type { AgentResult, Effect } from '../../agents/shared/agent.types.js';
import type { AgentContext, AssetView, PaymentView } from '../../agents/shared/plan.types.js';
import { isSwapdError, isUnavailableError, SwapdError } from '../errors.js';
import type { Logger } from '../log.js';
import type { InboundMessage } from '../ports/broker.js';
import type { Clock } from '../ports/clock.js';
import type { BatteryReading, BatteryScanner } from '../ports/scanner.js';
import type { IdempotencyKey, LoadedPlan, RequestStore, RequestTransaction } from '../ports/store.js';
import { ENVELOPE_REQUEST } from '../validation/message-schemas.js';
import type { MessageValidator } from '../validation/message-validator.js';
import { runCycles } from './cycles.js';
import { type FlatResponse, type Normalised, normalise, render } from './envelope.js';
import { requestHash } from './request-hash.js';
import { checkResponseTopic, type IgnoredReason } from './response-topic.js';
import { errorResponse, type ResponseBase, replayResponse, resultResponse } from './responses.js';
import type { Action, ParsedTopic } from './topics.js';
import { parseRequestTopic } from './topics.js';

// biome-ignore lint/suspicious/noExplicitAny: handlers narrow their own request types
type AnyHandler = ActionHandler<any>;

export interface PipelineSettings extends HandlerSettings {
  readonly maxPayloadBytes: number;
  readonly siteId: string;
  /** How long the station hardware may take to answer for a battery before the app's value is used. */
  readonly scannerTimeoutMs: number;
  /** MQTT 5 Response Topics are answered on only under this prefix; null: never. */
  readonly responseTopicPrefix: string | null;
}

export interface PipelineDeps {
  store: RequestStore;
  validator: MessageValidator;
  scanner: BatteryScanner;
  clock: Clock;
  log: Logger;
  settings: PipelineSettings;
  routes: Partial<Record<Action, AnyHandler>>;
  /** Told of every answered request (metrics). */
  observe?: (action: string, outcome: string, seconds: number) => void;
  /** Told after a commit that queued events (the outbox relay wakes up). */
  onEventsQueued?: () => void;
  /**
   * Signed callbacks: why this request's signature is refused, or null when it is good (or the action
   * needs none). Given the payload as published.
   */
  signatureProblem?: (action: Action, payload: Record<string, unknown>, now: Date) => string | null;
  /** Told of every MQTT 5 Response Topic that was not answered on (metrics). */
  onResponseTopicIgnored?: (reason: IgnoredReason) => void;
}

export interface Outbound {
  /** The contract's response topic, then an MQTT 5 requester's own Response Topic when it named another. */
  topics: string[];
  payload: string;
  correlationData?: Buffer;
}

class PlanNotFound extends Error {}

/** A request found invalid only once its plan and batteries were loaded: answered, nothing kept. */
class RejectedInTransaction extends Error {
  constructor(readonly response: FlatResponse) {
    super('rejected');
  }
}

/** A response, and its JSON text when it was already serialised (to be stored). */
interface Answer {
  response: FlatResponse;
  text?: string;
}

interface Prepared {
  topic: ParsedTopic;
  handler: AnyHandler;
  normalised: Normalised;
  key: IdempotencyKey;
}

/** One request in, exactly one response out: validation, idempotency, the transaction, the answer. */
export class RequestPipeline {
  readonly #deps: PipelineDeps;

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
  }

  async handle(message: InboundMessage): Promise<Outbound | null> {
    const topic = parseRequestTopic(message.topic);
    if (!topic) return null;
    const started = performance.now();
    const { answer, shape, action } = await this.#answer(topic, message.payload);
    const { response } = answer;
    const outcome = response.success ? 'success' : (response.error?.code ?? response.signals[0] ?? 'failed');
    this.#deps.observe?.(action ?? 'UNKNOWN', outcome, (performance.now() - started) / 1000);
    return {
      topics: [topic.responseTopic, ...this.#requesterTopic(message, topic)],
      // The flat form is the stored response itself: its text is reused, not serialised again.
      payload:
        shape === 'flat' && answer.text ? answer.text : JSON.stringify(render(shape, response, action)),
      ...(message.correlationData ? { correlationData: message.correlationData } : {}),
    };
  }

  /** The requester's own MQTT 5 Response Topic, when it may be answered on; others are logged and counted. */
  #requesterTopic(message: InboundMessage, topic: ParsedTopic): string[] {
    const wanted = message.responseTopic;
    if (!wanted || wanted === topic.responseTopic) return [];
    const ignored = checkResponseTopic(wanted, this.#deps.settings.responseTopicPrefix);
    if (!ignored) return [wanted];
    this.#deps.onResponseTopicIgnored?.(ignored);
    this.#deps.log.warn(
      { reason: ignored, request_topic: message.topic, prefix: this.#deps.settings.responseTopicPrefix },
      'MQTT 5 Response Topic ignored; answered on the contract topic only',
    );
    return [];
  }

  async #answer(topic: ParsedTopic, payload: Buffer) {
    const base: ResponseBase = { correlationId: null, planId: topic.planId, now: this.#deps.clock.now() };
    const parsed = this.#parse(payload, base);
    if ('response' in parsed)
      return { answer: { response: parsed.response }, shape: 'flat' as const, action: topic.action };
    base.correlationId = parsed.correlationId;
    const prepared = this.#prepare(topic, parsed, base);
    if ('response' in prepared)
      return { answer: { response: prepared.response }, shape: parsed.shape, action: topic.action };
    const answer = await this.#execute(prepared, base);
    return { answer, shape: parsed.shape, action: topic.action };
  }

  #parse(payload: Buffer, base: ResponseBase): Normalised | { response: FlatResponse } {
    const limit = this.#deps.settings.maxPayloadBytes;
    if (payload.length > limit) {
      return {
        response: errorResponse(
          base,
          'MALFORMED_PAYLOAD',
          `payload is ${payload.length} bytes; the limit is ${limit}`,
        ),
      };
    }
    let value: unknown;
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch {
      return { response: errorResponse(base, 'MALFORMED_PAYLOAD', 'payload is not valid JSON') };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { response: errorResponse(base, 'MALFORMED_PAYLOAD', 'payload must be a JSON object') };
    }
    return normalise(value as Record<string, unknown>);
  }

  #prepare(topic: ParsedTopic, n: Normalised, base: ResponseBase): Prepared | { response: FlatResponse } {
    const handler = topic.action ? this.#deps.routes[topic.action] : undefined;
    if (!topic.action || !handler) {
      return {
        response: errorResponse(base, 'UNKNOWN_ACTION', `unknown operation '${topic.operationName}'`),
      };
    }
    if (n.shape === 'envelope') {
      const envelope = this.#deps.validator.validate(ENVELOPE_REQUEST, n.envelope);
      if (!envelope.ok) {
        return {
          response: errorResponse(
            base,
            'SCHEMA_VIOLATION',
            'request envelope is malformed',
            envelope.details,
          ),
        };
      }
    }
    const mismatch = topicMismatch(topic, n.request);
    if (mismatch) return { response: errorResponse(base, 'TOPIC_MISMATCH', mismatch.message, [mismatch]) };
    const unsigned = this.#deps.signatureProblem?.(topic.action, n.envelope, base.now);
    if (unsigned)
      return {
        response: errorResponse(base, 'SIGNATURE_INVALID', unsigned, [
          { path: '/signature', message: unsigned },
        ]),
      };
    const validation = this.#deps.validator.validate(topic.action, n.request);
    if (!validation.ok) {
      const message = `request does not match the ${topic.action} schema`;
      return { response: errorResponse(base, 'SCHEMA_VIOLATION', message, validation.details) };
    }
    const custom = handler.idempotencyKey?.(n.request);
    const key: IdempotencyKey = {
      scope: custom?.scope ?? 'request',
      key: custom?.key ?? (n.correlationId as string),
      planId: topic.planId,
      operation: topic.action,
      requestHash: requestHash(`${topic.planId}/${topic.action}`, n.request),
    };
    return { topic, handler, normalised: n, key };
  }

  async #execute(p: Prepared, base: ResponseBase): Promise<Answer> {
    try {
      const readings = await this.#readHardware(p);
      let queued = false;
      const answer = await this.#deps.store.transaction(async (tx) => {
        const out = await this.#inTransaction(tx, p, base, readings);
        queued = out.queued;
        return out.answer;
      });
      if (queued) this.#deps.onEventsQueued?.();
      return answer;
    } catch (err) {
      return { response: this.#fault(err, base, p) };
    }
  }

  /** Built only when something is logged: a child per request costs more than the request's logging. */
  #requestLog(p: Prepared): Logger {
    return this.#deps.log.child({
      plan_id: p.topic.planId,
      correlation_id: p.key.key,
      action: p.topic.action,
    });
  }

  #existing(
    hash: string,
    stored: Record<string, unknown> | null,
    p: Prepared,
    base: ResponseBase,
  ): FlatResponse {
    if (hash !== p.key.requestHash) {
      const name = p.key.scope === 'payment' ? 'payment_receipt_id' : 'correlation_id';
      const message = `${name} ${p.key.key} was used before with a different request`;
      return errorResponse(base, 'IDEMPOTENCY_CONFLICT', message);
    }
    if (!stored)
      throw new SwapdError(
        'SERVICE_UNAVAILABLE',
        'the first request with this correlation_id is still running',
      );
    return replayResponse(stored, base);
  }

  async #inTransaction(
    tx: RequestTransaction,
    p: Prepared,
    base: ResponseBase,
    readings: Map<string, BatteryReading>,
  ): Promise<{ answer: Answer; queued: boolean }> {
    const request = p.normalised.request;
    const claim = await tx.claimAndLoad(p.key, {
      planId: p.topic.planId,
      assetIds: p.handler.assetIds(request),
      paymentIds: p.handler.paymentIds?.(request) ?? [],
      lock: !p.handler.readOnly,
    });
    if (claim.kind === 'existing') {
      return {
        answer: { response: this.#existing(claim.requestHash, claim.response, p, base) },
        queued: false,
      };
    }
    const loaded = claim.loaded;
    if (!loaded) throw new PlanNotFound();
    const need = p.handler.planPayments?.(request) ?? 'never';
    const withPlanPayments = async () =>
      mergePayments(
        loaded.payments,
        await tx.planPayments(p.topic.planId, p.handler.paymentIds?.(request) ?? []),
      );
    const payments = need === 'always' ? await withPlanPayments() : loaded.payments;
    let ctx = this.#context(loaded.plan, loaded.assets, payments, readings, base.now);
    let result = this.#decide(ctx, loaded.plan, request, base.now);
    if (need === 'on-refusal' && !result.success) {
      // Decisions are pure: taken again with the plan's open payments, to say what awaits Odoo.
      ctx = this.#context(loaded.plan, loaded.assets, await withPlanPayments(), readings, base.now);
      result = this.#decide(ctx, loaded.plan, request, base.now);
    }
    if (result.signals[0] === 'VALIDATION_FAILED')
      throw new RejectedInTransaction(resultResponse(base, result));
    // A refusal changes nothing but its events, its audit rows and the record of money taken.
    const kept = result.success ? result.effects : result.effects.filter(keptOnRefusal);
    const effects = this.#stampEvents(kept, base.now);
    const cycles = result.success && 'changed' in result ? result.changed : [];
    const response = resultResponse(base, result);
    const text = JSON.stringify(response);
    await tx.write({
      key: p.key,
      responseText: text,
      cycles,
      effects,
      ctx: { planId: p.topic.planId, correlationId: p.key.key, now: base.now },
    });
    return { answer: { response, text }, queued: effects.some((e) => e.kind === 'event') };
  }

  /** Each event gets its id and time here, and must match its schema before it may be queued. */
  #stampEvents(effects: Effect[], now: Date): Effect[] {
    return effects.map((e) => {
      if (e.kind !== 'event') return e;
      const payload = {
        event_id: randomUUID(),
        timestamp: now.toISOString(),
        ...e.payload,
        event_type: e.event_type,
      };
      const check = this.#deps.validator.validate(`event:${e.event_type}`, payload);
      if (!check.ok) {
        const where = check.details.map((d) => `${d.path} ${d.message}`).join('; ');
        throw new SwapdError('INTERNAL_ERROR', `event ${e.event_type} does not match its schema: ${where}`);
      }
      return { ...e, payload };
    });
  }

  #decide(ctx: AgentContext, loaded: LoadedPlan, request: Record<string, unknown>, now: Date) {
    const handler = this.#deps.routes[request.action as Action] as AnyHandler;
    const result: AgentResult = handler.decide(ctx, request, this.#deps.settings);
    if (!result.success || result.fsmInputs.length === 0) return result;
    const cycles = runCycles(loaded.cycles, result.fsmInputs, loaded.view.template, now);
    return cycles.ok ? { ...result, changed: cycles.changed } : cycles.refusal;
  }

  #context(
    loaded: LoadedPlan,
    assets: AssetView[],
    payments: PaymentView[],
    readings: Map<string, BatteryReading>,
    now: Date,
  ): AgentContext {
    return {
      plan: loaded.view,
      assets: new Map(assets.map((a) => [a.asset_id, a])),
      payments: new Map(payments.map((p) => [p.payment_id, p])),
      readings,
      now,
      siteId: this.#deps.settings.siteId,
    };
  }

  /** Hardware is asked before the transaction opens, so no row lock waits on a Modbus round trip. */
  async #readHardware(p: Prepared): Promise<Map<string, BatteryReading>> {
    const ids = p.handler.assetIds(p.normalised.request);
    const readings = new Map<string, BatteryReading>();
    if (ids.length === 0) return readings;
    const timeout = this.#deps.settings.scannerTimeoutMs;
    await Promise.all(
      ids.map(async (id) => {
        try {
          const reading = await withTimeout(this.#deps.scanner.read(id), timeout);
          if (reading) readings.set(id, reading);
        } catch (err) {
          this.#requestLog(p).warn(
            { err, asset_id: id },
            'station hardware could not read the battery; using the app value',
          );
        }
      }),
    );
    return readings;
  }

  #fault(err: unknown, base: ResponseBase, p: Prepared): FlatResponse {
    if (err instanceof RejectedInTransaction) return err.response;
    if (err instanceof PlanNotFound) {
      return errorResponse(base, 'SERVICE_PLAN_NOT_FOUND', `no service plan '${p.topic.planId}'`);
    }
    if (isSwapdError(err) && err.code !== 'INTERNAL_ERROR')
      return errorResponse(base, err.code, err.message, [...err.details]);
    if (isUnavailableError(err)) {
      this.#requestLog(p).warn({ err }, 'dependency unavailable; request not applied');
      return errorResponse(
        base,
        'SERVICE_UNAVAILABLE',
        'a dependency is unavailable; nothing was applied, retry later',
      );
    }
    this.#requestLog(p).error({ err }, 'request failed');
    return errorResponse(base, 'INTERNAL_ERROR', 'internal error; nothing was applied');
  }
}

function keptOnRefusal(e: Effect): boolean {
  return e.kind === 'event' || e.kind === 'audit' || (e.kind === 'payment' && e.payment.status === 'PENDING');
}

/** The ledger rows replace the short rows of the same payments. */
function mergePayments(short: PaymentView[], full: PaymentView[]): PaymentView[] {
  const byId = new Map(short.map((v) => [v.payment_id, v]));
  for (const v of full) byId.set(v.payment_id, v);
  return [...byId.values()];
}

function topicMismatch(topic: ParsedTopic, request: Record<string, unknown>) {
  if (typeof request.action === 'string' && request.action !== topic.action) {
    return {
      path: '/action',
      message: `action ${request.action} does not match topic operation ${topic.operationName}`,
    };
  }
  if (typeof request.plan_id === 'string' && request.plan_id !== topic.planId) {
    return {
      path: '/plan_id',
      message: `plan_id ${request.plan_id} does not match topic plan ${topic.planId}`,
    };
  }
  return null;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
