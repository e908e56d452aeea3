import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/adapters/drivers/simulator/station-simulator.js';
import type { StationHistory, StationStatus } from '../../src/ports/station-status.js';
import { startStation, type TestStation } from '../harness/station.js';

/** A server-sent event stream read with fetch: every `status` event, in order. */
class EventStream {
  readonly events: StationStatus[] = [];
  readonly #controller = new AbortController();
  readonly #done: Promise<void>;

  constructor(url: string) {
    this.#done = this.#read(url).catch(() => undefined);
  }

  async #read(url: string): Promise<void> {
    const res = await fetch(url, { signal: this.#controller.signal });
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (block.includes('event: status') && data) this.events.push(JSON.parse(data) as StationStatus);
        end = buffer.indexOf('\n\n');
      }
    }
  }

  /** The first event from `from` on that satisfies the test, within the time limit. */
  async until(test: (s: StationStatus) => boolean, timeoutMs: number, from = 0): Promise<StationStatus> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = this.events.slice(from).find(test);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no matching status event within ${timeoutMs} ms (${this.events.length} events)`);
  }

  async close(): Promise<void> {
    this.#controller.abort();
    await this.#done;
  }
}

describe('station status: snapshot, event stream and contributed sections (4 simulated slots)', () => {
  let station: TestStation;
  let sim: RunningSimulator;
  let base: string;
  let stream: EventStream;

  beforeAll(async () => {
    station = await startStation({
      db: 'pglite',
      broker: 'aedes',
      overrides: { roles: ['agent', 'station'], station: { simulator: true, simulator_slots: 4 } },
    });
    sim = station.swapd.hardware!.simulator!;
    base = `http://127.0.0.1:${station.swapd.httpPort}`;
    stream = new EventStream(`${base}/api/v1/station/events`);
  }, 180_000);
  afterAll(async () => {
    await stream?.close();
    await station?.close();
  });

  it('serves the snapshot and the plot history', async () => {
    const res = await fetch(`${base}/api/v1/station/status`);
    expect(res.status).toBe(200);
    const { status, history } = (await res.json()) as { status: StationStatus; history: StationHistory };
    expect(status.slots.map((s) => s.slot)).toEqual(['slot-1', 'slot-2', 'slot-3', 'slot-4']);
    expect(status.slots.map((s) => s.battery_id)).toEqual(['BAT-0001', 'BAT-0002', 'BAT-0003', 'BAT-0004']);
    expect(status).toMatchObject({
      site_id: 'SITE-KE-001',
      broker: { connected: true },
      database: { up: true },
      outbox_depth: 0,
      last_swaps: [],
      last_payments: [],
      sections: {},
    });
    expect(Object.keys(status.drivers).sort()).toEqual(['scanner', 'slot-1', 'slot-2', 'slot-3', 'slot-4']);
    expect(history.times.length).toBeGreaterThan(0);
    expect(Object.keys(history.soc)).toEqual(['slot-1', 'slot-2', 'slot-3', 'slot-4']);
    expect(history.soc['slot-1']).toHaveLength(history.times.length);
  });

  it('streams a status event within 2 s of a change', async () => {
    await stream.until((s) => s.slots.length === 4, 5000);
    const from = stream.events.length;
    sim.removeBattery(3);
    const changed = Date.now();
    const seen = await stream.until(
      (s) => s.slots[2]?.battery_id === null && s.slots[2]?.soc_percent === null,
      2000,
      from,
    );
    expect(Date.now() - changed).toBeLessThan(2000);
    expect(seen.slots[2]).toMatchObject({ slot: 'slot-3', soc_percent: null, kwh: null });
  });

  it('keeps moving while one slot stays silent: its last values are shown as stale', async () => {
    sim.faults.set({ kind: 'no-answer' }, 2);
    try {
      const from = stream.events.length;
      sim.placeBattery(3, { assetId: 'BAT-0300', capacityKwh: 32, socPct: 55 });
      const changed = Date.now();
      const seen = await stream.until((s) => s.slots[2]?.battery_id === 'BAT-0300', 2000, from);
      expect(Date.now() - changed).toBeLessThan(2000);
      const silent = await stream.until((s) => s.slots[1]?.stale === true, 5000, from);
      expect(silent.slots[1]).toMatchObject({ slot: 'slot-2', battery_id: 'BAT-0002', stale: true });
      expect(seen.slots[0]?.stale).toBeUndefined();
    } finally {
      sim.faults.clear(2);
    }
    await stream.until(
      (s) => s.slots[1]?.stale === undefined && s.slots[1]?.battery_id === 'BAT-0002',
      20_000,
    );
  });

  it('shows what this station published and ingested in its telemetry section, from the /metrics counters', async () => {
    // The station role publishes a SPEC-003 telemetry message per occupied slot every 5 s.
    const seen = await stream.until((s) => Number(s.sections.telemetry?.facts.published ?? 0) >= 3, 15_000);
    expect(seen.sections.telemetry?.title).toBe('Telemetry (SPEC-003)');
    expect(Object.keys(seen.sections.telemetry?.facts ?? {})).toEqual([
      'published per minute',
      'published',
      'not sent (broker away)',
      'not sent (invalid)',
      'ingested per minute',
      'ingested',
      'refused per minute',
      'refused',
      'batteries cached',
    ]);
    const text = await (await fetch(`${base}/metrics`)).text();
    const sent = [...text.matchAll(/^swapd_telemetry_published_total\{[^}]*\} (\d+)$/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    expect(sent).toBeGreaterThanOrEqual(Number(seen.sections.telemetry?.facts.published));
  }, 30_000);

  it('shows contributed sections; a failing source is marked unavailable and hides nothing else', async () => {
    station.swapd.status.register({
      name: 'rates',
      title: 'Rates',
      facts: async () => ({ 'messages per minute': 48, 'last published': '2026-01-01T00:00:00Z' }),
    });
    station.swapd.status.register({
      name: 'broken',
      title: 'Broken',
      facts: async () => {
        throw new Error('counter store unreachable');
      },
    });
    const seen = await stream.until((s) => 'rates' in s.sections && 'broken' in s.sections, 3000);
    expect(seen.sections.rates).toEqual({
      title: 'Rates',
      facts: { 'messages per minute': 48, 'last published': '2026-01-01T00:00:00Z' },
    });
    expect(seen.sections.broken).toEqual({
      title: 'Broken',
      facts: { unavailable: 'counter store unreachable' },
    });
    expect(seen.slots).toHaveLength(4);
  });

  it('sets the outbox gauge on /metrics from the same samples', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^swapd_outbox_pending 0$/m);
  });
});
