import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
// tsx as a loader inside the one process (its CLI would fork a child that a SIGKILL leaves running).
const CLI = ['--import', 'tsx', resolve(ROOT, 'src/cli.ts')];

export interface SwapdProcess {
  readonly child: ChildProcess;
  readonly ready: Record<string, unknown>;
  /** Everything it wrote to stderr (its log lines). */
  readonly stderr: () => string;
  /** Sends the signal and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The environment of a swapd started as an operator would, with nothing inherited but PATH and HOME. */
export function swapdEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const dataDir = mkdtempSync(join(tmpdir(), 'swapd-proc-'));
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SWAPD_LOG_LEVEL: 'warn',
    SWAPD_DATA_DIR: dataDir,
    ...extra,
  };
}

/** `swapd --json start` as a child process; resolves once its ready line is printed. */
export function startSwapdProcess(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<SwapdProcess> {
  const child = spawn(process.execPath, [...CLI, '--json', 'start'], {
    env,
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-20_000);
  });
  const stop = (signal: NodeJS.Signals = 'SIGTERM') =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill(signal);
    });
  return new Promise((resolveReady, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      void stop('SIGKILL');
      reject(new Error(`swapd printed no ready line within ${timeoutMs} ms: ${out}\n${err}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (!line) return;
      clearTimeout(timer);
      resolveReady({ child, ready: JSON.parse(line) as Record<string, unknown>, stderr: () => err, stop });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`swapd exited with ${code}: ${out}\n${err}`));
    });
  });
}
