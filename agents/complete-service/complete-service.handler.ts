import { attendantPaymentId } from '../collect-payment/collect-payment.handler.js';
import type { ActionHandler, BaseRequest, HandlerSettings } from '../handler.types.js';
import type { AgentResult, Effect, FsmInput } from '../shared/agent.types.js';
import { refusal } from '../shared/agent.types.js';
import { dec, toWire } from '../shared/decimal.js';
import { serviceCompletedEvent } from '../shared/events.js';
import { quotaExhaustedResult } from '../shared/exhausted.js';
import { creditedOf, otherPlansPayment, type PaymentInput, type PaymentType } from '../shared/payments.js';
import type { AgentContext, PaymentView, PlanView } from '../shared/plan.types.js';
import { quotaUpdatesWire } from '../shared/quota.js';
import { isSettlement, paymentMode, recordPending, type Settlement, settle } from '../shared/settle.js';
import { computeSwap, electricityCalculation, isSwap, type Swap, swapEffects } from '../shared/swap.js';
import { receipt } from './receipt.js';
import schema from './request.schema.json' with { type: 'json' };

export interface CompleteServiceRequest extends BaseRequest {
  incoming_battery_id?: string | null;
  incoming_kwh?: number | null;
  incoming_soc_percent?: number | null;
  outgoing_battery_id: string;
  outgoing_kwh?: number | null;
  outgoing_soc_percent?: number | null;
  payment_occurred: boolean;
  payment_amount?: number;
  payment_receipt_id?: string;
  payment_method?: string;
  payment_type?: PaymentType;
  attendant_id: string;
  attendant_station: string;
  transaction_timestamp?: string;
}

/** The payment taken with this swap, what was known of it before, and what this step does with it. */
interface PaymentStep {
  payment: PaymentInput;
  typeSource: 'request' | 'template';
  existing: PaymentView | undefined;
  settlement: Settlement | null;
}

function failed(result: AgentResult): AgentResult {
  return { ...result, signals: ['SERVICE_COMPLETION_FAILED', ...result.signals] };
}

/** The request's payment_type, else the template's default_payment_type, else TOP_UP. */
function paymentTypeOf(ctx: AgentContext, req: CompleteServiceRequest) {
  if (req.payment_type) return { type: req.payment_type, source: 'request' as const };
  const fallback = ctx.plan.template.agent_params.service_completion.default_payment_type ?? 'TOP_UP';
  return { type: fallback, source: 'template' as const };
}

function paymentOf(ctx: AgentContext, req: CompleteServiceRequest, type: PaymentType): PaymentInput {
  return {
    payment_id: attendantPaymentId(req.payment_receipt_id, req.correlation_id),
    odoo_receipt_id: req.payment_receipt_id ?? null,
    source: 'attendant',
    amount: req.payment_amount ?? 0,
    currency: ctx.plan.template.currency,
    payment_method: req.payment_method ?? 'CASH',
    payment_type: type,
    service_id: null,
    payment_timestamp: req.transaction_timestamp ?? req.timestamp ?? null,
    correlation_id: req.correlation_id,
    attendant_id: req.attendant_id,
    station: req.attendant_station,
    description: 'Battery swap at the station',
  };
}

/**
 * A new payment counts at once, is credited provisionally, or waits for Odoo (the template decides).
 * One recorded PENDING by an earlier attempt whose swap was refused is credited now if the template
 * allows it; anything else already recorded is left as it is.
 */
function settlePayment(
  ctx: AgentContext,
  payment: PaymentInput,
  existing: PaymentView | undefined,
): Settlement | AgentResult | null {
  const mode = paymentMode(ctx.plan.template);
  if (!existing) {
    return mode === 'immediate' ? settle(ctx, payment) : recordPending(ctx, payment, mode === 'provisional');
  }
  if (existing.status !== 'PENDING' || creditedOf(existing).gt(0)) return null;
  if (mode === 'immediate') return settle(ctx, payment, existing);
  return mode === 'provisional' ? recordPending(ctx, payment, true, existing) : null;
}

