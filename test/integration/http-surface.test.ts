import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, seed } from '../builders/plans.js';
import { httpRequest, rawHttp } from '../harness/raw-http.js';
import { startStation, type TestStation } from '../harness/station.js';

/** The operator HTTP surface answers every request, however malformed, and the process stays up. */
describe('HTTP request parsing is total', () => {
  let station: TestStation;
  let port: number;

  beforeAll(async () => {
    station = await startStation({
      db: 'postgres',
      broker: 'aedes',
      overrides: {
        roles: ['agent', 'station'],
        station: { simulator: true, simulator_slots: 2, simulator_port: 0 },
      },
    });
    port = station.swapd.httpPort;
  });
  afterAll(() => station?.close());

  // Operator routes need the ops token: with it, the answer is the route's own.
  const get = (target: string) =>
    rawHttp(port, httpRequest('GET', target, undefined, [`Authorization: Bearer ${station.swapd.opsToken}`]));

  it.each([
    ['/api/v1/assets/%/telemetry/latest', 400],
    ['/api/v1/assets/%E0%A4%A/telemetry/latest', 400],
    ['/api/v1/assets/%zz/telemetry/latest', 400],
    ['/api/v1/assets/%00/telemetry/latest', 400],
    ['/api/v1/assets/%ED%A0%80/telemetry/latest', 400],
    ['/api/v1/assets//telemetry/latest', 400],
    ['/api/v1/assets/NO-SUCH-BATTERY/telemetry/latest', 404],
    ['//', 404],
    ['*', 400],
    ['http://example.com/health', 400],
    ['/health?%', 200],
    ['/%', 404],
  ])('GET %s → %i', async (target, status) => {
    expect(await get(target)).toBe(status);
    expect(await get('/health')).toBe(200);
  });

  it('a wrong method on a known path → 405', async () => {
    expect(await rawHttp(port, httpRequest('DELETE', '/health'))).toBe(405);
  });

  it('a body declared larger than the limit → 413 before it is read', async () => {
    const head = [
      'POST /api/v1/ops/plans HTTP/1.1',
      'Host: 127.0.0.1',
      `Authorization: Bearer ${station.swapd.opsToken}`,
      'Content-Type: application/json',
      `Content-Length: ${50 * 1024 * 1024}`,
    ].join('\r\n');
    expect(await rawHttp(port, `${head}\r\n\r\n{"plans": [`)).toBe(413);
  });

  it('a chunked body that grows past the limit → 413', async () => {
    const head = [
      'POST /api/v1/ops/plans HTTP/1.1',
      'Host: 127.0.0.1',
      `Authorization: Bearer ${station.swapd.opsToken}`,
      'Transfer-Encoding: chunked',
    ].join('\r\n');
    const chunk = 'x'.repeat(256 * 1024);
    const chunks = Array.from({ length: 6 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
    expect(await rawHttp(port, `${head}\r\n\r\n${chunks}`)).toBe(413);
  });

  it('a body that is not JSON → 400; without the token → 401', async () => {
    const auth = [`Authorization: Bearer ${station.swapd.opsToken}`];
    expect(await rawHttp(port, httpRequest('POST', '/api/v1/ops/plans', '{"plans": [', auth))).toBe(400);
    expect(await rawHttp(port, httpRequest('POST', '/api/v1/ops/plans', '{}'))).toBe(401);
  });

  it.each([
    ['an unknown field', '{"a": 1}', 'p-unknown'],
    ['a reason that is not text', '{"reason": 5}', 'p-number'],
    ['a NUL in the requester', '{"requested_by": "ops\\u0000"}', 'p-nul'],
    ['an array', '[]', 'p-array'],
  ])(
    'a lifecycle body with %s → 400 SCHEMA_VIOLATION; the plan is not suspended',
    async (_what, body, id) => {
      const plan = aKenyaPlan((p) => {
        p.planId = `plan-${id}`;
        p.currentAsset = null;
      });
      await seed(station.db, [plan], []);
      const auth = [`Authorization: Bearer ${station.swapd.opsToken}`];
      const target = `/api/v1/ops/plans/${plan.plan_id}/suspend_plan`;
      expect(await rawHttp(port, httpRequest('POST', target, body, auth))).toBe(400);
      const row = await station.db
        .selectFrom('plans')
        .select('status')
        .where('plan_id', '=', plan.plan_id)
        .executeTakeFirstOrThrow();
      expect(row.status).toBe('ACTIVE');
      expect(await rawHttp(port, httpRequest('POST', target, '{"reason": "card lost"}', auth))).toBe(200);
      const after = await station.db
        .selectFrom('plans')
        .select('status')
        .where('plan_id', '=', plan.plan_id)
        .executeTakeFirstOrThrow();
      expect(after.status).toBe('SUSPENDED');
      await rawHttp(port, httpRequest('POST', `/api/v1/ops/plans/${plan.plan_id}/resume_plan`, '{}', auth));
    },
  );

  it('bytes that are not HTTP → 400, and the server goes on', async () => {
    expect(await rawHttp(port, 'GARBAGE\r\n\r\n')).toBe(400);
    expect(await rawHttp(port, Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]))).toBe(400);
    expect(await get('/health')).toBe(200);
  });
});
