import { describe, expect, it } from 'vitest';
import type { PaymentView } from '../../agents/shared/plan.types.js';
import {
  collectedEffect,
  ctxOf,
  decide,
  electricity,
  held,
  IMMEDIATE,
  PROVISIONAL,
  paymentMeta,
  record,
  templateWith,
  WAIT,
} from '../builders/complete-service.js';
import { aPaymentView } from '../builders/payments.js';
import { ENERGY } from '../builders/plans.js';

/* COMPLETE_SERVICE refused with a payment: only the money is kept, uncredited; each refusal in full. */

describe('COMPLETE_SERVICE refused with a payment: only the money is kept, uncredited', () => {
  const notFound = {
    code: 'EQUIPMENT_NOT_FOUND',
    message: 'battery BAT-67890 is not registered',
    details: [],
  };

  it.each([
    ['waiting for Odoo', WAIT],
    ['provisional', PROVISIONAL],
    ['at once', IMMEDIATE],
  ] as const)(
    '%s, an equipment refusal: the payment kept PENDING uncredited, the equipment error',
    (_n, template) => {
      expect(decide(ctxOf(template, [], '344.5', [held]))).toEqual({
        success: false,
        signals: ['SERVICE_COMPLETION_FAILED', 'EQUIPMENT_NOT_FOUND', 'PAYMENT_PENDING_CONFIRMATION'],
        metadata: { equipment_id: 'BAT-67890', payment: paymentMeta('PENDING_CONFIRMATION') },
        fsmInputs: [],
        effects: [record('PENDING'), collectedEffect(null)],
        error: notFound,
      });
    },
  );

  // 25.4 kWh left of 400, 25.6 needed: a limit of 0.08 USD buys 0.1 kWh, still 0.1 short.
  it('provisional credit too small to make the swap fit: the refusal is judged on the plan as it stands', () => {
    const ctx = ctxOf(templateWith({ provisional_credit_limit: 0.08 }), [], '374.6');
    const exhausted = [{ service_id: ENERGY, remaining_before: 25.4, required: 25.6, deficit: 0.2 }];
    const topup = { amount_kwh: 0.2, estimated_cost: 0.16, currency: 'USD', estimated_cost_usd: 0.16 };
    expect(decide(ctx)).toEqual({
      success: false,
      signals: ['SERVICE_COMPLETION_FAILED', 'QUOTA_EXHAUSTED', 'PAYMENT_PENDING_CONFIRMATION'],
      metadata: {
        outgoing_battery_id: 'BAT-67890',
        incoming_battery_id: 'BAT-12345',
        electricity_calculation: electricity,
        quota_check: { remaining_before: 25.4, net_required: 25.6, deficit_kwh: 0.2, status: 'exhausted' },
        exhausted_services: exhausted,
        topup_required: topup,
        payment: paymentMeta('PENDING_CONFIRMATION'),
      },
      fsmInputs: [{ cycle: 'service_cycle', input: 'QUOTA_EXHAUSTED' }],
      effects: [
        record('PENDING'),
        collectedEffect(null),
        {
          kind: 'event',
          event_type: 'QUOTA_EXHAUSTED',
          topic: 'event/abs/service/plan/plan-1/quota_exhausted',
          payload: {
            event_type: 'QUOTA_EXHAUSTED',
            plan_id: 'plan-1',
            customer_id: 'CUST-001',
            correlation_id: 'tx-1',
            source_action: 'COMPLETE_SERVICE',
            exhausted_services: exhausted,
            topup_required: topup,
          },
        },
      ],
      error: {
        code: 'PAYMENT_PENDING_CONFIRMATION',
        message:
          "quota exhausted; payment RCPT-5 is recorded and awaits Odoo's confirmation: retry with a new correlation_id once it is confirmed",
        details: [],
      },
    });
  });

  // 10 kWh left of 400, 25.6 needed.
  const shortOf = (existing: PaymentView) => decide(ctxOf(WAIT, [existing], '390'));
  const quotaError = { code: 'QUOTA_EXHAUSTED', message: `quota exhausted for ${ENERGY}`, details: [] };
  const exhaustedMeta = {
    outgoing_battery_id: 'BAT-67890',
    incoming_battery_id: 'BAT-12345',
    electricity_calculation: electricity,
    quota_check: { remaining_before: 10, net_required: 25.6, deficit_kwh: 15.6, status: 'exhausted' },
    exhausted_services: [{ service_id: ENERGY, remaining_before: 10, required: 25.6, deficit: 15.6 }],
    topup_required: { amount_kwh: 15.6, estimated_cost: 12.48, currency: 'USD', estimated_cost_usd: 12.48 },
  };

  it.each([
    [
      'recorded PENDING earlier: awaits Odoo, retry once confirmed',
      aPaymentView('RCPT-5', 'PENDING'),
      ['PAYMENT_PENDING_CONFIRMATION'],
      'PENDING_CONFIRMATION',
      {
        code: 'PAYMENT_PENDING_CONFIRMATION',
        message:
          "quota exhausted; payment RCPT-5 is recorded and awaits Odoo's confirmation: retry with a new correlation_id once it is confirmed",
        details: [],
      },
    ],
    [
      'confirmed by Odoo already: nothing awaited, the quota error',
      aPaymentView('RCPT-5', 'CONFIRMED', { source: 'odoo' }),
      [],
      'CONFIRMED',
      quotaError,
    ],
    [
      'rejected by Odoo: said so, the quota error',
      aPaymentView('RCPT-5', 'REJECTED'),
      ['PAYMENT_REJECTED'],
      'REJECTED',
      quotaError,
    ],
  ] as const)(
    'QUOTA_EXHAUSTED with a payment %s; nothing recorded again',
    (_n, existing, extra, status, error) => {
      const result = shortOf(existing);
      expect(result).toEqual({
        success: false,
        signals: ['SERVICE_COMPLETION_FAILED', 'QUOTA_EXHAUSTED', ...extra],
        metadata: { ...exhaustedMeta, payment: paymentMeta(status) },
        fsmInputs: [{ cycle: 'service_cycle', input: 'QUOTA_EXHAUSTED' }],
        effects: [expect.objectContaining({ kind: 'event', event_type: 'QUOTA_EXHAUSTED' })],
        error,
      });
    },
  );

  it('an equipment refusal with a payment recorded PENDING earlier: the equipment error, nothing recorded again', () => {
    const ctx = ctxOf(WAIT, [aPaymentView('RCPT-5', 'PENDING')], '344.5', [held]);
    expect(decide(ctx)).toEqual({
      success: false,
      signals: ['SERVICE_COMPLETION_FAILED', 'EQUIPMENT_NOT_FOUND', 'PAYMENT_PENDING_CONFIRMATION'],
      metadata: { equipment_id: 'BAT-67890', payment: paymentMeta('PENDING_CONFIRMATION') },
      fsmInputs: [],
      effects: [],
      error: notFound,
    });
  });

  it('a value the plan does not allow, with a credit in this step: a plain VALIDATION_FAILED, nothing kept', () => {
    const result = decide(ctxOf(PROVISIONAL), { outgoing_kwh: 35.3 });
    expect(result).toEqual({
      success: false,
      signals: ['VALIDATION_FAILED'],
      metadata: {},
      fsmInputs: [],
      effects: [],
      error: {
        code: 'INVALID_VALUE',
        message: "/outgoing_kwh: 35.3 kWh exceeds the battery's capacity 32 kWh + 10 %",
        details: [
          { path: '/outgoing_kwh', message: "35.3 kWh exceeds the battery's capacity 32 kWh + 10 %" },
        ],
      },
    });
  });
});
