/**
 * Reads Stryker's JSON report (reports/mutation/mutation.json), prints the score of every file and of
 * every directory with a target, and fails when a directory falls below its target. Stryker's own
 * `break` threshold applies to the whole run only; the issue sets one target per directory.
 *
 *   npx tsx test/mutation/mutation-score.ts [report.json]
 */
import { readFileSync } from 'node:fs';

/** Minimum mutation score per directory, in %. */
export const TARGETS: Readonly<Record<string, number>> = Object.freeze({
  'agents/': 85,
  'fsm/': 90,
  'safety/': 95,
});

export interface Counts {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  errors: number;
}

interface Report {
  files: Record<string, { mutants: { status: string }[] }>;
}

export function countMutants(statuses: readonly string[]): Counts {
  const c: Counts = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 };
  for (const s of statuses) {
    if (s === 'Killed') c.killed++;
    else if (s === 'Timeout') c.timeout++;
    else if (s === 'Survived') c.survived++;
    else if (s === 'NoCoverage') c.noCoverage++;
    else if (s === 'Ignored') c.ignored++;
    else c.errors++; // CompileError, RuntimeError: not counted in the score, as in Stryker
  }
  return c;
}

/** Stryker's mutation score: detected ÷ (detected + undetected); null when nothing was tested. */
export function score(c: Counts): number | null {
  const valid = c.killed + c.timeout + c.survived + c.noCoverage;
  return valid === 0 ? null : ((c.killed + c.timeout) / valid) * 100;
}

function statusesOf(report: Report, prefix: string): string[] {
  return Object.entries(report.files)
    .filter(([name]) => name.startsWith(prefix))
    .flatMap(([, f]) => f.mutants.map((m) => m.status));
}

function pct(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(2)} %`;
}

function row(name: string, c: Counts): string {
  const cells = [name, pct(score(c)), c.killed, c.timeout, c.survived, c.noCoverage, c.ignored, c.errors];
  return `| ${cells.join(' | ')} |`;
}

export function table(report: Report): string {
  const lines = [
    '| file | score | killed | timeout | survived | no coverage | ignored | errors |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const name of Object.keys(report.files).sort()) {
    const statuses = report.files[name]?.mutants.map((m) => m.status) ?? [];
    lines.push(row(`\`${name}\``, countMutants(statuses)));
  }
  for (const dir of Object.keys(TARGETS)) {
    const statuses = statusesOf(report, dir);
    if (statuses.length > 0) lines.push(row(`**${dir}** (target ${TARGETS[dir]} %)`, countMutants(statuses)));
  }
  lines.push(row('**all**', countMutants(statusesOf(report, ''))));
  return lines.join('\n');
}

/** Directories below their target, as messages; empty when all are met. */
export function failures(report: Report): string[] {
  const out: string[] = [];
  for (const [dir, target] of Object.entries(TARGETS)) {
    const s = score(countMutants(statusesOf(report, dir)));
    if (s !== null && s < target) out.push(`${dir} mutation score ${pct(s)} is below its target ${target} %`);
  }
  return out;
}

function main(argv: string[]): number {
  const file = argv.find((a) => !a.startsWith('--')) ?? 'reports/mutation/mutation.json';
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  console.log(table(report));
  const failed = failures(report);
  for (const f of failed) console.error(f);
  return failed.length > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
