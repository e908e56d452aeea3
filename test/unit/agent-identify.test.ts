import { describe, expect, it } from 'vitest';
import { equipmentCheckin } from '../../agents/equipment-checkin/equipment-checkin.handler.js';
import { identifyCustomer } from '../../agents/identify-customer/identify-customer.handler.js';
import { identifyOutgoingEquipment } from '../../agents/identify-outgoing-equipment/identify-outgoing-equipment.handler.js';
import { identifyReturnedEquipment } from '../../agents/identify-returned-equipment/identify-returned-equipment.handler.js';
import { reportAttendantActivity } from '../../agents/report-attendant-activity/report-attendant-activity.handler.js';
import { invalidValue } from '../../agents/shared/agent.types.js';
import type { PaymentLedgerView, PaymentView } from '../../agents/shared/plan.types.js';
import { planSummary } from '../../agents/shared/summary.js';
import type { BatteryReading } from '../../src/ports/scanner.js';
import { aContext, anAsset, aPlanView, kenyaTemplate } from '../builders/plan-view.js';
import { ENERGY, SWAPS } from '../builders/plans.js';

const settings = { kwhToleranceKwh: 0.5 };
const held = anAsset('BAT-12345', { status: 'ISSUED', holder_plan_id: 'plan-1' });
const stock = anAsset('BAT-67890'); // 32 kWh at STATION_XYZ
const scan = (asset_id: string, kwh: string, extra: Partial<BatteryReading> = {}): BatteryReading => ({
  asset_id,
  kwh_remaining: kwh,
  timestamp: '2026-01-05T07:59:58Z',
  source: 'scanner',
  ...extra,
});
const equipment = (equipment_id: string, extra: Record<string, unknown> = {}) => ({
  action: 'X',
  correlation_id: 'c-1',
  equipment_id,
  ...extra,
});
const notFound = (id: string) => ({
  success: false,
  signals: ['EQUIPMENT_NOT_FOUND'],
  metadata: { equipment_id: id },
  fsmInputs: [],
  effects: [],
  error: { code: 'EQUIPMENT_NOT_FOUND', message: `battery ${id} is not registered`, details: [] },
});

