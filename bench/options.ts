import type { BenchOptions } from './types.js';

export const DEFAULT_OPTIONS: BenchOptions = Object.freeze({
  durationMs: 5_000,
  warmupMs: 1_000,
  scenarios: [],
  json: false,
  out: null,
  inFlight: [1, 16, 64],
  plans: 2_000,
  matrix: [],
  clientNoDelay: false,
}) as BenchOptions;

export const BENCH_USAGE = `usage: swapd bench [options]
  --duration <s>      measured seconds per scenario (default 5)
  --warmup <s>        warm-up seconds before each measurement (default 1)
  --scenarios <list>  comma-separated scenario names or prefixes (default all)
  --in-flight <list>  requests kept in flight (default 1,16,64)
  --matrix <list>     broker+database pairs: mosquitto+postgres,aedes+postgres,aedes+pglite
  --plans <n>         plans seeded per database (default 2000)
  --client-nodelay    experiment: TCP_NODELAY on swapd's own connections (its MQTT client)
  --json              print the result as JSON on stdout instead of the table
  --out <file>        JSON result file (default bench-results/<timestamp>.json)`;

function seconds(flag: string, raw: string | undefined): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isFinite(value) || value < 0 || value > 600)
    throw new Error(`${flag} needs a number of seconds between 0 and 600`);
  return Math.round(value * 1000);
}

function list(raw: string | undefined, flag: string): string[] {
  if (!raw) throw new Error(`${flag} needs a comma-separated list`);
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function integers(raw: string | undefined, flag: string, max: number): number[] {
  const values = list(raw, flag).map(Number);
  if (values.some((n) => !Number.isInteger(n) || n < 1 || n > max))
    throw new Error(`${flag} needs integers between 1 and ${max}`);
  return values;
}

type Setter = (value: string | undefined) => Partial<BenchOptions>;

const FLAGS: Record<string, { takesValue: boolean; set: Setter }> = {
  '--duration': { takesValue: true, set: (v) => ({ durationMs: seconds('--duration', v) }) },
  '--warmup': { takesValue: true, set: (v) => ({ warmupMs: seconds('--warmup', v) }) },
  '--scenarios': { takesValue: true, set: (v) => ({ scenarios: list(v, '--scenarios') }) },
  '--in-flight': { takesValue: true, set: (v) => ({ inFlight: integers(v, '--in-flight', 1024) }) },
  '--matrix': { takesValue: true, set: (v) => ({ matrix: list(v, '--matrix') }) },
  '--plans': { takesValue: true, set: (v) => ({ plans: integers(v, '--plans', 100_000)[0] as number }) },
  '--client-nodelay': { takesValue: false, set: () => ({ clientNoDelay: true }) },
  '--json': { takesValue: false, set: () => ({ json: true }) },
  '--out': { takesValue: true, set: (v) => ({ out: v ?? null }) },
};

function split(arg: string): [string, string | undefined] {
  const at = arg.indexOf('=');
  return at < 0 ? [arg, undefined] : [arg.slice(0, at), arg.slice(at + 1)];
}

/** Parses `--flag value` and `--flag=value` (no commander: the runner is usable from tests and scripts). */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { ...DEFAULT_OPTIONS, inFlight: [...DEFAULT_OPTIONS.inFlight] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = split(arg);
    if (name === '--help' || name === '-h') throw new Error(BENCH_USAGE);
    const flag = FLAGS[name];
    if (!flag) throw new Error(`unknown option ${arg}\n${BENCH_USAGE}`);
    const value = flag.takesValue ? (inline ?? argv[++i]) : undefined;
    if (flag.takesValue && value === undefined) throw new Error(`${name} needs a value`);
    Object.assign(options, flag.set(value));
  }
  return options;
}
