import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, batteries, seed, seedCheckout } from '../builders/plans.js';
import { snapshot } from '../harness/db-snapshot.js';
import { MATRIX, startStation, type TestStation, waitForOutboxDrained } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';
const CHECKOUT = `call/uxi/attendant/plan/${PLAN}/equipment_checkout`;

/** SPEC §2.2, row by row: each bad input gets its code, and the database stays exactly as it was. */
describe.each(MATRIX)('bad input over $name', ({ db, broker }) => {
  let station: TestStation;
  let before: Record<string, unknown[]>;

  beforeAll(async () => {
    station = await startStation({ db, broker, overrides: { max_payload_bytes: 2048 } });
    await seed(station.db, [aKenyaPlan()], batteries(['BAT-67890']));
    // The replay rows need a first, applied request.
    const first = await station.requester.call(PLAN, 'equipment_checkout', seedCheckout('used-once'));
    expect(first.success).toBe(true);
    await waitForOutboxDrained(station);
    before = await snapshot(station.db);
  });
  afterAll(() => station?.close());

  async function expectUnchanged() {
    expect(await snapshot(station.db)).toEqual(before);
  }

  async function send(
    topic: string,
    payload: string | Record<string, unknown>,
    correlationId: string | null,
  ) {
    return (await station.requester.request(topic, payload, correlationId)).body;
  }

  it('not JSON → VALIDATION_FAILED / MALFORMED_PAYLOAD, correlation_id null', async () => {
    const res = await send(CHECKOUT, '{"action": "EQUIPMENT_CHECKOUT", ', null);
    expect(res).toMatchObject({ success: false, signals: ['VALIDATION_FAILED'], correlation_id: null });
    expect((res.error as { code: string }).code).toBe('MALFORMED_PAYLOAD');
    await expectUnchanged();
  });

  it('not an object → MALFORMED_PAYLOAD', async () => {
    const res = await send(CHECKOUT, '[1,2,3]', null);
    expect((res.error as { code: string }).code).toBe('MALFORMED_PAYLOAD');
    await expectUnchanged();
  });

  it('over the size limit → MALFORMED_PAYLOAD', async () => {
    const res = await send(
      CHECKOUT,
      JSON.stringify(seedCheckout('big', { padding: 'x'.repeat(4096) })),
      null,
    );
    expect((res.error as { code: string; message: string }).code).toBe('MALFORMED_PAYLOAD');
    await expectUnchanged();
  });

  it('fails the schema → SCHEMA_VIOLATION with every error and its path', async () => {
    const res = await send(
      CHECKOUT,
      seedCheckout('bad-schema', { outgoing_kwh: -3, incoming_kwh: 'four', extra: 1 }),
      'bad-schema',
    );
    const error = res.error as { code: string; details: { path: string; message: string }[] };
    expect(res.signals).toEqual(['VALIDATION_FAILED']);
    expect(error.code).toBe('SCHEMA_VIOLATION');
    const paths = error.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['/outgoing_kwh', '/incoming_kwh', '/extra']));
    await expectUnchanged();
  });

  it('a missing required field → SCHEMA_VIOLATION naming it', async () => {
    const { replacement_equipment_id: _gone, ...rest } = seedCheckout('missing');
    const res = await send(CHECKOUT, rest, 'missing');
    const error = res.error as { code: string; details: { path: string }[] };
    expect(error.code).toBe('SCHEMA_VIOLATION');
    expect(error.details.map((d) => d.path)).toContain('/replacement_equipment_id');
    await expectUnchanged();
  });

  it('action differs from the topic → TOPIC_MISMATCH', async () => {
    const res = await send(
      CHECKOUT,
      seedCheckout('mismatch-1', { action: 'COMPLETE_SERVICE' }),
      'mismatch-1',
    );
    expect(res.signals).toEqual(['VALIDATION_FAILED']);
    expect((res.error as { code: string }).code).toBe('TOPIC_MISMATCH');
    await expectUnchanged();
  });

  it('plan_id differs from the topic → TOPIC_MISMATCH', async () => {
    const res = await send(CHECKOUT, seedCheckout('mismatch-2', { plan_id: 'someone-else' }), 'mismatch-2');
    expect((res.error as { code: string }).code).toBe('TOPIC_MISMATCH');
    await expectUnchanged();
  });

  it('unknown operation → UNKNOWN_ACTION', async () => {
    const res = await send(
      `call/uxi/attendant/plan/${PLAN}/teleport_battery`,
      { action: 'TELEPORT', correlation_id: 'u-1' },
      'u-1',
    );
    expect(res.signals).toEqual(['UNKNOWN_ACTION']);
    expect((res.error as { code: string }).code).toBe('UNKNOWN_ACTION');
    await expectUnchanged();
  });

  it('unknown plan → SERVICE_PLAN_NOT_FOUND', async () => {
    const res = await send(
      'call/uxi/attendant/plan/no-such-plan/equipment_checkout',
      seedCheckout('nf-1'),
      'nf-1',
    );
    expect(res.signals).toEqual(['SERVICE_PLAN_NOT_FOUND']);
    await expectUnchanged();
  });

  it('same correlation_id, same payload → the original answer again, IDEMPOTENT_OPERATION_DETECTED, replayed', async () => {
    const res = await send(CHECKOUT, seedCheckout('used-once'), 'used-once');
    expect(res.replayed).toBe(true);
    expect(res.signals).toEqual([
      'QUOTA_AVAILABLE',
      'EQUIPMENT_CHECKOUT_SUCCESS',
      'IDEMPOTENT_OPERATION_DETECTED',
    ]);
    await expectUnchanged();
  });

  it('same correlation_id, different payload → IDEMPOTENCY_CONFLICT', async () => {
    const res = await send(CHECKOUT, seedCheckout('used-once', { outgoing_kwh: 31 }), 'used-once');
    expect(res.signals).toEqual(['IDEMPOTENCY_CONFLICT']);
    await expectUnchanged();
  });

  it('kWh above the battery capacity + 10 % → VALIDATION_FAILED / INVALID_VALUE', async () => {
    const res = await send(
      CHECKOUT,
      seedCheckout('too-much', {
        incoming_equipment_id: 'BAT-67890',
        replacement_equipment_id: 'BAT-12345',
        outgoing_kwh: 35.3,
      }),
      'too-much',
    );
    expect(res.signals).toEqual(['VALIDATION_FAILED']);
    const error = res.error as { code: string; details: { path: string }[] };
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.details[0]!.path).toBe('/outgoing_kwh');
    await expectUnchanged();
  });

  it.runIf(db === 'postgres')(
    'database down → SERVICE_UNAVAILABLE, retryable; the same request succeeds once it is back',
    async () => {
      await station.pg!.takeDown();
      const request = seedCheckout('during-outage', {
        incoming_equipment_id: 'BAT-67890',
        replacement_equipment_id: 'BAT-12345',
      });
      try {
        const res = await send(CHECKOUT, request, 'during-outage');
        expect(res.signals).toEqual(['SERVICE_UNAVAILABLE']);
        expect(res.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
      } finally {
        await station.pg!.bringUp();
      }
      await expectUnchanged();
      const retry = await send(CHECKOUT, request, 'during-outage');
      expect(retry.success).toBe(true);
    },
  );
});