describe('IDENTIFY_CUSTOMER', () => {
  const ctx = aContext(aPlanView(), []);
  it('answers the plan summary, read-only', () => {
    expect(identifyCustomer.readOnly).toBe(true);
    expect(identifyCustomer.assetIds({ action: 'IDENTIFY_CUSTOMER', correlation_id: 'c' })).toEqual([]);
    for (const customer_id of [undefined, 'CUST-001', '']) {
      expect(
        identifyCustomer.decide(
          ctx,
          { action: 'IDENTIFY_CUSTOMER', correlation_id: 'c', customer_id },
          settings,
        ),
      ).toEqual({
        success: true,
        signals: ['CUSTOMER_IDENTIFIED'],
        metadata: { ...planSummary(ctx.plan), payments: { pending: [], rejected: [] } },
        fsmInputs: [],
        effects: [],
      });
    }
  });

  const view = (
    payment_id: string,
    status: PaymentView['status'],
    ledger: Partial<PaymentLedgerView> = {},
  ): PaymentView => ({
    payment_id,
    status,
    amount: '10',
    payment_type: 'TOP_UP',
    source: 'attendant',
    ledger: {
      plan_id: 'plan-1',
      currency: 'USD',
      payment_method: 'CASH',
      credited: '0',
      credit_service_id: null,
      provisional_amount: '0',
      reversed: '0',
      unrecovered: '0',
      created_at: '2026-01-05T07:00:00Z',
      rejected_at: null,
      ...ledger,
    },
  });
  const withPayments = (payments: PaymentView[]) => ({
    ...ctx,
    payments: new Map(payments.map((v) => [v.payment_id, v])),
  });
  const identify = (c: typeof ctx) =>
    identifyCustomer.decide(c, { action: 'IDENTIFY_CUSTOMER', correlation_id: 'c' }, settings);

  it.each([
    ['nothing open', [], ['CUSTOMER_IDENTIFIED']],
    [
      'a payment awaiting Odoo',
      [view('P-1', 'PENDING')],
      ['CUSTOMER_IDENTIFIED', 'PAYMENT_PENDING_CONFIRMATION'],
    ],
    [
      'a recent rejection, all credit taken back',
      [
        view('P-2', 'REJECTED', {
          credited: '10',
          credit_service_id: ENERGY,
          reversed: '10',
          rejected_at: '2026-01-05T07:30:00Z',
        }),
      ],
      ['CUSTOMER_IDENTIFIED', 'PAYMENT_REJECTED'],
    ],
    [
      'a recent rejection with credit already used',
      [
        view('P-3', 'REJECTED', {
          credited: '10',
          credit_service_id: ENERGY,
          reversed: '4',
          unrecovered: '6',
          rejected_at: '2026-01-05T07:30:00Z',
        }),
      ],
      ['CUSTOMER_IDENTIFIED', 'PAYMENT_REJECTED', 'CREDIT_UNRECOVERED'],
    ],
    [
      'an old rejection still owing: no longer signalled as a rejection',
      [
        view('P-4', 'REJECTED', {
          credited: '10',
          credit_service_id: ENERGY,
          unrecovered: '10',
          rejected_at: '2025-01-01T00:00:00Z',
        }),
      ],
      ['CUSTOMER_IDENTIFIED', 'CREDIT_UNRECOVERED'],
    ],
    [
      "another plan's payments are not shown",
      [
        view('P-5', 'PENDING', { plan_id: 'plan-9' }),
        view('P-6', 'REJECTED', { plan_id: 'plan-9', unrecovered: '1', rejected_at: '2026-01-05T07:30:00Z' }),
      ],
      ['CUSTOMER_IDENTIFIED'],
    ],
  ] as const)('payments: %s', (_name, payments, signals) => {
    expect(identify(withPayments([...payments])).signals).toEqual(signals);
  });

  it('lists pending and rejected payments with their credit', () => {
    const result = identify(
      withPayments([
        view('P-1', 'PENDING', { credited: '6.2', credit_service_id: ENERGY, provisional_amount: '5' }),
        view('P-3', 'REJECTED', {
          credited: '10',
          credit_service_id: ENERGY,
          reversed: '4',
          unrecovered: '6',
          rejected_at: '2026-01-05T07:30:00Z',
        }),
      ]),
    );
    expect(result.metadata.payments).toEqual({
      pending: [
        {
          payment_receipt_id: 'P-1',
          payment_type: 'TOP_UP',
          amount: 10,
          provisional_credit: 6.2,
          credit_service_id: ENERGY,
          collected_at: '2026-01-05T07:00:00Z',
        },
      ],
      rejected: [
        {
          payment_receipt_id: 'P-3',
          payment_type: 'TOP_UP',
          amount: 10,
          credit_service_id: ENERGY,
          credited: 10,
          reversed: 4,
          unrecovered: 6,
          rejected_at: '2026-01-05T07:30:00Z',
        },
      ],
    });
  });

  it("refuses another customer's id", () => {
    expect(
      identifyCustomer.decide(
        ctx,
        { action: 'IDENTIFY_CUSTOMER', correlation_id: 'c', customer_id: 'CUST-002' },
        settings,
      ),
    ).toEqual({
      success: false,
      signals: ['CUSTOMER_MISMATCH'],
      metadata: {},
      fsmInputs: [],
      effects: [],
      error: { code: 'CUSTOMER_MISMATCH', message: 'plan plan-1 belongs to another customer', details: [] },
    });
  });
});