function paymentStep(ctx: AgentContext, req: CompleteServiceRequest): PaymentStep | AgentResult | null {
  if (!req.payment_occurred) return null;
  const { type, source } = paymentTypeOf(ctx, req);
  const payment = paymentOf(ctx, req, type);
  const existing = ctx.payments.get(payment.payment_id);
  const elsewhere = otherPlansPayment(ctx, existing);
  if (elsewhere) return refusal('PAYMENT_PLAN_MISMATCH', 'PAYMENT_PLAN_MISMATCH', elsewhere);
  const settlement = settlePayment(ctx, payment, existing);
  if (settlement && !isSettlement(settlement)) return settlement;
  return { payment, typeSource: source, existing, settlement };
}

/** CONFIRMED, PENDING_CONFIRMATION or REJECTED: where the payment stands after this step. */
function statusOf(step: PaymentStep): string {
  const status = step.settlement?.status ?? step.existing?.status ?? 'PENDING';
  return status === 'PENDING' ? 'PENDING_CONFIRMATION' : status;
}

/** The plan as the swap sees it: a TOP_UP credited in this same step (in full or provisionally) counts. */
function withCredit(plan: PlanView, settlement: Settlement | null): PlanView {
  const topUp = settlement?.topUp;
  if (!topUp) return plan;
  const serviceStates = plan.serviceStates.map((s) =>
    s.service_id === topUp.service_id ? { ...s, quota: dec(s.quota).plus(topUp.credit).toFixed() } : s,
  );
  return { ...plan, serviceStates };
}

function paymentMetadata(step: PaymentStep): Record<string, unknown> {
  return {
    payment_receipt_id: step.payment.payment_id,
    payment_type: step.payment.payment_type,
    payment_type_source: step.typeSource,
    payment_status: statusOf(step),
  };
}

function swapOf(ctx: AgentContext, req: CompleteServiceRequest, settings: HandlerSettings) {
  return computeSwap(ctx, {
    incomingId: req.incoming_battery_id ?? null,
    incoming: { kwh: req.incoming_kwh, soc_pct: req.incoming_soc_percent },
    outgoingId: req.outgoing_battery_id,
    outgoing: { kwh: req.outgoing_kwh, soc_pct: req.outgoing_soc_percent },
    station: req.attendant_station,
    toleranceKwh: settings.kwhToleranceKwh,
  });
}

/**
 * The swap is refused (quota, equipment, plan): nothing changes but the money taken, which is recorded
 * PENDING (uncredited) and announced by payment_collected, so Odoo's confirmation finds it. A quota
 * refusal with a payment awaiting Odoo says so: retry (new correlation_id) once Odoo has confirmed.
 */
function refused(
  ctx: AgentContext,
  req: CompleteServiceRequest,
  step: PaymentStep | null,
  result: AgentResult,
) {
  const keep = step && !step.existing ? recordPending(ctx, step.payment, false) : null;
  const kept = keep && isSettlement(keep) ? keep.effects : [];
  const pending = step !== null && (!step.existing || step.existing.status === 'PENDING');
  const rejected = step?.existing?.status === 'REJECTED';
  const exhausted = result.signals[0] === 'QUOTA_EXHAUSTED';
  const signals = [
    'SERVICE_COMPLETION_FAILED',
    ...result.signals,
    ...(pending ? ['PAYMENT_PENDING_CONFIRMATION'] : []),
    ...(rejected ? ['PAYMENT_REJECTED'] : []),
  ];
  // Kept PENDING unless Odoo has decided already (CONFIRMED or REJECTED before this attempt).
  const decided = step?.existing && !pending ? step.existing.status : null;
  const payment = step
    ? { ...paymentMetadata(step), payment_status: decided ?? 'PENDING_CONFIRMATION' }
    : null;
  const error =
    exhausted && pending && step
      ? {
          code: 'PAYMENT_PENDING_CONFIRMATION',
          message: `quota exhausted; payment ${step.payment.payment_id} is recorded and awaits Odoo's confirmation: retry with a new correlation_id once it is confirmed`,
          details: [],
        }
      : result.error;
  return {
    ...result,
    signals,
    metadata: { ...result.metadata, ...(payment ? { payment } : {}) },
    effects: [...kept, ...result.effects],
    ...(error ? { error } : {}),
  };
}

