import { attendantPaymentId } from '../collect-payment/collect-payment.handler.js';
import type { ActionHandler, BaseRequest } from '../handler.types.js';
import type { AgentResult, Effect, FsmInput } from '../shared/agent.types.js';
import { dec, toWire } from '../shared/decimal.js';
import { serviceCompletedEvent } from '../shared/events.js';
import { quotaExhaustedResult } from '../shared/exhausted.js';
import type { PaymentInput, PaymentType } from '../shared/payments.js';
import type { AgentContext, PlanView } from '../shared/plan.types.js';
import { quotaUpdatesWire } from '../shared/quota.js';
import { isSettlement, recordPending, type Settlement, settle } from '../shared/settle.js';
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

function failed(result: AgentResult): AgentResult {
  return { ...result, signals: ['SERVICE_COMPLETION_FAILED', ...result.signals] };
}

function paymentOf(ctx: AgentContext, req: CompleteServiceRequest): PaymentInput | null {
  if (!req.payment_occurred) return null;
  return {
    payment_id: attendantPaymentId(req.payment_receipt_id, req.correlation_id),
    odoo_receipt_id: req.payment_receipt_id ?? null,
    source: 'attendant',
    amount: req.payment_amount ?? 0,
    currency: ctx.plan.template.currency,
    payment_method: req.payment_method ?? 'CASH',
    payment_type: req.payment_type ?? 'TOP_UP',
    service_id: null,
    payment_timestamp: req.transaction_timestamp ?? req.timestamp ?? null,
    correlation_id: req.correlation_id,
    attendant_id: req.attendant_id,
    station: req.attendant_station,
    description: 'Battery swap at the station',
  };
}

/** Pending until Odoo confirms, unless the agent parameters say the station's word is enough. */
function settlePayment(ctx: AgentContext, payment: PaymentInput | null): Settlement | AgentResult | null {
  if (!payment || ctx.payments.has(payment.payment_id)) return null;
  const confirmNow =
    !ctx.plan.template.agent_params.service_completion.require_payment_confirmation ||
    ctx.plan.template.billing.immediate_credit === true;
  return confirmNow ? settle(ctx, payment) : recordPending(ctx, payment);
}

/** The plan as the swap sees it: a TOP_UP paid and credited in this same step counts. */
function withCredit(plan: PlanView, settlement: Settlement | null): PlanView {
  const topUp = settlement?.topUp;
  if (!topUp) return plan;
  const serviceStates = plan.serviceStates.map((s) =>
    s.service_id === topUp.service_id ? { ...s, quota: dec(s.quota).plus(topUp.credit).toFixed() } : s,
  );
  return { ...plan, serviceStates };
}

function success(
  ctx: AgentContext,
  req: CompleteServiceRequest,
  swap: Swap,
  settlement: Settlement | null,
  plan: PlanView,
): AgentResult {
  const payment = paymentOf(ctx, req);
  const decimals = ctx.plan.template.billing.currency_decimals;
  const paymentSummary = payment
    ? {
        amount: toWire(payment.amount, decimals),
        receipt_id: payment.odoo_receipt_id,
        method: payment.payment_method,
        status: settlement ? String(settlement.metadata.payment_status) : 'ALREADY_RECORDED',
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
  const paymentEvent = events.find((e) => e.kind === 'event' && e.event_type === 'PAYMENT_RECEIVED');
  const effects: Effect[] = [
    ...(settlement?.effects.filter((e) => e.kind !== 'event') ?? []),
    ...swapEffects(ctx, swap),
    ...(publish ? events : []),
  ];
  const timestamp = req.transaction_timestamp ?? ctx.now.toISOString();
  return {
    success: true,
    signals: ['SERVICE_COMPLETED_SUCCESS', ...(settlement?.signals ?? []), ...swap.flags],
    metadata: {
      transaction_id: req.correlation_id,
      electricity_calculation: electricityCalculation(swap, params.electricity_tracking.decimal_precision),
      quota_updates: quotaUpdatesWire(swap.updates),
      ...(settlement?.topUp ? { top_up: settlement.metadata } : {}),
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
  decide(ctx, req, settings) {
    const settlement = settlePayment(ctx, paymentOf(ctx, req));
    if (settlement && !isSettlement(settlement)) return failed(settlement);
    const plan = withCredit(ctx.plan, settlement);
    const swapCtx = { ...ctx, plan };
    const swap = computeSwap(swapCtx, {
      incomingId: req.incoming_battery_id ?? null,
      incoming: { kwh: req.incoming_kwh, soc_pct: req.incoming_soc_percent },
      outgoingId: req.outgoing_battery_id,
      outgoing: { kwh: req.outgoing_kwh, soc_pct: req.outgoing_soc_percent },
      station: req.attendant_station,
      toleranceKwh: settings.kwhToleranceKwh,
    });
    if (!isSwap(swap)) return swap.signals[0] === 'VALIDATION_FAILED' ? swap : failed(swap);
    if (swap.shortfalls.length > 0) return failed(quotaExhaustedResult(swapCtx, req, swap));
    return success(ctx, req, swap, settlement, plan);
  },
};
