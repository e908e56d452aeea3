import { describe, expect, it } from 'vitest';
import { normalise, render } from '../../src/router/envelope.js';
import { requestHash } from '../../src/router/request-hash.js';
import { parseRequestTopic, requestFilters } from '../../src/router/topics.js';

describe('topic contract', () => {
  it('parses a call and names its response topic', () => {
    expect(parseRequestTopic('call/uxi/attendant/plan/P-1/equipment_checkout')).toMatchObject({
      verb: 'call',
      planId: 'P-1',
      action: 'EQUIPMENT_CHECKOUT',
      responseTopic: 'rtrn/abs/attendant/plan/P-1/equipment_checkout_response',
    });
  });

  it('answers emit on echo, and Odoo on the billing response topic', () => {
    expect(parseRequestTopic('emit/uxi/attendant/plan/P-1/identify_customer')?.responseTopic).toBe(
      'echo/abs/attendant/plan/P-1/identify_customer_response',
    );
    expect(parseRequestTopic('call/odoo/billing/plan/P-1/confirm_payment')).toMatchObject({
      action: 'CONFIRM_PAYMENT',
      responseTopic: 'rtrn/abs/billing/plan/P-1/confirm_payment_response',
    });
  });

  it('keeps unknown operations answerable, and does not let a billing operation pass as an attendant one', () => {
    expect(parseRequestTopic('call/uxi/attendant/plan/P-1/teleport')).toMatchObject({
      action: null,
      operationName: 'teleport',
    });
    expect(parseRequestTopic('call/uxi/attendant/plan/P-1/confirm_payment')?.action).toBeNull();
    expect(parseRequestTopic('call/uxi/attendant/plan/P-1/toString')?.action).toBeNull();
    expect(parseRequestTopic('bessai/SITE/telemetry')).toBeNull();
  });

  it('scales out with a shared-subscription group', () => {
    expect(requestFilters('swapd')[0]).toBe('$share/swapd/call/uxi/attendant/plan/+/+');
  });
});

describe('payload shapes', () => {
  it("normalises the app's envelope and renders the answer in it", () => {
    const n = normalise({
      timestamp: 't',
      plan_id: 'P',
      correlation_id: 'c',
      actor: { type: 'attendant', id: 'A' },
      data: { action: 'IDENTIFY_CUSTOMER' },
    });
    expect(n).toMatchObject({
      shape: 'envelope',
      correlationId: 'c',
      request: { action: 'IDENTIFY_CUSTOMER', correlation_id: 'c', plan_id: 'P' },
    });
    const out = render(
      'envelope',
      {
        correlation_id: 'c',
        plan_id: 'P',
        timestamp: 't',
        success: true,
        signals: ['X'],
        metadata: {},
        fsmInputs: [],
      },
      'IDENTIFY_CUSTOMER',
    );
    expect(out).toEqual({
      timestamp: 't',
      plan_id: 'P',
      correlation_id: 'c',
      actor: { type: 'agent', id: 'swapd' },
      data: { action: 'IDENTIFY_CUSTOMER', success: true, signals: ['X'], metadata: {}, fsmInputs: [] },
    });
  });

  it('identifies a request by its fields, not their order, its send time or its retry id', () => {
    const a = requestHash('op', {
      action: 'A',
      correlation_id: '1',
      x: 1,
      y: { b: 2, a: 1 },
      timestamp: 't1',
    });
    const b = requestHash('op', {
      y: { a: 1, b: 2 },
      x: 1,
      action: 'A',
      correlation_id: '2',
      timestamp: 't2',
    });
    expect(a).toBe(b);
    expect(requestHash('op', { action: 'A', x: 2 })).not.toBe(a);
  });
});
