import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/adapters/db/connect.js';
import { migrateToLatest } from '../../src/adapters/db/migrate.js';
import { createSafetyJournalRepo } from '../../src/adapters/db/safety-journal.repo.js';
import { silentLogger } from '../../src/log.js';
import { AuditPruner } from '../../src/runtime/audit-pruner.js';
import { SafetyJournal } from '../../src/runtime/safety-journal.js';
import { Spec003Validator } from '../../src/validation/spec003/spec003-validator.js';
import { ManualClock } from '../harness/clock.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

/** The guard's journal on Postgres: events validated into the outbox with their audit rows; 90-day pruning. */
describe('safety journal and audit pruning (postgres)', () => {
  let pg: TestDatabase;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    pg = await createTestDatabase();
    handle = await openDatabase({ url: pg.url, dataDir: '.', poolSize: 2 });
    await migrateToLatest(handle.db);
  });

  afterAll(async () => {
    await handle?.close();
    await pg?.drop();
  });

  const payload = {
    event_type: 'SAFE_STATE_ENTERED' as const,
    trigger_condition: 'SAFETY_TEMP_CRITICAL_HIGH: temperature at or above T_MAX_HIGH',
    soc_pct: 61,
    temperature_c: 70,
    alarm_code: 4,
    action_taken: 'safe command (0 kW, idle) written',
    resolution_required: true,
    device_id: 'slot-2',
    reasons: ['SAFETY_TEMP_CRITICAL_HIGH' as const],
    reading_available: true,
  };

  it('queues a valid safety_event at QoS 1 on bessai/{site}/safety_event with its audit row, in one flush', async () => {
    let kicked = 0;
    const journal = new SafetyJournal(createSafetyJournalRepo(handle.db), {
      siteId: 'SITE-KE-001',
      gatewayVersion: '0.1.0',
      validator: new Spec003Validator(),
      log: silentLogger(),
      onEventsQueued: () => kicked++,
    });
    const at = new Date('2026-03-01T08:00:00Z');
    expect(journal.event(payload, at)).toBe(true);
    journal.audit({
      at,
      kind: 'safety_block',
      requester: null,
      subject: 'slot-2',
      tag: null,
      value: null,
      decision: 'SAFE_STATE_ENTERED',
      details: { reasons: ['SAFETY_TEMP_CRITICAL_HIGH'] },
    });
    await journal.flush();
    expect(kicked).toBe(1);
    expect(journal.pending).toBe(0);
    const outbox = await handle.db.selectFrom('outbox').select(['topic', 'payload', 'qos']).execute();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ topic: 'bessai/SITE-KE-001/safety_event', qos: 1 });
    expect(JSON.parse(outbox[0]!.payload)).toEqual({
      schema_version: '1.0',
      message_type: 'safety_event',
      site_id: 'SITE-KE-001',
      gateway_version: '0.1.0',
      timestamp: '2026-03-01T08:00:00.000Z',
      payload,
    });
    const events = await handle.db.selectFrom('events').select(['event_type', 'plan_id']).execute();
    expect(events).toEqual([{ event_type: 'SAFE_STATE_ENTERED', plan_id: null }]);
  });

  it('refuses to queue an event that fails the schema, and keeps records while the database is down', async () => {
    const failing = {
      append: async () => Promise.reject(new Error('database down')),
      pruneAuditBefore: async () => 0,
      openLatches: async () => [],
    };
    const journal = new SafetyJournal(failing, {
      siteId: 'SITE-KE-001',
      gatewayVersion: '0.1.0',
      validator: new Spec003Validator(),
      log: silentLogger(),
    });
    expect(
      journal.event(
        { ...payload, soc_pct: Number.NaN as unknown as number, event_type: 'NOPE' as never },
        new Date(),
      ),
    ).toBe(false);
    expect(journal.invalid).toBe(1);
    expect(journal.event(payload, new Date())).toBe(true);
    await journal.flush();
    expect(journal.pending).toBe(1);
  });

  it('prunes audit rows older than 90 days, and only those', async () => {
    const clock = new ManualClock('2026-06-01T00:00:00Z');
    const day = 86_400_000;
    const rows = [91, 90.5, 89, 1].map((ago) => ({
      at: new Date(clock.now().getTime() - ago * day),
      kind: 'safety_write',
      requester: null,
      subject: `aged-${ago}`,
      tag: 'P_setpoint_kW',
      value: '-2.5',
      decision: 'written',
      details: '{}',
    }));
    await handle.db.insertInto('audit_log').values(rows).execute();
    const pruner = new AuditPruner(createSafetyJournalRepo(handle.db), clock, silentLogger());
    // 91 and 90.5 days old, and the block row of 1 March written above (92 days).
    expect(await pruner.prune()).toBe(3);
    const left = await handle.db
      .selectFrom('audit_log')
      .select('subject')
      .where('subject', 'like', 'aged-%')
      .execute();
    expect(left.map((r) => r.subject).sort()).toEqual(['aged-1', 'aged-89']);
  });
});
