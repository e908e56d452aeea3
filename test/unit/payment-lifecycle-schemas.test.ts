import { describe, expect, it } from 'vitest';
import { equipmentCheckout } from '../../agents/equipment-checkout/equipment-checkout.handler.js';
import { identifyOutgoingEquipment } from '../../agents/identify-outgoing-equipment/identify-outgoing-equipment.handler.js';
import type { Effect } from '../../agents/shared/agent.types.js';
import { dec } from '../../agents/shared/decimal.js';
import {
  paymentCollectedEvent,
  paymentReceivedEvent,
  paymentRejectedEvent,
} from '../../agents/shared/payments.js';
import { requestSchemas } from '../../src/router/routes.js';
import { parseRequestTopic, requestFilters } from '../../src/router/topics.js';
import { messageSchemas } from '../../src/validation/message-schemas.js';
import { MessageValidator } from '../../src/validation/message-validator.js';
import { aContext, anAsset, aPlanView } from '../builders/plan-view.js';
import { ENERGY } from '../builders/plans.js';

const validator = new MessageValidator(messageSchemas(requestSchemas()));
const ok = (name: string, body: unknown) => validator.validate(name, body).ok;

const payment = {
  payment_id: 'PAY-1',
  odoo_receipt_id: 'PAY-1',
  source: 'attendant' as const,
  amount: 15,
  currency: 'USD',
  payment_method: 'MOBILE_MONEY',
  payment_type: 'TOP_UP' as const,
  service_id: null,
  payment_timestamp: null,
  correlation_id: 'c-1',
  attendant_id: 'ATT-1',
  station: 'STATION_XYZ',
  description: null,
};

/** The payload as the router stamps it before it checks it against the event's schema. */
function stamped(effect: Effect): Record<string, unknown> {
  if (effect.kind !== 'event') throw new Error('not an event');
  return {
    event_id: '6f1c1b2e-6a2f-4c55-9d59-0b8f1d9e3a11',
    timestamp: '2026-01-05T08:00:00.000Z',
    ...effect.payload,
  };
}

describe('schemas of the payment and lifecycle messages', () => {
  const ctx = aContext(aPlanView(), []);

  it('payment_received, payment_collected and payment_rejected as built match their schemas and carry payment_receipt_id', () => {
    const credit = { service_id: ENERGY, unit: 'kWh', credited_now: 6.2, credited_total: 18.7 };
    const received = stamped(paymentReceivedEvent(ctx, payment, [], credit));
    expect(ok('event:PAYMENT_RECEIVED', received)).toBe(true);
    expect(received.payment_receipt_id).toBe('PAY-1');
    const collected = stamped(paymentCollectedEvent(ctx, payment, { ...credit, amount: 10 }));
    expect(ok('event:PAYMENT_COLLECTED', collected)).toBe(true);
    expect(collected.payment_receipt_id).toBe('PAY-1');
    const reversal = { service_id: ENERGY, unit: 'kWh', credited: 18.7, reversed: 3.1, unrecovered: 15.6 };
    const rejected = stamped(
      paymentRejectedEvent(
        ctx,
        { payment_id: 'PAY-1', amount: dec(15), currency: 'USD', payment_type: 'TOP_UP' },
        'c-2',
        reversal,
      ),
    );
    expect(ok('event:PAYMENT_REJECTED', rejected)).toBe(true);
    // A payment_received never says it is pending: that is payment_collected's job.
    const pendingReceived = {
      ...received,
      payment_data: { ...(received.payment_data as object), status: 'PENDING_CONFIRMATION' },
    };
    expect(ok('event:PAYMENT_RECEIVED', pendingReceived)).toBe(false);
  });

  it('COMPLETE_SERVICE keeps the seed example valid (no payment_type) and accepts SWAP_FEE; CONFIRM_PAYMENT takes payment_status', () => {
    const seed = {
      action: 'COMPLETE_SERVICE',
      incoming_battery_id: 'BAT-12345',
      incoming_kwh: 4.8,
      outgoing_battery_id: 'BAT-67890',
      outgoing_kwh: 30.4,
      payment_occurred: true,
      payment_amount: 15.0,
      payment_receipt_id: 'PAY-78910',
      payment_method: 'MOBILE_MONEY',
      attendant_id: 'ATT-001',
      attendant_station: 'STATION_XYZ',
      transaction_timestamp: '2025-01-15T10:30:00Z',
      correlation_id: 'TXN-12345',
    };
    expect(ok('COMPLETE_SERVICE', seed)).toBe(true);
    expect(ok('COMPLETE_SERVICE', { ...seed, payment_type: 'SWAP_FEE' })).toBe(true);
    expect(ok('COMPLETE_SERVICE', { ...seed, payment_type: 'TIP' })).toBe(false);
    const confirm = {
      action: 'CONFIRM_PAYMENT',
      correlation_id: 'o-1',
      payment_receipt_id: 'PAY-78910',
      amount: 15,
      currency: 'USD',
      payment_method: 'MPESA',
      payment_type: 'TOP_UP',
    };
    expect(ok('CONFIRM_PAYMENT', confirm)).toBe(true);
    expect(ok('CONFIRM_PAYMENT', { ...confirm, payment_status: 'REJECTED' })).toBe(true);
    expect(ok('CONFIRM_PAYMENT', { ...confirm, payment_status: 'MAYBE' })).toBe(false);
  });

  it('each lifecycle operation has its request schema: battery operations need asset_id, nothing unknown passes', () => {
    for (const action of ['REPORT_BATTERY_LOST', 'RECOVER_BATTERY']) {
      expect(ok(action, { action, correlation_id: 'o-1', asset_id: 'BAT-1', requested_by: 'OPS-1' })).toBe(
        true,
      );
      expect(ok(action, { action, correlation_id: 'o-1' })).toBe(false);
    }
    expect(
      ok('RECOVER_BATTERY', {
        action: 'RECOVER_BATTERY',
        correlation_id: 'o',
        asset_id: 'B-1',
        station_id: 'S',
      }),
    ).toBe(true);
    for (const action of ['SUSPEND_PLAN', 'RESUME_PLAN', 'CLOSE_PLAN']) {
      expect(ok(action, { action, correlation_id: 'o-1', reason: 'fraud check' })).toBe(true);
      expect(ok(action, { action, correlation_id: 'o-1', asset_id: 'BAT-1' })).toBe(false);
    }
  });
});

