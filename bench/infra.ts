import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { setUserBlock } from '../src/access/acl-editor.js';
import { setPasswordLine } from '../src/access/password-file.js';
import { hashPassword } from '../src/access/password-hash.js';
import type { BrokerRole } from '../src/access/roles.js';
import { loadConfig, type SwapdConfig } from '../src/config/config.js';
import { PROJECT_ROOT } from '../src/main.js';

/**
 * Local services for `swapd bench` (and the test suite): a throwaway Postgres database, a Mosquitto
 * process with the project's own configuration, free ports. Loopback only.
 */
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ThrowawayDatabase {
  name: string;
  url: string;
  /** Refuses new connections and ends the open ones: the database is "down". */
  takeDown(): Promise<void>;
  bringUp(): Promise<void>;
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

function terminate(c: pg.Client, name: string) {
  return c.query(
    'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [name],
  );
}

/**
 * A database of its own on a Postgres server (`serverUrl`, else SWAPD_DATABASE_URL / DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432): nothing is ever written into an existing database.
 */
export async function createThrowawayDatabase(
  env: Readonly<Record<string, string | undefined>>,
  prefix = 'swapd_bench',
  serverUrl = env.SWAPD_DATABASE_URL ?? env.DATABASE_URL ?? DEFAULT_SERVER,
): Promise<ThrowawayDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await onServer(serverUrl, (c) => c.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const admin = (work: (c: pg.Client) => Promise<unknown>) => onServer(serverUrl, work).then(() => undefined);
  return {
    name,
    url: url.toString(),
    takeDown: () =>
      admin(async (c) => {
        await c.query(`alter database ${name} allow_connections false`);
        await terminate(c, name);
      }),
    bringUp: () => admin((c) => c.query(`alter database ${name} allow_connections true`)),
    drop: () =>
      admin(async (c) => {
        await terminate(c, name);
        await c.query(`drop database if exists ${name}`);
      }),
  };
}

/** A TCP port that was free a moment ago. */
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

/** A broker user of a throwaway Mosquitto (or embedded broker): name, role, password. */
export interface BrokerUser {
  username: string;
  password: string;
  role: BrokerRole;
  site?: string;
  /** ACL lines beyond the role's, in a block of their own after the roles' blocks. */
  extraRules?: string[];
}

/** swapd itself, an ops user that sees everything (the tests' observer), an attendant app and Odoo. */
export function defaultBrokerUsers(): Record<'swapd' | 'tester' | 'attendant' | 'odoo', BrokerUser> {
  const pw = () => randomBytes(12).toString('base64url');
  return {
    swapd: { username: 'swapd', password: pw(), role: 'agent' },
    // The tests' observer: an operator who also plays Odoo, so one connection can drive a whole scenario.
    tester: {
      username: 'tester',
      password: pw(),
      role: 'ops',
      extraRules: ['topic write call/odoo/billing/plan/+/confirm_payment'],
    },
    attendant: { username: 'attendant-001', password: pw(), role: 'attendant' },
    odoo: { username: 'odoo', password: pw(), role: 'odoo' },
  };
}

/** The password and ACL files for these users, written with swapd's own writers. */
export function writeAccessFiles(
  dir: string,
  users: readonly BrokerUser[],
): { passwordFile: string; aclFile: string } {
  let passwords = '';
  let acl: string | null = null;
  for (const u of users) {
    passwords = setPasswordLine(passwords, u.username, hashPassword(u.password));
    acl = setUserBlock(acl, u.username, u.role, u.site ?? null);
  }
  for (const u of users)
    if (u.extraRules?.length) acl = `${acl ?? ''}\nuser ${u.username}\n${u.extraRules.join('\n')}\n`;
  const passwordFile = join(dir, 'swapd.passwd');
  const aclFile = join(dir, 'swapd.acl');
  // Mosquitto started as root reads these after dropping to its own user: readable by all (hashes only).
  chmodSync(dir, 0o755);
  writeFileSync(passwordFile, passwords, { mode: 0o644 });
  writeFileSync(aclFile, acl ?? '', { mode: 0o644 });
  return { passwordFile, aclFile };
}

/** mqtt://user:password@host:port */
export function withCredentials(url: string, user: Pick<BrokerUser, 'username' | 'password'>): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user.username);
  u.password = encodeURIComponent(user.password);
  return u.toString().replace(/\/$/, '');
}

