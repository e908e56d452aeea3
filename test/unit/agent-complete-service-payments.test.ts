import { describe, expect, it } from 'vitest';
import { completeService } from '../../agents/complete-service/complete-service.handler.js';
import {
  collected,
  collectedEffect,
  ctxOf,
  decide,
  electricity,
  IMMEDIATE,
  PROVISIONAL,
  paymentData,
  paymentMeta,
  quotaUpdates,
  record,
  request,
  serviceContext,
  swapEffects,
  WAIT,
} from '../builders/complete-service.js';
import { aPaymentView } from '../builders/payments.js';
import { kenyaTemplate } from '../builders/plan-view.js';
import { ENERGY } from '../builders/plans.js';

/* COMPLETE_SERVICE: a new payment in each mode of the template, and one recorded by an earlier attempt. */

describe('COMPLETE_SERVICE: the payment type and what the handler loads', () => {
  it('reads the plan’s open payments only when a payment occurred', () => {
    expect(completeService.planPayments?.(request())).toBe('always');
    expect(completeService.planPayments?.(request({ payment_occurred: false }))).toBe('never');
  });

  it('a template without default_payment_type: TOP_UP, from the template', () => {
    const template = kenyaTemplate((t) => {
      const { default_payment_type: _none, ...completion } = t.agent_params.service_completion;
      return { ...t, agent_params: { ...t.agent_params, service_completion: completion } };
    });
    expect(template.agent_params.service_completion).not.toHaveProperty('default_payment_type');
    const result = decide(ctxOf(template));
    expect(result.metadata.payment).toEqual(paymentMeta('PENDING_CONFIRMATION'));
    expect(result.effects[0]).toEqual(record('PENDING'));
  });
});