describe('ops topics', () => {
  it('call/ops/plan/{plan_id}/{operation} is answered on rtrn/abs/ops/plan/{plan_id}/{operation}_response', () => {
    expect(parseRequestTopic('call/ops/plan/P-1/suspend_plan')).toMatchObject({
      domain: 'ops',
      planId: 'P-1',
      action: 'SUSPEND_PLAN',
      responseTopic: 'rtrn/abs/ops/plan/P-1/suspend_plan_response',
    });
    expect(parseRequestTopic('call/ops/plan/P-1/teleport')).toMatchObject({
      action: null,
      operationName: 'teleport',
    });
    // Lifecycle operations only on the ops topic, and attendant ones not on it.
    expect(parseRequestTopic('call/uxi/attendant/plan/P-1/close_plan')?.action).toBeNull();
    expect(parseRequestTopic('call/uxi/ops/plan/P-1/close_plan')).toBeNull();
    expect(parseRequestTopic('call/ops/plan/P-1/equipment_checkout')?.action).toBeNull();
    expect(requestFilters(null)).toContain('call/ops/plan/+/+');
  });
});

describe('a battery whose charge is unknown is not issued', () => {
  const held = anAsset('BAT-12345', { status: 'ISSUED', holder_plan_id: 'plan-1' });
  const fresh = anAsset('BAT-67890');
  const settings = { kwhToleranceKwh: 0.5 };

  it('IDENTIFY_OUTGOING_EQUIPMENT: EQUIPMENT_CHARGE_UNKNOWN without a reading or an app value; the app’s SOC is enough', () => {
    const ctx = aContext(aPlanView(), [fresh]);
    const request = { action: 'IDENTIFY_OUTGOING_EQUIPMENT', correlation_id: 'c', equipment_id: 'BAT-67890' };
    const unknown = identifyOutgoingEquipment.decide(ctx, request, settings);
    expect(unknown).toMatchObject({
      success: false,
      signals: ['EQUIPMENT_CHARGE_UNKNOWN'],
      error: { code: 'EQUIPMENT_CHARGE_UNKNOWN' },
    });
    const withSoc = identifyOutgoingEquipment.decide(ctx, { ...request, soc_percent: 95 }, settings);
    expect(withSoc.signals).toEqual(['EQUIPMENT_AVAILABLE']);
  });

  it('EQUIPMENT_CHECKOUT: the outgoing battery with no kWh anywhere is refused, nothing changes', () => {
    const ctx = aContext(aPlanView(), [held, fresh]);
    const result = equipmentCheckout.decide(
      ctx,
      {
        action: 'EQUIPMENT_CHECKOUT',
        correlation_id: 'c',
        incoming_equipment_id: 'BAT-12345',
        incoming_kwh: 4.8,
        replacement_equipment_id: 'BAT-67890',
      },
      settings,
    );
    expect(result).toMatchObject({ success: false, signals: ['EQUIPMENT_CHARGE_UNKNOWN'], effects: [] });
  });
});
