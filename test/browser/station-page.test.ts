import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socPct } from '../../src/adapters/drivers/simulator/battery-model.js';
import type { RunningSimulator } from '../../src/adapters/drivers/simulator/station-simulator.js';
import { aKenyaPlan, batteries, seed } from '../builders/plans.js';
import { startStation, type TestStation } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';
const SCANNER_UNIT = 100;
const REPORTS = resolve(import.meta.dirname, '../../reports');
const CHROMIUM = process.env.SWAPD_CHROMIUM ?? '/usr/bin/chromium';

/** Debian's chromium, headless, with nothing that reaches the network or writes outside a fresh profile. */
async function launchChromium(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    viewport: { width: 1400, height: 1800 },
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

interface SlotOnPage {
  slot: string;
  battery: string;
  soc: string;
  kwh: string;
  mode: string;
  safety: string | null;
}

function slotsOnPage(page: Page): Promise<SlotOnPage[]> {
  return page.$$eval('[data-testid=slot]', (nodes) =>
    nodes.map((n) => {
      const field = (name: string) => n.querySelector(`[data-field=${name}]`)?.textContent ?? null;
      return {
        slot: n.getAttribute('data-slot') ?? '',
        battery: field('battery') ?? '',
        soc: field('soc') ?? '',
        kwh: field('kwh') ?? '',
        mode: field('mode') ?? '',
        safety: field('safety'),
      };
    }),
  );
}

/** The page at `/` in a real browser over the embedded default's 16 simulated slots. */
describe('station page in headless Chromium (embedded default: aedes, PGlite, 16 simulated slots)', () => {
  let station: TestStation;
  let sim: RunningSimulator;
  let browser: BrowserContext;
  let page: Page;
  let profileDir: string;
  let base: string;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    station = await startStation({
      db: 'pglite',
      broker: 'aedes',
      overrides: { roles: ['agent', 'station'] },
    });
    sim = station.swapd.hardware!.simulator!;
    await seed(station.db, [aKenyaPlan()], batteries(['BAT-12345']));
    sim.placeBattery(SCANNER_UNIT, { assetId: 'BAT-12345', capacityKwh: 32, socPct: 15 });
    base = `http://127.0.0.1:${station.swapd.httpPort}`;
    profileDir = mkdtempSync(join(tmpdir(), 'swapd-chromium-'));
    browser = await launchChromium(profileDir);
    page = await browser.newPage();
    // The browser's own first start is not the page's: warm it on an empty page.
    await page.goto('about:blank');
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await station?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it('shows the 16 slots within 3 s of opening, with the values the slots report', async () => {
    const opened = performance.now();
    await page.goto(`${base}/`);
    await page.locator('[data-testid=slot]').nth(15).waitFor({ timeout: 3000 });
    expect(await page.locator('[data-testid=slot]').count()).toBe(16);
    const elapsedMs = performance.now() - opened;
    timings.slots_visible_ms = Math.round(elapsedMs);
    expect(elapsedMs).toBeLessThan(3000);
    const slots = await slotsOnPage(page);
    expect(slots.map((s) => s.slot)).toEqual(Array.from({ length: 16 }, (_, i) => `slot-${i + 1}`));
    for (const [i, shown] of slots.entries()) {
      const battery = sim.battery(i + 1)!;
      expect(shown.battery).toBe(battery.assetId);
      const soc = Number.parseFloat(shown.soc);
      expect(Math.abs(soc - socPct(battery))).toBeLessThan(1);
      expect(shown.kwh).toMatch(/^\d+\.\d{2} kWh$/);
      // The charging loop runs: a slot is charging towards its target, or idle once there; never faulted.
      expect(['idle', 'charging']).toContain(shown.mode);
    }
    await expect(page.textContent('[data-testid=broker]')).resolves.toBe('broker connected');
    await expect(page.textContent('[data-testid=database]')).resolves.toBe('database up');
    await expect(page.textContent('[data-testid=outbox]')).resolves.toBe('outbox 0');
    await page.locator('#live', { hasText: /^live$/ }).waitFor();
    const drivers = await page.$$eval('[data-testid=drivers] li', (n) => n.map((x) => x.textContent));
    expect(drivers).toContain('scanner CONNECTED');
    expect(drivers).toHaveLength(17);
  });

  it('updates within 2 s of a swap: the swaps table and the slot the returned battery went into', async () => {
    const res = await station.requester.call(PLAN, 'equipment_checkout', {
      action: 'EQUIPMENT_CHECKOUT',
      correlation_id: 'page-1',
      incoming_equipment_id: 'BAT-12345',
      replacement_equipment_id: 'BAT-0008',
    });
    expect(res.success).toBe(true);
    const answered = performance.now();
    await page
      .locator('#swaps tr:first-child td:nth-child(4)', { hasText: 'BAT-0008' })
      .waitFor({ timeout: 2000 });
    const row = await page.$$eval('#swaps tr:first-child td', (t) => t.map((x) => x.textContent));
    expect(row.slice(1)).toEqual([PLAN, 'BAT-12345', 'BAT-0008', expect.stringMatching(/^\d+\.\d$/)]);
    timings.swap_row_ms = Math.round(performance.now() - answered);
    expect(performance.now() - answered).toBeLessThan(2000);

    // The attendant takes BAT-0008 out of slot 8 and puts the returned battery in to charge.
    sim.removeBattery(8);
    sim.removeBattery(SCANNER_UNIT);
    sim.placeBattery(8, { assetId: 'BAT-12345', capacityKwh: 32, socPct: 15 });
    const moved = performance.now();
    await page
      .locator('[data-slot="slot-8"] [data-field=battery]', { hasText: 'BAT-12345' })
      .waitFor({ timeout: 2000 });
    timings.slot_change_ms = Math.round(performance.now() - moved);
    expect(performance.now() - moved).toBeLessThan(2000);
    const slot8 = (await slotsOnPage(page)).find((s) => s.slot === 'slot-8')!;
    expect(Number.parseFloat(slot8.soc)).toBeCloseTo(15, 0);
  });

  it('updates within 2 s of a payment taken at the counter: the payments table', async () => {
    const res = await station.requester.call(PLAN, 'collect_payment', {
      action: 'COLLECT_PAYMENT',
      correlation_id: 'page-pay-1',
      payment_amount: 5,
      payment_method: 'CASH',
      payment_type: 'TOP_UP',
      attendant_id: 'ATT-001',
    });
    expect(res.success).toBe(true);
    const answered = performance.now();
    await page
      .locator('#payments tr:first-child td:nth-child(5)', { hasText: 'PENDING' })
      .waitFor({ timeout: 2000 });
    timings.payment_row_ms = Math.round(performance.now() - answered);
    const row = await page.$$eval('#payments tr:first-child td', (t) => t.map((x) => x.textContent));
    expect(row.slice(1)).toEqual([PLAN, expect.stringMatching(/^5(\.0+)? USD$/), 'TOP_UP', 'PENDING']);
  });

  it('shows a contributed section and per-slot safety state as soon as a source is registered', async () => {
    station.swapd.status.register({
      name: 'safety',
      title: 'Safety',
      slotSafety: async () =>
        new Map([
          ['slot-3', { state: 'safe_state' as const, reasons: ['T_MAX_HIGH'], latched: true }],
          ['slot-4', { state: 'derated' as const, reasons: ['T_WARN_HIGH'], latched: false }],
        ]),
      facts: async () => ({ 'latched slots': 1, 'blocks in the last hour': 2 }),
    });
    await page.waitForSelector('[data-section=safety]', { timeout: 2000 });
    const slots = await slotsOnPage(page);
    expect(slots.find((s) => s.slot === 'slot-3')?.safety).toBe('LATCHED safe_state — T_MAX_HIGH');
    expect(slots.find((s) => s.slot === 'slot-4')?.safety).toBe('derated — T_WARN_HIGH');
    expect(slots.find((s) => s.slot === 'slot-5')?.safety).toBeNull();
    const facts = await page.$$eval('[data-section=safety] dd', (n) => n.map((x) => x.textContent));
    expect(facts).toEqual(['1', '2']);
  });

  it('plots SOC and power, shows the telemetry sent, and saves a screenshot for review (reports/station-page.png)', async () => {
    await page.locator('#soc-plot canvas').waitFor();
    await page.locator('#power-plot canvas').waitFor();
    // The station's own telemetry section (SPEC-003 published every 5 s), from swapd's counters.
    const telemetry = page.locator('[data-section=telemetry]');
    await expect(telemetry.locator('h2').textContent()).resolves.toBe('Telemetry (SPEC-003)');
    const published = telemetry.locator('dt:text-is("published") + dd');
    await expect
      .poll(async () => Number(await published.textContent()), { timeout: 15_000, interval: 250 })
      .toBeGreaterThan(0);
    const labels = await telemetry.locator('dt').allTextContents();
    expect(labels).toEqual(expect.arrayContaining(['published per minute', 'published', 'ingested']));
    mkdirSync(REPORTS, { recursive: true });
    const path = join(REPORTS, 'station-page.png');
    await page.screenshot({ path, fullPage: true });
    expect(statSync(path).size).toBeGreaterThan(20_000);
    writeFileSync(join(REPORTS, 'station-page.json'), `${JSON.stringify(timings, null, 2)}\n`);
  });
});