describe('COMPLETE_SERVICE: a new payment in each mode', () => {
  it('provisional: 8 of the 10 USD credited at once as 10 kWh, the swap judged with it; the full result', () => {
    const provisional = {
      service_id: ENERGY,
      quota_before: 400,
      quota_after: 410,
      credited: 10,
      unit: 'kWh',
      unit_price: 0.8,
      provisional_amount: 8,
    };
    const summary = { service_id: ENERGY, unit: 'kWh', credited_now: 10, credited_total: 10, amount: 8 };
    const paymentSummary = {
      amount: 10,
      receipt_id: 'RCPT-5',
      method: 'MPESA',
      payment_type: 'TOP_UP',
      status: 'PENDING_CONFIRMATION',
    };
    const serviceEvent = {
      event_type: 'SERVICE_COMPLETED',
      plan_id: 'plan-1',
      customer_id: 'CUST-001',
      service_data: {
        source_action: 'COMPLETE_SERVICE',
        transaction_id: 'tx-1',
        batteries_swapped: { returned: 'BAT-12345', issued: 'BAT-67890' },
        electricity_delivered_kwh: 25.6,
        kwh_sources: { incoming: 'app', outgoing: 'app' },
        quota_updates: quotaUpdates,
        payment: paymentSummary,
      },
      service_context: { ...serviceContext, station: 'STATION_XYZ' },
      fsm_inputs: [{ cycle: 'service_cycle', input: 'BATTERY_ISSUED' }],
    };
    expect(decide(ctxOf(PROVISIONAL))).toEqual({
      success: true,
      signals: ['SERVICE_COMPLETED_SUCCESS', 'PAYMENT_PENDING_CONFIRMATION', 'PROVISIONAL_CREDIT_APPLIED'],
      metadata: {
        transaction_id: 'tx-1',
        electricity_calculation: electricity,
        quota_updates: quotaUpdates,
        payment: paymentMeta('PENDING_CONFIRMATION'),
        provisional_credit: provisional,
        service_event: serviceEvent,
        payment_event: collected(summary),
        receipt: {
          transaction_id: 'tx-1',
          timestamp: '2026-01-05T07:59:00Z',
          customer_id: 'CUST-001',
          plan_id: 'plan-1',
          batteries_swapped: { returned: 'BAT-12345', issued: 'BAT-67890' },
          electricity_delivered_kwh: 25.6,
          payment: paymentSummary,
          quotas_remaining: { swap_count: '3 of 10', electricity_fuel: '39.9 kWh of 410 kWh' },
        },
        fsm_transitions: [{ cycle: 'service_cycle', input: 'BATTERY_ISSUED' }],
      },
      fsmInputs: [{ cycle: 'service_cycle', input: 'BATTERY_ISSUED' }],
      effects: [
        record('PENDING', '10', ENERGY, '8'),
        { kind: 'quota', service_id: ENERGY, increment: '10' },
        ...swapEffects,
        {
          kind: 'event',
          event_type: 'SERVICE_COMPLETED',
          topic: 'event/abs/service/plan/plan-1/service_completed',
          payload: serviceEvent,
        },
        collectedEffect(summary),
      ],
    });
  });

  it('at once: payment_received is the payment event, the credit is a top_up', () => {
    const result = decide(ctxOf(IMMEDIATE));
    expect(result.signals).toEqual(['SERVICE_COMPLETED_SUCCESS', 'PAYMENT_CONFIRMED', 'QUOTA_TOPPED_UP']);
    expect(result.metadata.payment).toEqual(paymentMeta('CONFIRMED'));
    expect(result.metadata.top_up).toEqual({
      payment_status: 'CONFIRMED',
      payment_type: 'TOP_UP',
      service_id: ENERGY,
      quota_before: 400,
      quota_after: 412.5,
      credited: 12.5,
      unit: 'kWh',
      unit_price: 0.8,
    });
    expect(result.metadata).not.toHaveProperty('provisional_credit');
    expect(result.metadata.payment_event).toEqual({
      event_type: 'PAYMENT_RECEIVED',
      plan_id: 'plan-1',
      customer_id: 'CUST-001',
      payment_receipt_id: 'RCPT-5',
      payment_data: paymentData('CONFIRMED'),
      credit: { service_id: ENERGY, unit: 'kWh', credited_now: 12.5, credited_total: 12.5 },
      service_context: serviceContext,
      fsm_inputs: [{ cycle: 'payment_cycle', input: 'PAYMENT_RECEIVED' }],
    });
    expect(result.effects.at(-1)).toEqual({
      kind: 'event',
      event_type: 'PAYMENT_RECEIVED',
      topic: 'event/abs/payment/plan/plan-1/payment_received',
      payload: result.metadata.payment_event,
    });
  });

  it.each(['RENEWAL', 'DEPOSIT'] as const)(
    'at once, a %s: no top_up and no provisional credit reported',
    (type) => {
      const result = decide(ctxOf(IMMEDIATE), { payment_type: type });
      expect(result.success).toBe(true);
      expect(Object.keys(result.metadata)).toEqual([
        'transaction_id',
        'electricity_calculation',
        'quota_updates',
        'payment',
        'service_event',
        'payment_event',
        'receipt',
        'fsm_transitions',
      ]);
      expect(result.metadata.payment).toEqual(paymentMeta('CONFIRMED', type, 'request'));
      expect(result.metadata.payment_event).toMatchObject({
        event_type: 'PAYMENT_RECEIVED',
        payment_data: paymentData('CONFIRMED', type),
        credit: null,
      });
    },
  );
});

