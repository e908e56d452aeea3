import fc from 'fast-check';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/adapters/db/connect.js';
import { migrateToLatest } from '../../src/adapters/db/migrate.js';
import { createTelemetryRepo } from '../../src/adapters/db/telemetry.repo.js';
import { silentLogger } from '../../src/log.js';
import type { BrokerClient } from '../../src/ports/broker.js';
import type { TelemetryRejection } from '../../src/runtime/telemetry/ingest-check.js';
import { TelemetryCache } from '../../src/runtime/telemetry/telemetry-cache.js';
import { TelemetryIngest } from '../../src/runtime/telemetry/telemetry-ingest.js';
import { TelemetryMetrics } from '../../src/runtime/telemetry/telemetry-metrics.js';
import { TelemetryWriter } from '../../src/runtime/telemetry/telemetry-writer.js';
import { Spec003Validator } from '../../src/validation/spec003/spec003-validator.js';
import { batteryTelemetry } from '../builders/spec003.js';
import { ManualClock } from '../harness/clock.js';
import { ManualScheduler } from '../harness/manual-scheduler.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

const ALLOWED = ['SITE-KE-001', 'SITE-KE-002'];
const OTHER = ['SITE-UG-001', 'SITE-TG-042'];
const MAX_BYTES = 4096;

type Outcome = 'accepted' | TelemetryRejection;
interface Case {
  topic: string;
  payload: Buffer;
  expected: Outcome;
  assetId?: string;
}

/** The ingest only listens; publishing is never asked of it. */
const listeningBroker: BrokerClient = {
  connected: true,
  subscribe: async () => undefined,
  publish: () => Promise.reject(new Error('the ingest does not publish')),
  onConnectionChange: () => undefined,
  close: async () => undefined,
};

const clock = new ManualClock('2026-03-01T10:00:00Z');
const assetId = fc.stringMatching(/^BAT-[0-9A-F]{1,6}$/);
const site = fc.constantFrom(...ALLOWED);
const pastOffsetMs = fc.integer({ min: 0, max: 86_400_000 });

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const topicOf = (siteId: string) => `bessai/${siteId}/telemetry`;

const valid = fc
  .record({ site, assetId, energy: fc.double({ min: 0, max: 40, noNaN: true }), ago: pastOffsetMs })
  .map(({ site: s, assetId: id, energy, ago }): Case => {
    const message = batteryTelemetry(s, id, energy, new Date(clock.now().getTime() - ago), {
      soc_pct: Math.min(100, (energy / 40) * 100),
    });
    return { topic: topicOf(s), payload: json(message), expected: 'accepted', assetId: id };
  });

const wrongSite = fc.record({ s: fc.constantFrom(...OTHER), id: assetId }).map(
  ({ s, id }): Case => ({
    topic: topicOf(s),
    payload: json(batteryTelemetry(s, id, 10, clock.now())),
    expected: 'TELEMETRY_SITE_NOT_ALLOWED',
  }),
);

const future = fc.record({ s: site, id: assetId, ahead: fc.integer({ min: 301, max: 10_000_000 }) }).map(
  ({ s, id, ahead }): Case => ({
    topic: topicOf(s),
    payload: json(batteryTelemetry(s, id, 10, new Date(clock.now().getTime() + ahead * 1000))),
    expected: 'TELEMETRY_FUTURE_TIMESTAMP',
  }),
);

const badValue = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.integer({ min: 100_001, max: 1e9 }).map((n) => n + 0.5),
);
const wrongTyped = fc
  .record({
    s: site,
    id: assetId,
    field: fc.constantFrom(
      'soc_pct',
      'power_kw',
      'temperature_c',
      'mode',
      'alarm_code',
      'energy_kwh',
      'slot',
    ),
    value: badValue,
  })
  .filter(({ field, value }) => !(field === 'power_kw' && typeof value === 'number'))
  .map(({ s, id, field, value }): Case => {
    const message = batteryTelemetry(s, id, 10, clock.now(), { [field]: value });
    return { topic: topicOf(s), payload: json(message), expected: 'TELEMETRY_SCHEMA_VIOLATION' };
  });

const randomObject = fc
  .dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 })
  .map(
    (o): Case => ({ topic: topicOf(ALLOWED[0]!), payload: json(o), expected: 'TELEMETRY_SCHEMA_VIOLATION' }),
  );

function parsesToObject(bytes: Uint8Array): boolean {
  try {
    const v: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}
const malformed = fc
  .oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc
      .jsonValue({ maxDepth: 4 })
      .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))
      .map((v) => json(v)),
    fc.constant(Buffer.from('{"schema_version":"1.0",')),
    fc.constant(Buffer.from(`${'['.repeat(3000)}${']'.repeat(3000)}`.slice(0, MAX_BYTES))),
  )
  .filter((bytes) => bytes.length <= MAX_BYTES && !parsesToObject(bytes))
  .map(
    (bytes): Case => ({
      topic: topicOf(ALLOWED[1]!),
      payload: Buffer.from(bytes),
      expected: 'TELEMETRY_MALFORMED',
    }),
  );

