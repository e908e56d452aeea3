import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBenchArgs, runBench } from '../../bench/run.js';
import { selectScenarios } from '../../bench/scenarios/index.js';
import { summarise } from '../../bench/stats.js';

const dir = mkdtempSync(join(tmpdir(), 'swapd-bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench harness', () => {
  it('parses its options without commander', () => {
    const o = parseBenchArgs(['--duration', '2', '--warmup=0.5', '--scenarios', 'modbus,startup', '--json']);
    expect(o).toMatchObject({
      durationMs: 2000,
      warmupMs: 500,
      scenarios: ['modbus', 'startup'],
      json: true,
    });
    expect(() => parseBenchArgs(['--nope'])).toThrow(/unknown option/);
  });

  it('adds the ceilings a selected scenario is compared with', () => {
    const names = selectScenarios(['complete-service']).map((s) => s.name);
    expect(names).toEqual(['mqtt-echo', 'single-statement', 'complete-service', 'own-sql']);
  });

  it('summarises latencies by nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarise(samples)).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
  });

  it('runs one tiny scenario for about a second and writes a JSON result with every field', async () => {
    const out = join(dir, 'result.json');
    const options = {
      ...parseBenchArgs(['--duration', '0.5', '--warmup', '0.1', '--scenarios', 'modbus']),
      out,
    };
    let printed = '';
    await runBench({ ...options, json: true }, (text) => {
      printed += text;
    });
    expect(JSON.parse(printed)).toHaveProperty('rows');
    const report = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    expect(report).toHaveProperty('host.cpus');
    const rows = report.rows as Record<string, unknown>[];
    expect(rows.map((r) => r.variant)).toEqual(['16 slots · readTags', '16 slots · per-tag']);
    for (const row of rows) {
      expect(row).toMatchObject({ scenario: 'modbus-polling', status: 'ok', unit: 'cycles/s' });
      expect(row.throughput_per_s).toBeGreaterThan(0);
      expect(Object.keys(row.latency_ms as object)).toEqual(['p50', 'p95', 'p99', 'max']);
      expect(row).toHaveProperty('ratio');
      expect(row).toHaveProperty('reference');
      expect(row).toHaveProperty('targets');
    }
    expect(rows[0]?.metrics).toHaveProperty('request_reduction_x');
  });
});
