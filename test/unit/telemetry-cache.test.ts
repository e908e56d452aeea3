import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SiteMessage } from '../../src/ports/telemetry.js';
import { parseSpec003Topic, Spec003Routes } from '../../src/runtime/telemetry/ingest-check.js';
import { measuredMsOf, ReceivedTelemetry } from '../../src/runtime/telemetry/received-telemetry.js';
import { TelemetryCache } from '../../src/runtime/telemetry/telemetry-cache.js';
import type { Spec003Envelope } from '../../src/validation/spec003/spec003-validator.js';

const T0 = Date.parse('2026-12-03T10:00:00.000Z');

function reading(assetId: string, measuredMs: number, soc = 50): ReceivedTelemetry {
  const text = JSON.stringify({
    schema_version: '1.0',
    message_type: 'telemetry',
    site_id: 'SITE-KE-001',
    timestamp: new Date(measuredMs).toISOString(),
    payload: { soc_pct: soc, asset_id: assetId },
  });
  return new ReceivedTelemetry({
    assetId,
    siteId: 'SITE-KE-001',
    measuredMs,
    receivedMs: measuredMs + 5,
    text,
  });
}

function site(siteId: string, measuredMs: number): SiteMessage {
  return {
    siteId,
    messageType: 'telemetry',
    measuredAt: new Date(measuredMs),
    message: { site_id: siteId } as unknown as Spec003Envelope,
  };
}

describe('ReceivedTelemetry', () => {
  it('turns its epoch milliseconds into Dates and its text into the message, once each', () => {
    const r = reading('BAT-1', T0, 61);
    expect(r.measuredAt.toISOString()).toBe('2026-12-03T10:00:00.000Z');
    expect(r.receivedAt.getTime()).toBe(T0 + 5);
    expect(r.measuredAt).toBe(r.measuredAt);
    expect(r.message.payload.soc_pct).toBe(61);
    expect(r.message).toBe(r.message);
    expect(measuredMsOf(r)).toBe(T0);
    const stored = { ...site('SITE-KE-001', T0 + 7), assetId: 'BAT-1', receivedAt: new Date(T0) };
    expect(measuredMsOf(stored as never)).toBe(T0 + 7);
  });
});

describe('TelemetryCache', () => {
  it('keeps the newest reading per battery and counts an older one as out of order', () => {
    const cache = new TelemetryCache(10);
    expect(cache.foldAsset(reading('BAT-1', T0 + 1000, 60))).toBe(true);
    expect(cache.foldAsset(reading('BAT-1', T0, 10))).toBe(false);
    expect(cache.asset('BAT-1')?.message.payload.soc_pct).toBe(60);
    // The same instant again is not older: the later arrival wins.
    expect(cache.foldAsset(reading('BAT-1', T0 + 1000, 61))).toBe(true);
    expect(cache.asset('BAT-1')?.message.payload.soc_pct).toBe(61);
    expect(cache.size).toBe(1);
  });

  it('forgets the least recently updated battery first, and says it has forgotten', () => {
    const cache = new TelemetryCache(3);
    for (const id of ['A', 'B', 'C']) cache.foldAsset(reading(id, T0));
    cache.foldAsset(reading('A', T0 + 1)); // A is now the most recently updated
    expect(cache.hasForgotten).toBe(false);
    cache.foldAsset(reading('D', T0));
    expect(cache.hasForgotten).toBe(true);
    expect(cache.size).toBe(3);
    expect(cache.asset('B')).toBeUndefined();
    for (const id of ['A', 'C', 'D']) expect(cache.asset(id)).toBeDefined();
  });

  it('holds one pending entry per battery, the latest, and bounds the pending set', () => {
    const cache = new TelemetryCache(2);
    cache.foldAsset(reading('A', T0, 1));
    cache.foldAsset(reading('A', T0 + 1, 2));
    cache.foldAsset(reading('B', T0, 3));
    expect(cache.pendingCount).toBe(2);
    let batch = cache.takePending();
    expect(batch.assets.map((r) => [r.assetId, r.message.payload.soc_pct])).toEqual([
      ['A', 2],
      ['B', 3],
    ]);
    expect(cache.pendingCount).toBe(0);
    // Written nowhere (database away): the batch goes back, a newer reading of A keeps its place.
    cache.foldAsset(reading('A', T0 + 2, 4));
    cache.restorePending(batch);
    batch = cache.takePending();
    expect(batch.assets.map((r) => [r.assetId, r.message.payload.soc_pct])).toEqual([
      ['A', 4],
      ['B', 3],
    ]);
    for (const id of ['A', 'B', 'C']) cache.foldAsset(reading(id, T0 + 10));
    expect(cache.pendingCount).toBe(2);
    expect(cache.droppedPending).toBe(1);
  });

  it('keeps the newest message per site and type, bounded', () => {
    const cache = new TelemetryCache(2);
    expect(cache.foldSite(site('SITE-KE-001', T0 + 1000))).toBe(true);
    expect(cache.foldSite(site('SITE-KE-001', T0))).toBe(false);
    expect(cache.site('SITE-KE-001', 'telemetry')?.measuredAt.getTime()).toBe(T0 + 1000);
    cache.foldSite(site('SITE-KE-002', T0));
    cache.foldSite(site('SITE-KE-001', T0 + 2000));
    cache.foldSite(site('SITE-KE-003', T0));
    expect(cache.site('SITE-KE-002', 'telemetry')).toBeUndefined();
    expect(cache.sitesOfType('telemetry').map((s) => s.siteId)).toEqual(['SITE-KE-001', 'SITE-KE-003']);
    expect(cache.takePending().sites).toHaveLength(2);
  });

  it('remembers what the database answered without writing it again', () => {
    const cache = new TelemetryCache(5);
    cache.rememberStored('A', null);
    expect(cache.storeHadNone('A')).toBe(true);
    cache.rememberStored('B', reading('B', T0));
    expect(cache.asset('B')).toBeDefined();
    expect(cache.pendingCount).toBe(0);
    cache.foldAsset(reading('A', T0));
    expect(cache.storeHadNone('A')).toBe(false);
    // An older stored row never replaces a newer reading held.
    cache.rememberStored('A', reading('A', T0 - 1000, 99));
    expect(cache.asset('A')?.message.payload.soc_pct).toBe(50);
  });
});

describe('Spec003Routes', () => {
  it('answers as parseSpec003Topic does, for any topic, and stays bounded', () => {
    const routes = new Spec003Routes(8);
    const topic = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc
        .tuple(
          fc.constantFrom('bessai', 'other', ''),
          fc.string({ maxLength: 12 }),
          fc.string({ maxLength: 12 }),
        )
        .map((parts) => parts.join('/')),
    );
    fc.assert(
      fc.property(fc.array(topic, { maxLength: 30 }), (topics) => {
        for (const t of [...topics, ...topics]) expect(routes.of(t)).toEqual(parseSpec003Topic(t));
      }),
    );
    expect(routes.of('bessai/SITE-KE-001/telemetry')).toEqual({
      siteId: 'SITE-KE-001',
      messageType: 'telemetry',
    });
    expect(routes.of('bessai/SITE-KE-001/telemetry/extra')).toBeNull();
  });
});