const oversized = fc
  .record({ s: site, id: assetId, pad: fc.integer({ min: MAX_BYTES, max: 4 * MAX_BYTES }) })
  .map(
    ({ s, id, pad }): Case => ({
      topic: topicOf(s),
      payload: json(batteryTelemetry(s, id, 10, clock.now(), { driver_source: 'x'.repeat(pad) })),
      expected: 'TELEMETRY_OVERSIZED',
    }),
  );

const misrouted = fc.record({ s: site, id: assetId }).map(
  ({ s, id }): Case => ({
    topic: topicOf(s === ALLOWED[0] ? ALLOWED[1]! : ALLOWED[0]!),
    payload: json(batteryTelemetry(s, id, 10, clock.now())),
    expected: 'TELEMETRY_TOPIC_MISMATCH',
  }),
);

const anyCase = fc.oneof(
  valid,
  valid,
  wrongSite,
  future,
  wrongTyped,
  randomObject,
  malformed,
  oversized,
  misrouted,
);

describe('SPEC-003 ingest under fuzzed input (fast-check)', () => {
  let pg: TestDatabase;
  let database: DatabaseHandle;
  const registry = new Registry();
  const metrics = new TelemetryMetrics(registry);
  const validator = new Spec003Validator();
  const cache = new TelemetryCache(100_000);
  const ingest = new TelemetryIngest({
    broker: listeningBroker,
    cache,
    validator,
    clock,
    metrics,
    log: silentLogger(),
    rules: { maxBytes: MAX_BYTES, sites: new Set(ALLOWED), maxFutureSkewMs: 300_000 },
  });
  const expected = new Map<Outcome, number>();
  const acceptedAssets = new Set<string>();

  beforeAll(async () => {
    pg = await createTestDatabase();
    database = await openDatabase({ url: pg.url, dataDir: '.' });
    await migrateToLatest(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await pg?.drop();
  });

  it('never throws, and refuses each bad message for its own cause', () => {
    fc.assert(
      fc.property(fc.array(anyCase, { minLength: 1, maxLength: 40 }), (cases) => {
        for (const c of cases) {
          expect(outcomeOf(c)).toBe(c.expected);
          expected.set(c.expected, (expected.get(c.expected) ?? 0) + 1);
          if (c.expected === 'accepted' && c.assetId) acceptedAssets.add(c.assetId);
        }
        expect(ingest.accepted).toBe(expected.get('accepted') ?? 0);
        for (const [cause, n] of expected)
          if (cause !== 'accepted') expect(ingest.rejected.get(cause)).toBe(n);
      }),
      { numRuns: 60 },
    );
  });

  it('counts in /metrics what it refused and accepted', async () => {
    const text = await registry.metrics();
    for (const [cause, n] of expected) {
      if (cause === 'accepted') continue;
      expect(text).toContain(`swapd_telemetry_rejected_total{cause="${cause}"} ${n}`);
    }
    expect(text).toContain(
      `swapd_telemetry_accepted_total{message_type="telemetry"} ${expected.get('accepted')}`,
    );
  });

  it('stores only accepted readings, one per battery, each valid', async () => {
    const store = createTelemetryRepo(database.db);
    const writer = new TelemetryWriter({
      store,
      cache,
      metrics,
      clock,
      scheduler: new ManualScheduler(clock),
      log: silentLogger(),
      options: { intervalMs: 1000, batchRows: 500, retentionMs: 7 * 86_400_000, pruneEveryMs: 60_000 },
    });
    await writer.flush();
    const rows = await database.db.selectFrom('telemetry_latest').select(['asset_id', 'message']).execute();
    expect(rows.length).toBe(acceptedAssets.size);
    for (const row of rows) {
      expect(acceptedAssets.has(row.asset_id)).toBe(true);
      expect(validator.validate(row.message)).toMatchObject({ ok: true });
    }
    const history = await database.db.selectFrom('telemetry_history').select('asset_id').execute();
    expect(history.length).toBe(acceptedAssets.size);
  });

  /** Feeds one message and names the counter that moved (exactly one must). */
  function outcomeOf(c: Case): Outcome | 'none' | 'several' {
    const accepted = ingest.accepted;
    const rejected = new Map(ingest.rejected);
    ingest.accept({ topic: c.topic, payload: c.payload });
    const moved: Outcome[] = [...ingest.rejected]
      .filter(([cause, n]) => n !== (rejected.get(cause) ?? 0))
      .map(([cause]) => cause);
    if (ingest.accepted !== accepted) moved.push('accepted');
    return moved.length === 1 ? moved[0]! : moved.length === 0 ? 'none' : 'several';
  }
});