describe('IDENTIFY_RETURNED_EQUIPMENT', () => {
  const decide = (
    ctx = aContext(aPlanView(), [held]),
    extra: Record<string, unknown> = {},
    id = 'BAT-12345',
  ) => identifyReturnedEquipment.decide(ctx, equipment(id, extra), settings);

  it('a battery this plan holds, with the app kWh', () => {
    expect(identifyReturnedEquipment.readOnly).toBe(true);
    expect(identifyReturnedEquipment.assetIds(equipment('BAT-1'))).toEqual(['BAT-1']);
    expect(decide(undefined, { kwh_remaining: 4.8 })).toEqual({
      success: true,
      signals: ['EQUIPMENT_BELONGS_TO_USER'],
      metadata: {
        equipment_id: 'BAT-12345',
        ownership_verified: true,
        already_checked_in: false,
        capacity_kwh: 32,
        kwh_remaining: 4.8,
        read_timestamp: null,
        battery_voltage: null,
        battery_temperature: null,
        kwh_source: 'app',
      },
      fsmInputs: [],
      effects: [],
    });
  });

  it('nothing known of its energy: still identified, with null kWh', () => {
    expect(decide().metadata).toMatchObject({ kwh_remaining: null, kwh_source: null });
  });

  it('a hardware reading more than the tolerance away from the app: KWH_MISMATCH with both values', () => {
    const ctx = aContext(
      aPlanView(),
      [held],
      [scan('BAT-12345', '5.4', { voltage: 48.2, temperature_c: 29 })],
    );
    const result = decide(ctx, { kwh_remaining: 4.8 });
    expect(result.signals).toEqual(['EQUIPMENT_BELONGS_TO_USER', 'KWH_MISMATCH']);
    expect(result.metadata).toMatchObject({
      kwh_remaining: 5.4,
      kwh_source: 'scanner',
      battery_voltage: 48.2,
      battery_temperature: 29,
      kwh_mismatch: { app_kwh: 4.8, hardware_kwh: 5.4, tolerance_kwh: 0.5 },
    });
    const within = decide(aContext(aPlanView(), [held], [scan('BAT-12345', '5.3')]), { kwh_remaining: 4.8 });
    expect(within.signals).toEqual(['EQUIPMENT_BELONGS_TO_USER']);
    expect(within.metadata).not.toHaveProperty('kwh_mismatch');
  });

  it('a battery of another plan: refused, ownership not verified', () => {
    const other = anAsset('BAT-12345', { status: 'ISSUED', holder_plan_id: 'plan-2' });
    expect(decide(aContext(aPlanView(), [other]))).toEqual({
      success: false,
      signals: ['EQUIPMENT_NOT_BELONGS_TO_USER'],
      metadata: { equipment_id: 'BAT-12345', ownership_verified: false },
      fsmInputs: [],
      effects: [],
      error: {
        code: 'EQUIPMENT_NOT_BELONGS_TO_USER',
        message: 'battery BAT-12345 is not held by plan plan-1',
        details: [],
      },
    });
    expect(decide(aContext(aPlanView(), []))).toEqual({
      ...notFound('BAT-12345'),
      metadata: { equipment_id: 'BAT-12345', ownership_verified: false },
    });
  });

  it('the battery this plan already checked in is identified again (now in stock)', () => {
    const plan = aPlanView({ returned: { asset_id: 'BAT-12345', kwh: '4.8', at: '2026-01-05T07:50:00Z' } });
    const inStock = anAsset('BAT-12345');
    const result = decide(aContext(plan, [inStock]), { kwh_remaining: 4.8 });
    expect(result.success).toBe(true);
    expect(result.metadata).toMatchObject({ ownership_verified: true, already_checked_in: true });
    const otherReturned = aPlanView({
      returned: { asset_id: 'BAT-1', kwh: '4.8', at: '2026-01-05T07:50:00Z' },
    });
    expect(decide(aContext(otherReturned, [inStock])).signals).toEqual(['EQUIPMENT_NOT_BELONGS_TO_USER']);
  });
});

