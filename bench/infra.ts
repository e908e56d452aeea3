import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { PROJECT_ROOT } from '../src/main.js';

const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ThrowawayDatabase {
  url: string;
  drop(): Promise<void>;
}

async function onServer<T>(serverUrl: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A database of its own on the configured Postgres server (SWAPD_DATABASE_URL / DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432): the bench never writes into an existing database.
 */
export async function createThrowawayDatabase(
  env: Readonly<Record<string, string | undefined>>,
): Promise<ThrowawayDatabase> {
  const serverUrl = env.SWAPD_DATABASE_URL ?? env.DATABASE_URL ?? DEFAULT_SERVER;
  const name = `swapd_bench_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, (c) => c.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      onServer(serverUrl, async (c) => {
        await c.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [name],
        );
        await c.query(`drop database if exists ${name}`);
      }).then(() => undefined),
  };
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((done, fail) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) fail(new Error(`mosquitto did not listen on ${port}`));
        else setTimeout(attempt, 30);
      });
    };
    attempt();
  });
}

export interface MosquittoProcess {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Mosquitto with the project's own configuration (config/mosquitto/swapd.conf), on a free port. */
export async function startMosquitto(): Promise<MosquittoProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'swapd-bench-mosq-'));
  const text = readFileSync(resolve(PROJECT_ROOT, 'config/mosquitto/swapd.conf'), 'utf8');
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, text.replace(/^listener \d+/m, `listener ${port}`));
  const child: ChildProcess = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
  await waitForPort(port);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
