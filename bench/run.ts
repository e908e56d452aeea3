import type { BenchOptions, BenchReport } from './types.js';

export { BENCH_USAGE, parseBenchArgs } from './options.js';
export type { BenchOptions, BenchReport } from './types.js';

/** Runs the selected scenarios, prints the table (or JSON) and writes the JSON result file. */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  throw new Error(`bench runner not built yet (${options.scenarios.join(',')})`);
}
