import fc from 'fast-check';
import { ATTENDANT_OPERATIONS, BILLING_OPERATIONS, OPS_OPERATIONS } from '../../src/router/topics.js';

/**
 * Generators of requests that must all be refused: every one carries at least one defect that no
 * schema accepts, so a correct swapd answers each once, with a failure, and writes nothing.
 */
export const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';

/** A request that would pass its schema, per action: the fuzzer breaks it. */
export const VALID: Record<string, Record<string, unknown>> = {
  IDENTIFY_CUSTOMER: { action: 'IDENTIFY_CUSTOMER', correlation_id: 'fz', customer_id: 'CUST-001' },
  IDENTIFY_RETURNED_EQUIPMENT: {
    action: 'IDENTIFY_RETURNED_EQUIPMENT',
    correlation_id: 'fz',
    equipment_id: 'BAT-12345',
  },
  IDENTIFY_OUTGOING_EQUIPMENT: {
    action: 'IDENTIFY_OUTGOING_EQUIPMENT',
    correlation_id: 'fz',
    equipment_id: 'BAT-67890',
  },
  EQUIPMENT_CHECKIN: {
    action: 'EQUIPMENT_CHECKIN',
    correlation_id: 'fz',
    equipment_id: 'BAT-12345',
    kwh_remaining: 4.8,
  },
  EQUIPMENT_CHECKOUT: {
    action: 'EQUIPMENT_CHECKOUT',
    correlation_id: 'fz',
    replacement_equipment_id: 'BAT-67890',
    incoming_equipment_id: 'BAT-12345',
    incoming_kwh: 4.8,
    outgoing_kwh: 30.4,
  },
  COLLECT_PAYMENT: {
    action: 'COLLECT_PAYMENT',
    correlation_id: 'fz',
    payment_amount: 10,
    payment_method: 'CASH',
    payment_type: 'TOP_UP',
  },
  COMPLETE_SERVICE: {
    action: 'COMPLETE_SERVICE',
    correlation_id: 'fz',
    outgoing_battery_id: 'BAT-67890',
    payment_occurred: false,
    attendant_id: 'ATT-001',
    attendant_station: 'STATION_XYZ',
  },
  REPORT_ATTENDANT_ACTIVITY: {
    action: 'REPORT_ATTENDANT_ACTIVITY',
    correlation_id: 'fz',
    activity_type: 'NOTE',
    details: { door: 'open' },
  },
  CONFIRM_PAYMENT: {
    action: 'CONFIRM_PAYMENT',
    correlation_id: 'fz',
    payment_receipt_id: 'RCPT-FZ',
    amount: 8,
    currency: 'USD',
    payment_method: 'MPESA',
    payment_type: 'TOP_UP',
  },
  REPORT_BATTERY_LOST: {
    action: 'REPORT_BATTERY_LOST',
    correlation_id: 'fz',
    asset_id: 'BAT-12345',
    requested_by: 'OPS-1',
    reason: 'stolen',
  },
  RECOVER_BATTERY: {
    action: 'RECOVER_BATTERY',
    correlation_id: 'fz',
    asset_id: 'BAT-12345',
    station_id: 'STATION_XYZ',
  },
  SUSPEND_PLAN: { action: 'SUSPEND_PLAN', correlation_id: 'fz', requested_by: 'OPS-1', reason: 'unpaid' },
  RESUME_PLAN: { action: 'RESUME_PLAN', correlation_id: 'fz', requested_by: 'OPS-1' },
  CLOSE_PLAN: { action: 'CLOSE_PLAN', correlation_id: 'fz', reason: 'customer left' },
};

export interface Target {
  topic: string;
  action: string;
}

/** Every request topic of the contract, in both verbs where the contract has them. */
export const TARGETS: Target[] = [
  ...Object.entries(ATTENDANT_OPERATIONS).flatMap(([op, action]) => [
    { topic: `call/uxi/attendant/plan/${PLAN}/${op}`, action },
    { topic: `emit/uxi/attendant/plan/${PLAN}/${op}`, action },
  ]),
  ...Object.entries(BILLING_OPERATIONS).map(([op, action]) => ({
    topic: `call/odoo/billing/plan/${PLAN}/${op}`,
    action,
  })),
  // The operator's lifecycle operations (call only: swapd does not subscribe to emit/ops/).
  ...Object.entries(OPS_OPERATIONS).map(([op, action]) => ({ topic: `call/ops/plan/${PLAN}/${op}`, action })),
];

