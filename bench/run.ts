import { availableParallelism } from 'node:os';
import { runMqttMatrix } from './mqtt-matrix.js';
import { forceClientNoDelay } from './nodelay.js';
import { Progress } from './progress.js';
import { installQueryCounter } from './query-counter.js';
import { defaultOutPath, formatTable, writeReport } from './report.js';
import { RequesterProcess } from './requester-client.js';
import { selectScenarios } from './scenarios/index.js';
import type {
  BenchOptions,
  BenchReport,
  DatabaseScenario,
  MqttScenario,
  ResultRow,
  StandaloneScenario,
} from './types.js';

export { BENCH_USAGE, parseBenchArgs } from './options.js';
export type { BenchOptions, BenchReport, ResultRow } from './types.js';

async function runMqtt(
  options: BenchOptions,
  progress: Progress,
  scenarios: { mqtt: MqttScenario[]; database: DatabaseScenario[] },
): Promise<ResultRow[]> {
  if (scenarios.mqtt.length === 0 && scenarios.database.length === 0) return [];
  if (options.clientNoDelay) forceClientNoDelay();
  const requester = RequesterProcess.start();
  try {
    return await runMqttMatrix({ options, progress, requester, queries: installQueryCounter() }, scenarios);
  } finally {
    await requester.stop();
  }
}

async function runStandalone(options: BenchOptions, progress: Progress, scenarios: StandaloneScenario[]) {
  const rows: ResultRow[] = [];
  for (const scenario of scenarios) {
    rows.push(...(await scenario.run({ options, progress: (text) => progress.phase(text) })));
  }
  return rows;
}

/** Runs the selected scenarios, prints the table (or JSON) and writes the JSON result file. */
export async function runBench(
  options: BenchOptions,
  print: (text: string) => void = (text) => process.stdout.write(text),
): Promise<BenchReport> {
  const started = new Date();
  const progress = new Progress();
  const scenarios = selectScenarios(options.scenarios);
  const mqtt = scenarios.filter((s): s is MqttScenario => s.kind === 'mqtt');
  const database = scenarios.filter((s): s is DatabaseScenario => s.kind === 'database');
  const standalone = scenarios.filter((s): s is StandaloneScenario => s.kind === 'standalone');
  const rows = [
    ...(await runMqtt(options, progress, { mqtt, database })),
    ...(await runStandalone(options, progress, standalone)),
  ];
  progress.done();
  const report: BenchReport = {
    started_at: started.toISOString(),
    finished_at: new Date().toISOString(),
    host: {
      cpus: availableParallelism(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    options,
    rows,
  };
  const out = options.out ?? defaultOutPath(started);
  writeReport(out, report);
  print(options.json ? `${JSON.stringify(report)}\n` : `${formatTable(rows)}\n\nresults: ${out}\n`);
  return report;
}
