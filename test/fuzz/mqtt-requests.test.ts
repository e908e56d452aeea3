import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, batteries, seed } from '../builders/plans.js';
import { snapshot } from '../harness/db-snapshot.js';
import { startStation, type TestStation, waitForOutboxDrained } from '../harness/station.js';
import { brokenRequest, PLAN, TARGETS } from './hostile-payloads.js';

/** Failures a refused request may carry; INTERNAL_ERROR (a defect) and SERVICE_UNAVAILABLE are not among them. */
const REFUSALS = ['MALFORMED_PAYLOAD', 'SCHEMA_VIOLATION', 'TOPIC_MISMATCH', 'INVALID_VALUE'];

/**
 * Property: over every request topic, a hostile payload gets exactly one answer, a refusal; swapd stays
 * up; the database does not change. Requests go one at a time so that each answer is attributable.
 */
describe('fuzzing every request topic (aedes + postgres)', () => {
  let station: TestStation;
  let before: Record<string, unknown[]>;

  beforeAll(async () => {
    station = await startStation({
      db: 'postgres',
      broker: 'aedes',
      overrides: { max_payload_bytes: 65536 },
    });
    await seed(station.db, [aKenyaPlan()], batteries(['BAT-67890']));
    await waitForOutboxDrained(station);
    before = await snapshot(station.db);
  });
  afterAll(() => station?.close());

  const answers = () => station.requester.received.filter((r) => /^(rtrn|echo)\//.test(r.topic));

  async function sendOne(topic: string, payload: string | Buffer) {
    const count = answers().length;
    await station.requester.client.publishAsync(topic, payload, { qos: 1 });
    const deadline = Date.now() + 5000;
    while (answers().length === count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    // A second answer to the same request would arrive right behind the first.
    await new Promise((r) => setTimeout(r, 15));
    return answers().slice(count);
  }

  it.each(TARGETS)('$topic: one refusal per hostile request', async ({ topic, action }) => {
    await fc.assert(
      fc.asyncProperty(brokenRequest(action), async (payload) => {
        const got = await sendOne(topic, payload);
        expect(got).toHaveLength(1);
        const raw = got[0]!.body;
        // The envelope's answer carries the flat fields under data.
        const body = ('actor' in raw ? { ...(raw.data as object), plan_id: raw.plan_id } : raw) as {
          success: boolean;
          plan_id: string;
          error?: { code: string };
        };
        expect(body.success).toBe(false);
        expect(body.plan_id).toBe(PLAN);
        expect(REFUSALS).toContain(body.error?.code);
      }),
      { numRuns: 12 },
    );
  });

  it('after all of it: the database is as it was, and swapd still answers and reports healthy', async () => {
    expect(await snapshot(station.db)).toEqual(before);
    const ok = await station.requester.call(PLAN, 'identify_customer', {
      action: 'IDENTIFY_CUSTOMER',
      correlation_id: 'after-fuzz',
    });
    expect(ok.success).toBe(true);
    expect((await fetch(`http://127.0.0.1:${station.swapd.httpPort}/health`)).status).toBe(200);
  });
});
