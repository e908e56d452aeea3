import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../src/main.js';
import { startStation, type TestStation } from '../harness/station.js';

interface Target {
  expr: string;
  refId: string;
}
interface Panel {
  id: number;
  title: string;
  targets?: Target[];
}

const dashboard = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'deploy/grafana/swapd.json'), 'utf8')) as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; definition?: string }[] };
};

/** Every metric name a PromQL expression reads (swapd_… identifiers not followed by a parenthesis). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(swapd_[a-zA-Z0-9_]+)\b(?!\s*\()/g)].map((m) => m[1] as string);
}

/** Sample names and their label names from a Prometheus text exposition. */
function exposition(text: string): Map<string, Set<string>> {
  const samples = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s/.exec(line);
    if (!match) continue;
    const labels = samples.get(match[1] as string) ?? new Set<string>();
    for (const pair of (match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g))
      labels.add(pair[1] as string);
    samples.set(match[1] as string, labels);
  }
  return samples;
}

describe('deploy/grafana/swapd.json against a running swapd', () => {
  let station: TestStation;
  let samples: Map<string, Set<string>>;

  beforeAll(async () => {
    station = await startStation({
      db: 'pglite',
      broker: 'aedes',
      overrides: { roles: ['agent', 'station'] },
    });
    // One answered request, so the per-action series exist.
    await station.requester.call('PLAN-NOWHERE', 'identify_customer', {
      action: 'IDENTIFY_CUSTOMER',
      correlation_id: 'dash-1',
    });
    const res = await fetch(`http://127.0.0.1:${station.swapd.httpPort}/metrics`);
    samples = exposition(await res.text());
  }, 180_000);
  afterAll(() => station?.close());

  it('queries only metrics that exist on /metrics', () => {
    const queried = dashboard.panels.flatMap((p) =>
      (p.targets ?? []).flatMap((t) => metricsIn(t.expr).map((m) => ({ panel: p.title, metric: m }))),
    );
    expect(queried.length).toBeGreaterThan(10);
    const missing = queried.filter((q) => !samples.has(q.metric)).map((q) => `${q.panel}: ${q.metric}`);
    expect(missing).toEqual([]);
    for (const variable of dashboard.templating.list)
      for (const metric of metricsIn(variable.definition ?? ''))
        expect(samples.has(metric), metric).toBe(true);
  });

  it('groups only by labels those metrics carry', () => {
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        const grouped = [...target.expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) =>
          (m[1] as string).split(',').map((l) => l.trim()),
        );
        for (const metric of metricsIn(target.expr)) {
          const labels = samples.get(metric) ?? new Set();
          for (const label of grouped)
            expect(labels.has(label), `${panel.title}: ${metric} by ${label}`).toBe(true);
        }
      }
    }
  });

  it('covers requests by action and outcome, latency and outbox depth; panel ids are unique', () => {
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
    expect(exprs).toContain('sum by (action, outcome) (rate(swapd_requests_total');
    expect(exprs).toContain('swapd_request_duration_seconds_bucket');
    expect(exprs).toContain('swapd_outbox_pending');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('deploy/prometheus.yml scrapes /metrics on the operator HTTP port', () => {
    const config = parse(readFileSync(resolve(PROJECT_ROOT, 'deploy/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; metrics_path: string; static_configs: { targets: string[] }[] }[];
    };
    const job = config.scrape_configs.find((j) => j.job_name === 'swapd');
    expect(job?.metrics_path).toBe('/metrics');
    expect(job?.static_configs[0]?.targets).toEqual(['127.0.0.1:8080']);
  });
});