const badText = fc.oneof(
  fc.string().map((s) => `${s}\u0000${s}`),
  fc.string().map((s) => `${s}\ud800`),
  fc.string().map((s) => `\udc00${s}`),
  fc.constant('x'.repeat(2100)),
  // Over max_payload_bytes (64 KiB) yet within the broker's packet limit: refused as MALFORMED_PAYLOAD.
  fc.constant('x'.repeat(66_000)),
);

/** JSON text nested `depth` levels (objects or arrays), built as text: no recursion anywhere. */
function deepText(depth: number, arrays: boolean): string {
  return arrays
    ? `${'['.repeat(depth)}"x"${']'.repeat(depth)}`
    : `${'{"d":'.repeat(depth)}"x"${'}'.repeat(depth)}`;
}

/** A value given as JSON text. */
type Raw = { raw: string };

/** A value no field of any request schema accepts, as JSON text. */
const badValue: fc.Arbitrary<Raw> = fc.oneof(
  badText.map((t) => ({ raw: JSON.stringify(t) })),
  fc.array(fc.jsonValue(), { maxLength: 3 }).map((a) => ({ raw: JSON.stringify(a) })),
  fc
    .tuple(fc.integer({ min: 9, max: 5000 }), fc.boolean())
    .map(([d, arrays]) => ({ raw: deepText(d, arrays) })),
  fc.constantFrom('-1e-300', '-1', '1e308', '1e999', '-1e999').map((raw) => ({ raw })),
);

/** A document with one member's value given as raw JSON text. */
const withMember = (doc: Record<string, unknown>, member: string, value: Raw) =>
  JSON.stringify({ ...doc, [member]: '__RAW__' }).replace('"__RAW__"', () => value.raw);

const toText = (value: unknown) => JSON.stringify(value);

/** One broken request for `action`, as payload bytes. */
export function brokenRequest(action: string): fc.Arbitrary<string | Buffer> {
  const valid = VALID[action] as Record<string, unknown>;
  const fields = Object.keys(valid).filter((f) => f !== 'action');
  const other = Object.keys(VALID).filter((a) => a !== action);
  const broken = fc.tuple(fc.constantFrom(...fields), badValue).map(([f, v]) => withMember(valid, f, v));
  const envelope = { plan_id: PLAN, correlation_id: 'fz-env', actor: { type: 'attendant', id: 'A' } };
  return fc.oneof(
    // A field given a value no schema accepts: NUL, lone surrogates, long text, arrays, deep nesting,
    // numbers out of range or infinite.
    broken,
    // An unknown field.
    fc
      .tuple(fc.string({ minLength: 1 }), fc.jsonValue())
      .map(([k, v]) => toText({ ...valid, [`x-${k}`]: v })),
    // The payload names another action or another plan than its topic.
    fc.constantFrom(...other).map((a) => toText({ ...VALID[a], correlation_id: 'fz-mismatch' })),
    fc.string({ minLength: 1 }).map((p) => toText({ ...valid, plan_id: `other-${p}` })),
    // Not JSON, or not an object.
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.concat([Buffer.from('\u0000'), Buffer.from(b)])),
    fc.nat({ max: 40 }).map((cut) => toText(valid).slice(0, cut)),
    fc.oneof(fc.array(fc.jsonValue()), fc.string(), fc.double(), fc.constant(null)).map((v) => toText(v)),
    // Deep nesting as the whole payload, in the envelope's actor, or in its data.
    fc.integer({ min: 100, max: 20000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`),
    broken.map((data) => withMember(envelope, 'data', { raw: data })),
    fc
      .tuple(fc.integer({ min: 5, max: 3000 }), fc.boolean())
      .map(([d, arrays]) => withMember({ ...envelope, data: valid }, 'actor', { raw: deepText(d, arrays) })),
  );
}
