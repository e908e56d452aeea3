import { randomUUID } from 'node:crypto';
import type { ActionHandler, HandlerSettings } from '../../agents/handler.types.js';
import type { AgentResult, Effect } from '../../agents/shared/agent.types.js';
import type { AgentContext, AssetView, PaymentView } from '../../agents/shared/plan.types.js';
import { isSwapdError, isUnavailableError, SwapdError } from '../errors.js';
import type { Logger } from '../log.js';
import type { BatteryReading } from '../ports/scanner.js';
import type { IdempotencyKey, LoadedPlan, LoadedRequest, LoadRequest, RequestWrite } from '../ports/store.js';
import type { MessageValidator } from '../validation/message-validator.js';
import { runCycles } from './cycles.js';
import type { FlatResponse, Normalised } from './envelope.js';
import { errorResponse, type ResponseBase, replayResponse, resultResponse } from './responses.js';
import type { Action, ParsedTopic } from './topics.js';

// biome-ignore lint/suspicious/noExplicitAny: handlers narrow their own request types
export type AnyHandler = ActionHandler<any>;

/** A request that passed every check that needs no database: its handler, request and key. */
export interface Prepared {
  topic: ParsedTopic;
  handler: AnyHandler;
  normalised: Normalised;
  key: IdempotencyKey;
}

/** A response, and its JSON text when it was already serialised (to be stored). */
export interface Answer {
  response: FlatResponse;
  text?: string;
}

export class PlanNotFound extends Error {}

/** A request found invalid only once its plan and batteries were loaded: answered, nothing kept. */
export class RejectedInTransaction extends Error {
  constructor(readonly response: FlatResponse) {
    super('rejected');
  }
}

/** A decided request: its answer, everything it writes, and whether that queues events. */
export interface Decided {
  answer: Answer;
  write: RequestWrite;
  queued: boolean;
}

/** The one database read a decision may still need (inside the request's or the group's transaction). */
export interface PaymentsReader {
  planPayments(planId: string, paymentIds: readonly string[]): Promise<PaymentView[]>;
}

export interface DeciderDeps {
  validator: MessageValidator;
  routes: Partial<Record<Action, AnyHandler>>;
  settings: HandlerSettings & { readonly siteId: string };
  log: Logger;
}

/** What a request loads: its plan, the batteries and payments it names; writing actions lock them. */
export function loadOf(p: Prepared): LoadRequest {
  const request = p.normalised.request;
  return {
    planId: p.topic.planId,
    assetIds: p.handler.assetIds(request),
    paymentIds: p.handler.paymentIds?.(request) ?? [],
    lock: !p.handler.readOnly,
  };
}

/**
 * A request's decision once its plan is loaded and locked: the pure handler, the cycles, the events
 * stamped and checked, the response. The same for a request on its own and for one in a group.
 */
export class RequestDecider {
  readonly #deps: DeciderDeps;

  constructor(deps: DeciderDeps) {
    this.#deps = deps;
  }

  /** Throws RejectedInTransaction (nothing to keep) or a SwapdError; the caller keeps the key or drops it. */
  async decide(
    tx: PaymentsReader,
    p: Prepared,
    base: ResponseBase,
    readings: Map<string, BatteryReading>,
    loaded: LoadedRequest,
  ): Promise<Decided> {
    const request = p.normalised.request;
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
    const write: RequestWrite = {
      key: p.key,
      responseText: text,
      cycles,
      effects,
      ctx: { planId: p.topic.planId, correlationId: p.key.key, now: base.now },
    };
    return { answer: { response, text }, write, queued: effects.some((e) => e.kind === 'event') };
  }

  /** A key seen before: the first answer again, or IDEMPOTENCY_CONFLICT for another request under it. */
  existing(
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

  /** Whether an error thrown while deciding belongs to that request alone (the others go on). */
  isRequestFault(err: unknown): boolean {
    return err instanceof RejectedInTransaction || err instanceof PlanNotFound || isSwapdError(err);
  }

  /** The answer to a request that failed: its own refusal, or what the fault means for the app. */
  fault(err: unknown, base: ResponseBase, p: Prepared): FlatResponse {
    if (err instanceof RejectedInTransaction) return err.response;
    if (err instanceof PlanNotFound) {
      return errorResponse(base, 'SERVICE_PLAN_NOT_FOUND', `no service plan '${p.topic.planId}'`);
    }
    if (isSwapdError(err) && err.code !== 'INTERNAL_ERROR')
      return errorResponse(base, err.code, err.message, [...err.details]);
    if (isUnavailableError(err)) {
      this.requestLog(p).warn({ err }, 'dependency unavailable; request not applied');
      return errorResponse(
        base,
        'SERVICE_UNAVAILABLE',
        'a dependency is unavailable; nothing was applied, retry later',
      );
    }
    this.requestLog(p).error({ err }, 'request failed');
    return errorResponse(base, 'INTERNAL_ERROR', 'internal error; nothing was applied');
  }

  /** Built only when something is logged: a child per request costs more than the request's logging. */
  requestLog(p: Prepared): Logger {
    return this.#deps.log.child({
      plan_id: p.topic.planId,
      correlation_id: p.key.key,
      action: p.topic.action,
    });
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