describe('IDENTIFY_OUTGOING_EQUIPMENT: in stock here, free, healthy, charged to min_outgoing_soc_pct', () => {
  const decide = (ctx = aContext(aPlanView(), [stock]), extra: Record<string, unknown> = {}) =>
    identifyOutgoingEquipment.decide(ctx, equipment('BAT-67890', extra), settings);

  it('a charged battery in stock at this station', () => {
    expect(identifyOutgoingEquipment.readOnly).toBe(true);
    expect(identifyOutgoingEquipment.assetIds(equipment('BAT-1'))).toEqual(['BAT-1']);
    expect(decide(undefined, { kwh_remaining: 30.4, attendant_station: 'STATION_XYZ' })).toEqual({
      success: true,
      signals: ['EQUIPMENT_AVAILABLE'],
      metadata: {
        equipment_id: 'BAT-67890',
        station_id: 'STATION_XYZ',
        capacity_kwh: 32,
        kwh_remaining: 30.4,
        read_timestamp: null,
        battery_voltage: null,
        battery_temperature: null,
        kwh_source: 'app',
        soc_percent: 95,
      },
      fsmInputs: [],
      effects: [],
    });
  });

  // min_outgoing_soc_pct = 80: 25.6 kWh of 32 is exactly 80 %.
  it.each([
    [25.6, true, 80],
    [25.5, false, 79.7],
    [25.7, true, 80.3],
    [32, true, 100],
  ] as const)('%d kWh of 32 → available %s (%d %%)', (kwh, available, soc) => {
    const result = decide(undefined, { kwh_remaining: kwh });
    expect(result.success).toBe(available);
    if (available) {
      expect(result.signals).toEqual(['EQUIPMENT_AVAILABLE']);
      expect(result.metadata.soc_percent).toBe(soc);
    } else {
      expect(result).toEqual({
        success: false,
        signals: ['EQUIPMENT_INSUFFICIENT_CHARGE'],
        metadata: {
          equipment_id: 'BAT-67890',
          station_id: 'STATION_XYZ',
          capacity_kwh: 32,
          kwh_remaining: kwh,
          read_timestamp: null,
          battery_voltage: null,
          battery_temperature: null,
          kwh_source: 'app',
        },
        fsmInputs: [],
        effects: [],
        error: {
          code: 'EQUIPMENT_NOT_AVAILABLE',
          message: 'battery BAT-67890 is at 80 %; at least 80 % is needed to issue it',
          details: [],
        },
      });
    }
  });

  it('no minimum in the template: any charge will do; an empty battery reports 0 %', () => {
    const template = kenyaTemplate((t) => {
      const { min_outgoing_soc_pct: _, ...tracking } = t.agent_params.electricity_tracking;
      return { ...t, agent_params: { ...t.agent_params, electricity_tracking: tracking } };
    });
    const result = decide(aContext(aPlanView({ template }), [stock]), { kwh_remaining: 0 });
    expect(result.success).toBe(true);
    expect(result.metadata.soc_percent).toBe(0);
  });

  it('nothing known of the energy: refused, the charge is unknown', () => {
    expect(decide()).toEqual({
      success: false,
      signals: ['EQUIPMENT_CHARGE_UNKNOWN'],
      metadata: { equipment_id: 'BAT-67890' },
      fsmInputs: [],
      effects: [],
      error: {
        code: 'EQUIPMENT_CHARGE_UNKNOWN',
        message:
          'the station cannot read battery BAT-67890 and the request gives no kwh_remaining or soc_percent: its charge is unknown',
        details: [],
      },
    });
  });

  it('the hardware decides the charge, and a mismatch is flagged', () => {
    const ctx = aContext(aPlanView(), [stock], [scan('BAT-67890', '20')]);
    expect(decide(ctx, { kwh_remaining: 30 }).signals).toEqual(['EQUIPMENT_INSUFFICIENT_CHARGE']);
    const charged = aContext(aPlanView(), [stock], [scan('BAT-67890', '30.4')]);
    expect(decide(charged, { kwh_remaining: 29.8 }).signals).toEqual(['EQUIPMENT_AVAILABLE', 'KWH_MISMATCH']);
    expect(decide(charged, { kwh_remaining: 29.9 }).signals).toEqual(['EQUIPMENT_AVAILABLE']);
  });

  it('a battery of another station is refused; no station on either side is not', () => {
    expect(decide(undefined, { attendant_station: 'STATION_ABC', kwh_remaining: 30 })).toEqual({
      success: false,
      signals: ['EQUIPMENT_NOT_AT_STATION'],
      metadata: { equipment_id: 'BAT-67890', station_id: 'STATION_XYZ' },
      fsmInputs: [],
      effects: [],
      error: {
        code: 'EQUIPMENT_NOT_AVAILABLE',
        message: 'battery BAT-67890 belongs to station STATION_XYZ',
        details: [],
      },
    });
    expect(decide(undefined, { kwh_remaining: 30 }).success).toBe(true);
    const nowhere = anAsset('BAT-67890', { station_id: null });
    expect(
      decide(aContext(aPlanView(), [nowhere]), { attendant_station: 'STATION_ABC', kwh_remaining: 30 })
        .success,
    ).toBe(true);
  });

  it('the equipment checks come first', () => {
    expect(decide(aContext(aPlanView(), []))).toEqual(notFound('BAT-67890'));
    const issued = anAsset('BAT-67890', { status: 'ISSUED', holder_plan_id: 'plan-2' });
    expect(decide(aContext(aPlanView(), [issued])).signals).toEqual(['EQUIPMENT_ASSIGNED_TO_OTHER_PLAN']);
  });
});