describe('COMPLETE_SERVICE: a payment recorded by an earlier attempt', () => {
  const uncredited = aPaymentView('RCPT-5', 'PENDING', { source: 'attendant' });

  it('at once: the pending payment is confirmed and credited now, by an update', () => {
    const result = decide(ctxOf(IMMEDIATE, [uncredited]));
    expect(result.signals).toEqual(['SERVICE_COMPLETED_SUCCESS', 'PAYMENT_CONFIRMED', 'QUOTA_TOPPED_UP']);
    expect(result.metadata.payment).toEqual(paymentMeta('CONFIRMED'));
    expect(result.effects.slice(0, 2)).toEqual([
      {
        kind: 'payment_update',
        update: {
          payment_id: 'RCPT-5',
          status: 'CONFIRMED',
          amount: '10',
          credited: '12.5',
          credit_service_id: ENERGY,
        },
      },
      { kind: 'quota', service_id: ENERGY, increment: '12.5' },
    ]);
    expect(result.metadata.payment_event).toMatchObject({ event_type: 'PAYMENT_RECEIVED' });
  });

  it('provisional: credited now by an update, not announced again', () => {
    const result = decide(ctxOf(PROVISIONAL, [uncredited]));
    expect(result.signals).toEqual([
      'SERVICE_COMPLETED_SUCCESS',
      'PAYMENT_PENDING_CONFIRMATION',
      'PROVISIONAL_CREDIT_APPLIED',
    ]);
    expect(result.effects.slice(0, 2)).toEqual([
      {
        kind: 'payment_update',
        update: {
          payment_id: 'RCPT-5',
          status: 'PENDING',
          credited: '10',
          credit_service_id: ENERGY,
          provisional_amount: '8',
        },
      },
      { kind: 'quota', service_id: ENERGY, increment: '10' },
    ]);
    expect(
      result.effects.filter((e) => e.kind === 'event').map((e) => e.kind === 'event' && e.event_type),
    ).toEqual(['SERVICE_COMPLETED']);
    expect(result.metadata.payment_event).toBeNull();
    expect(result.metadata.provisional_credit).toMatchObject({ credited: 10, provisional_amount: 8 });
  });

  it.each([
    ['pending, waiting for Odoo', WAIT, uncredited, 'PENDING_CONFIRMATION'],
    [
      'pending, credited provisionally already',
      PROVISIONAL,
      aPaymentView(
        'RCPT-5',
        'PENDING',
        {},
        { credited: '5', credit_service_id: ENERGY, provisional_amount: '4' },
      ),
      'PENDING_CONFIRMATION',
    ],
    [
      'confirmed by Odoo',
      IMMEDIATE,
      aPaymentView(
        'RCPT-5',
        'CONFIRMED',
        { source: 'odoo' },
        { credited: '12.5', credit_service_id: ENERGY },
      ),
      'CONFIRMED',
    ],
    ['rejected by Odoo', PROVISIONAL, aPaymentView('RCPT-5', 'REJECTED'), 'REJECTED'],
  ] as const)('%s: left as it is, the swap alone applied', (_name, template, existing, status) => {
    const result = decide(ctxOf(template, [existing]));
    expect(result.success).toBe(true);
    expect(result.signals).toEqual(['SERVICE_COMPLETED_SUCCESS']);
    expect(result.fsmInputs).toEqual([{ cycle: 'service_cycle', input: 'BATTERY_ISSUED' }]);
    expect(result.effects.slice(0, -1)).toEqual(swapEffects);
    expect(result.effects.at(-1)).toMatchObject({ kind: 'event', event_type: 'SERVICE_COMPLETED' });
    expect(result.metadata.payment).toEqual(paymentMeta(status));
    expect(result.metadata.payment_event).toBeNull();
    expect(result.metadata).not.toHaveProperty('top_up');
    expect(result.metadata).not.toHaveProperty('provisional_credit');
  });

  it("another plan's receipt: refused, nothing changes", () => {
    const other = aPaymentView('RCPT-5', 'PENDING', {}, { plan_id: 'plan-9' });
    expect(decide(ctxOf(WAIT, [other]))).toEqual({
      success: false,
      signals: ['SERVICE_COMPLETION_FAILED', 'PAYMENT_PLAN_MISMATCH'],
      metadata: {},
      fsmInputs: [],
      effects: [],
      error: {
        code: 'PAYMENT_PLAN_MISMATCH',
        message: 'payment RCPT-5 is recorded for plan plan-9, not plan-1',
        details: [],
      },
    });
  });
});
