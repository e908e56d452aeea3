import { describe, expect, it } from 'vitest';
import type { AssetTelemetry, TelemetryStore } from '../../src/ports/telemetry.js';
import { TelemetryCache } from '../../src/runtime/telemetry/telemetry-cache.js';
import { TelemetryLookup } from '../../src/runtime/telemetry/telemetry-scanner.js';
import { batteryTelemetry } from '../builders/spec003.js';

const SITE = 'SITE-KE-001';

function reading(assetId: string, kwh: number, at: Date): AssetTelemetry {
  const message = batteryTelemetry(SITE, assetId, kwh, at) as unknown as AssetTelemetry['message'];
  return { assetId, siteId: SITE, measuredAt: at, receivedAt: at, message };
}

/** The stored rows of a database that is asked through latestForAsset only; the questions are counted. */
function storeOf(rows: Map<string, AssetTelemetry>) {
  const asked: string[] = [];
  const store = {
    latestForAsset: async (id: string) => {
      asked.push(id);
      return rows.get(id) ?? null;
    },
    storedAssetIds: async (limit: number) => (rows.size > limit ? null : [...rows.keys()]),
  } as unknown as TelemetryStore;
  return { store, asked };
}

describe('latest telemetry of a battery: memory first, the database once per battery', () => {
  it('alone on its stream: asks the database once per battery, a row or none, then answers from memory', async () => {
    const old = reading('BAT-OLD', 12, new Date(Date.now() - 60_000));
    const { store, asked } = storeOf(new Map([['BAT-OLD', old]]));
    const cache = new TelemetryCache(100);
    const lookup = new TelemetryLookup(cache, store, { alwaysAskStore: false });
    expect((await lookup.latest('BAT-OLD'))?.message.payload.energy_kwh).toBe(12);
    expect(await lookup.latest('BAT-NONE')).toBeNull();
    expect((await lookup.latest('BAT-OLD'))?.message.payload.energy_kwh).toBe(12);
    expect(await lookup.latest('BAT-NONE')).toBeNull();
    expect(asked).toEqual(['BAT-OLD', 'BAT-NONE']);
    // A reading ingested later is the answer, without asking again.
    cache.foldAsset(reading('BAT-NONE', 20, new Date()));
    expect((await lookup.latest('BAT-NONE'))?.message.payload.energy_kwh).toBe(20);
    expect(asked).toHaveLength(2);
    // The remembered row is not written again.
    expect(cache.takePending().assets.map((a) => a.assetId)).toEqual(['BAT-NONE']);
  });

  it('knowing the stored batteries from the start, asks only about those', async () => {
    const old = reading('BAT-OLD', 12, new Date(Date.now() - 60_000));
    const { store, asked } = storeOf(new Map([['BAT-OLD', old]]));
    const lookup = new TelemetryLookup(new TelemetryCache(100), store, { alwaysAskStore: false });
    await lookup.warm(100);
    expect(await lookup.latest('BAT-NONE')).toBeNull();
    expect(await lookup.latest('BAT-OTHER')).toBeNull();
    expect((await lookup.latest('BAT-OLD'))?.message.payload.energy_kwh).toBe(12);
    expect((await lookup.latest('BAT-OLD'))?.message.payload.energy_kwh).toBe(12);
    expect(asked).toEqual(['BAT-OLD']);
  });

  it('once memory has forgotten a battery, asks every time (the forgotten one may be stored since)', async () => {
    const { store, asked } = storeOf(new Map());
    const cache = new TelemetryCache(1);
    const lookup = new TelemetryLookup(cache, store, { alwaysAskStore: false });
    await lookup.warm(100);
    cache.foldAsset(reading('BAT-A', 5, new Date()));
    cache.foldAsset(reading('BAT-B', 6, new Date()));
    expect(await lookup.latest('BAT-A')).toBeNull();
    expect(await lookup.latest('BAT-A')).toBeNull();
    expect(asked).toEqual(['BAT-A', 'BAT-A']);
  });

  it('a database that fails is asked again next time, and nothing is remembered', async () => {
    let fail = true;
    let asked = 0;
    const store = {
      latestForAsset: async () => {
        asked++;
        if (fail) throw new Error('connection refused');
        return null;
      },
    } as unknown as TelemetryStore;
    const lookup = new TelemetryLookup(new TelemetryCache(100), store, { alwaysAskStore: false });
    expect(await lookup.latest('BAT-X')).toBeNull();
    fail = false;
    expect(await lookup.latest('BAT-X')).toBeNull();
    expect(await lookup.latest('BAT-X')).toBeNull();
    expect(asked).toBe(2);
  });

  it('scaled out (a share of the stream): always asks, and the newer of memory and database wins', async () => {
    const stored = reading('BAT-S', 30, new Date());
    const { store, asked } = storeOf(new Map([['BAT-S', stored]]));
    const cache = new TelemetryCache(100);
    cache.foldAsset(reading('BAT-S', 10, new Date(Date.now() - 10_000)));
    const lookup = new TelemetryLookup(cache, store, { alwaysAskStore: true });
    expect((await lookup.latest('BAT-S'))?.message.payload.energy_kwh).toBe(30);
    expect((await lookup.latest('BAT-S'))?.message.payload.energy_kwh).toBe(30);
    expect(asked).toEqual(['BAT-S', 'BAT-S']);
  });
});