function success(
  ctx: AgentContext,
  req: CompleteServiceRequest,
  swap: Swap,
  step: PaymentStep | null,
  plan: PlanView,
): AgentResult {
  const settlement = step?.settlement ?? null;
  const decimals = ctx.plan.template.billing.currency_decimals;
  const paymentSummary = step
    ? {
        amount: toWire(step.payment.amount, decimals),
        receipt_id: step.payment.odoo_receipt_id,
        method: step.payment.payment_method,
        payment_type: step.payment.payment_type,
        status: statusOf(step),
      }
    : null;
  const serviceEvent = serviceCompletedEvent(ctx, {
    source_action: 'COMPLETE_SERVICE',
    correlation_id: req.correlation_id,
    attendant_id: req.attendant_id,
    station: req.attendant_station,
    swap,
    payment: paymentSummary,
  });
  const fsmInputs: FsmInput[] = [
    { cycle: 'service_cycle', input: 'BATTERY_ISSUED' },
    ...(settlement?.fsmInputs ?? []),
  ];
  const params = ctx.plan.template.agent_params;
  const publish = params.service_completion.event_publishing_enabled;
  const events: Effect[] = [serviceEvent, ...(settlement?.effects.filter((e) => e.kind === 'event') ?? [])];
  const paymentEvent = events.find(
    (e) =>
      e.kind === 'event' && (e.event_type === 'PAYMENT_RECEIVED' || e.event_type === 'PAYMENT_COLLECTED'),
  );
  const effects: Effect[] = [
    ...(settlement?.effects.filter((e) => e.kind !== 'event') ?? []),
    ...swapEffects(ctx, swap),
    ...(publish ? events : []),
  ];
  const timestamp = req.transaction_timestamp ?? ctx.now.toISOString();
  const credited = settlement?.topUp ? settlement.metadata : null;
  return {
    success: true,
    signals: ['SERVICE_COMPLETED_SUCCESS', ...(settlement?.signals ?? []), ...swap.flags],
    metadata: {
      transaction_id: req.correlation_id,
      electricity_calculation: electricityCalculation(swap, params.electricity_tracking.decimal_precision),
      quota_updates: quotaUpdatesWire(swap.updates),
      ...(step ? { payment: paymentMetadata(step) } : {}),
      ...(credited && settlement?.status === 'CONFIRMED' ? { top_up: credited } : {}),
      ...(credited && settlement?.status === 'PENDING'
        ? { provisional_credit: credited.provisional_credit }
        : {}),
      service_event: serviceEvent.kind === 'event' ? serviceEvent.payload : null,
      payment_event: paymentEvent?.kind === 'event' ? paymentEvent.payload : null,
      ...(params.service_completion.receipt_generation_enabled
        ? {
            receipt: receipt(ctx.plan, plan, {
              transactionId: req.correlation_id,
              timestamp,
              swap,
              payment: paymentSummary,
            }),
          }
        : {}),
      fsm_transitions: fsmInputs.map((i) => ({ cycle: i.cycle, input: i.input })),
    },
    fsmInputs,
    effects,
  };
}

/** The whole swap as one atomic step (seed 002 §2). */
export const completeService: ActionHandler<CompleteServiceRequest> = {
  action: 'COMPLETE_SERVICE',
  requestSchema: schema,
  readOnly: false,
  assetIds: (req) => [req.outgoing_battery_id, ...(req.incoming_battery_id ? [req.incoming_battery_id] : [])],
  paymentIds: (req) =>
    req.payment_occurred ? [attendantPaymentId(req.payment_receipt_id, req.correlation_id)] : [],
  planPayments: (req) => (req.payment_occurred ? 'always' : 'never'),
  decide(ctx, req, settings) {
    const step = paymentStep(ctx, req);
    if (step && !('payment' in step)) return failed(step);
    const plan = withCredit(ctx.plan, step?.settlement ?? null);
    const swap = swapOf({ ...ctx, plan }, req, settings);
    if (isSwap(swap) && swap.shortfalls.length === 0) return success(ctx, req, swap, step, plan);
    if (!isSwap(swap) && swap.signals[0] === 'VALIDATION_FAILED') return swap;
    // Refused: judged against the plan as it stands, since no credit of this step is kept.
    const plain = plan === ctx.plan ? swap : swapOf(ctx, req, settings);
    if (isSwap(plain)) return refused(ctx, req, step, quotaExhaustedResult(ctx, req, plain));
    return plain.signals[0] === 'VALIDATION_FAILED' ? plain : refused(ctx, req, step, plain);
  },
};
