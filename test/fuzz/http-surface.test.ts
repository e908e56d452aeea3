import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, batteries, seed } from '../builders/plans.js';
import { snapshot } from '../harness/db-snapshot.js';
import { rawHttp } from '../harness/raw-http.js';
import { startStation, type TestStation } from '../harness/station.js';

const PIECES = [
  'api',
  'v1',
  'assets',
  'telemetry',
  'latest',
  'ops',
  'plans',
  'health',
  'metrics',
  'BAT-67890',
];
const ODD = [
  '%',
  '%%',
  '%zz',
  '%E0%A4%A',
  '%ED%A0%80',
  '%00',
  '%2F',
  '%C0%AF',
  '..',
  '.',
  '',
  ' ',
  '?',
  '#',
  'é',
  '\u0000',
];

const segment = fc.oneof(
  fc.constantFrom(...PIECES),
  fc.constantFrom(...ODD),
  fc.string({ maxLength: 12 }),
  fc.array(fc.constantFrom(...PIECES, ...ODD), { minLength: 1, maxLength: 4 }).map((p) => p.join('')),
);
const target = fc.oneof(
  fc.array(segment, { minLength: 0, maxLength: 7 }).map((s) => `/${s.join('/')}`),
  fc.constantFrom('*', '//', 'http://x/health', '/health?%', '/health#x', `/${'a/'.repeat(3000)}`),
);
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'BREW');
const body = fc.oneof(
  fc.constant(''),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ maxLength: 200 }),
  fc.integer({ min: 1, max: 5000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`),
);

/** Statuses the operator surface may answer with; 500 (a defect) and no answer at all are failures. */
const ALLOWED = [200, 201, 400, 401, 404, 405, 409, 413];

/** Property: any HTTP request gets exactly one answer, never a 500; swapd stays up; nothing changes. */
describe('fuzzing the operator HTTP surface (aedes + postgres)', () => {
  let station: TestStation;
  let before: Record<string, unknown[]>;

  beforeAll(async () => {
    station = await startStation({
      db: 'postgres',
      broker: 'aedes',
      overrides: {
        roles: ['agent', 'station'],
        station: { simulator: true, simulator_slots: 2, simulator_port: 0 },
      },
    });
    await seed(station.db, [aKenyaPlan()], batteries(['BAT-67890']));
    before = await snapshot(station.db);
  });
  afterAll(() => station?.close());

  it('every request is answered once with a status the surface defines', async () => {
    await fc.assert(
      fc.asyncProperty(method, target, body, fc.boolean(), async (m, t, b, withToken) => {
        const lines = [`${m} ${t} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
        if (withToken) lines.push(`Authorization: Bearer ${station.swapd.opsToken}`);
        if (b) lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(b)}`);
        const status = await rawHttp(station.swapd.httpPort, `${lines.join('\r\n')}\r\n\r\n${b}`);
        expect(ALLOWED).toContain(status);
      }),
      { numRuns: 150 },
    );
  });

  it('after all of it: the database is as it was and /health says 200', async () => {
    expect(await snapshot(station.db)).toEqual(before);
    expect((await fetch(`http://127.0.0.1:${station.swapd.httpPort}/health`)).status).toBe(200);
  });
});