describe('EQUIPMENT_CHECKIN', () => {
  const decide = (ctx = aContext(aPlanView(), [held]), extra: Record<string, unknown> = {}) =>
    equipmentCheckin.decide(ctx, equipment('BAT-12345', extra), settings);

  it('the battery goes back in stock here, the plan holds none, its kWh are kept for the checkout', () => {
    expect(equipmentCheckin.readOnly).toBe(false);
    expect(equipmentCheckin.assetIds(equipment('BAT-1'))).toEqual(['BAT-1']);
    expect(decide(undefined, { kwh_remaining: 4.85, attendant_station: 'STATION_ABC' })).toEqual({
      success: true,
      signals: ['EQUIPMENT_CHECKIN_SUCCESS'],
      metadata: {
        equipment_id: 'BAT-12345',
        kwh_remaining: 4.9,
        read_timestamp: null,
        battery_voltage: null,
        battery_temperature: null,
        kwh_source: 'app',
        awaiting_checkout: true,
      },
      fsmInputs: [{ cycle: 'service_cycle', input: 'BATTERY_RETURNED' }],
      effects: [
        {
          kind: 'asset',
          asset_id: 'BAT-12345',
          status: 'IN_STOCK',
          holder_plan_id: null,
          station_id: 'STATION_ABC',
        },
        { kind: 'current_asset', service_id: SWAPS, asset_id: null },
        { kind: 'returned', asset_id: 'BAT-12345', kwh: '4.9' },
      ],
    });
  });

  it("no station in the request: the battery's own station; a mismatch is flagged", () => {
    const result = decide(aContext(aPlanView(), [held], [scan('BAT-12345', '6.1')]), { kwh_remaining: 4.8 });
    expect(result.signals).toEqual(['EQUIPMENT_CHECKIN_SUCCESS', 'KWH_MISMATCH']);
    expect(result.effects).toContainEqual({
      kind: 'asset',
      asset_id: 'BAT-12345',
      status: 'IN_STOCK',
      holder_plan_id: null,
      station_id: 'STATION_XYZ',
    });
    expect(result.effects).toContainEqual({ kind: 'returned', asset_id: 'BAT-12345', kwh: '6.1' });
  });

  it('a template without a tracking service clears no current asset', () => {
    const template = kenyaTemplate((t) => ({
      ...t,
      service_configurations: t.service_configurations.map((c) => ({ ...c, tracks_asset: false })),
    }));
    const result = decide(aContext(aPlanView({ template }), [held]), { kwh_remaining: 4.8 });
    expect(result.effects.map((e) => e.kind)).toEqual(['asset', 'returned']);
  });

  it('refuses a battery the plan does not hold, or whose energy is unknown or impossible', () => {
    const other = anAsset('BAT-12345', { status: 'ISSUED', holder_plan_id: 'plan-2' });
    expect(decide(aContext(aPlanView(), [other]), { kwh_remaining: 4.8 }).signals).toEqual([
      'EQUIPMENT_NOT_BELONGS_TO_USER',
    ]);
    expect(decide(aContext(aPlanView(), []))).toEqual(notFound('BAT-12345'));
    expect(decide()).toEqual(
      invalidValue(
        '/kwh_remaining',
        'no hardware reading of BAT-12345: kwh_remaining or soc_percent is required',
      ),
    );
    expect(decide(undefined, { kwh_remaining: 35.3 })).toEqual(
      invalidValue('/kwh_remaining', "35.3 kWh exceeds the battery's capacity 32 kWh + 10 %"),
    );
  });
});

describe('REPORT_ATTENDANT_ACTIVITY', () => {
  const ctx = aContext(aPlanView(), []);
  it('kept in the audit log with who, where and when', () => {
    expect(reportAttendantActivity.readOnly).toBe(false);
    expect(
      reportAttendantActivity.assetIds({ action: 'A', correlation_id: 'c', activity_type: 't' }),
    ).toEqual([]);
    const req = {
      action: 'REPORT_ATTENDANT_ACTIVITY',
      correlation_id: 'c-7',
      activity_type: 'SHIFT_START',
      attendant_id: 'ATT-1',
      attendant_station: 'STATION_XYZ',
      description: 'opened the station',
      details: { till: 3 },
      timestamp: '2026-01-05T07:00:00Z',
    };
    expect(reportAttendantActivity.decide(ctx, req, settings)).toEqual({
      success: true,
      signals: ['ACTIVITY_RECORDED'],
      metadata: { activity_type: 'SHIFT_START', recorded_at: '2026-01-05T08:00:00.000Z' },
      fsmInputs: [],
      effects: [
        {
          kind: 'audit',
          audit_kind: 'attendant_activity:SHIFT_START',
          requester: 'ATT-1',
          decision: 'RECORDED',
          details: {
            correlation_id: 'c-7',
            station: 'STATION_XYZ',
            description: 'opened the station',
            details: { till: 3 },
            reported_at: '2026-01-05T07:00:00Z',
          },
        },
      ],
    });
  });

  it('the optional fields default to null and {}', () => {
    const req = { action: 'REPORT_ATTENDANT_ACTIVITY', correlation_id: 'c-8', activity_type: 'BREAK' };
    expect(reportAttendantActivity.decide(ctx, req, settings).effects).toEqual([
      {
        kind: 'audit',
        audit_kind: 'attendant_activity:BREAK',
        requester: null,
        decision: 'RECORDED',
        details: { correlation_id: 'c-8', station: null, description: null, details: {}, reported_at: null },
      },
    ]);
  });
});