export interface MosquittoProcess {
  port: number;
  /** Without credentials: every client must log in (the shipped configuration refuses anonymous ones). */
  url: string;
  users: ReturnType<typeof defaultBrokerUsers>;
  /** The URL with a default user's credentials in it. */
  urlFor(user: keyof ReturnType<typeof defaultBrokerUsers>): string;
  passwordFile: string;
  aclFile: string;
  readonly pid: number | undefined;
  /** Stops the broker (SIGTERM lets a persistent one save its sessions). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port with the same configuration. */
  restart(): Promise<void>;
  /** Stops it for good and removes its folder. */
  dispose(): Promise<void>;
}

/**
 * The project's configuration with the port and the access files changed, if asked persistence in a
 * folder of its own, and any extra lines (e.g. TLS listeners) appended.
 */
function writeConfig(
  port: number,
  dir: string,
  persistent: boolean,
  access: { passwordFile: string; aclFile: string },
  extra: string,
): string {
  let text = readFileSync(resolve(PROJECT_ROOT, 'config/mosquitto/swapd.conf'), 'utf8');
  text = text.replace(/^listener \d+/m, `listener ${port}`);
  text = text.replace(/^password_file .*$/m, `password_file ${access.passwordFile}`);
  text = text.replace(/^acl_file .*$/m, `acl_file ${access.aclFile}`);
  if (persistent) {
    text = text.replace(/^persistence false/m, `persistence true\npersistence_location ${dir}/`);
    // Started as root, Mosquitto drops to its own user: it must be able to write its database here.
    chmodSync(dir, 0o777);
  }
  text += extra ? `\n${extra}\n` : '';
  const path = join(dir, 'mosquitto.conf');
  writeFileSync(path, text);
  return path;
}

/** Mosquitto with the project's own configuration (config/mosquitto/swapd.conf), on a free port. */
export async function startMosquitto(
  options: {
    persistent?: boolean;
    extraUsers?: BrokerUser[];
    extraConfig?: string;
    extraAcl?: string;
    /** Use these files instead of writing the default users' (the default users then cannot log in). */
    access?: { passwordFile: string; aclFile: string };
  } = {},
): Promise<MosquittoProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'swapd-mosq-'));
  const users = defaultBrokerUsers();
  const access =
    options.access ?? writeAccessFiles(dir, [...Object.values(users), ...(options.extraUsers ?? [])]);
  if (options.extraAcl) appendFileSync(access.aclFile, `\n${options.extraAcl}\n`);
  const conf = writeConfig(port, dir, options.persistent ?? false, access, options.extraConfig ?? '');
  let child: ChildProcess | null = null;
  const launch = async () => {
    child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.resume();
    await waitForPort(port);
  };
  const halt = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((done) => running.once('exit', () => done()));
    running.kill(signal);
    await exited;
    child = null;
  };
  await launch();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    users,
    urlFor: (user) => withCredentials(`mqtt://127.0.0.1:${port}`, users[user]),
    ...access,
    get pid() {
      return child?.pid;
    },
    stop: halt,
    restart: launch,
    dispose: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Configuration of a swapd that lives only for a bench or a test: the given database and broker (none:
 * embedded), free ports, the agent role, silent logs; `overrides` win.
 */
export function localConfig(
  where: { databaseUrl: string | null; mqttUrl: string | null; dataDir: string },
  overrides: Record<string, unknown> = {},
): SwapdConfig {
  return loadConfig({
    env: {},
    overrides: {
      database_url: where.databaseUrl,
      mqtt_url: where.mqttUrl,
      broker_port: 0,
      http_port: 0,
      data_dir: where.dataDir,
      roles: ['agent'],
      log_level: 'silent',
      ...overrides,
    },
  });
}
