import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/ports.js';
import { makeTestCa } from '../harness/test-ca.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), resolve(ROOT, 'src/cli.ts')];
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'swapd-exposure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SWAPD_LOG_LEVEL: 'warn',
    SWAPD_LOG_PRETTY: 'false',
    SWAPD_ROLES: 'agent',
    SWAPD_DATA_DIR: join(dir, 'data'),
    ...extra,
  };
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      done(true);
    });
    socket.on('error', () => done(false));
  });
}

/** `swapd start` as an operator runs it, until its ready line; stderr is kept (the log). */
function start(
  vars: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; line: string; stderr: () => string }> {
  const child = spawn(process.execPath, [...CLI, 'start'], { env: vars, cwd: ROOT });
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  return new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 90 s: ${out} ${err}`)), 90_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('swapd ready'));
      if (!line) return;
      clearTimeout(timer);
      resolveReady({ child, line, stderr: () => err });
    });
    child.once('exit', (code) => reject(new Error(`swapd exited with ${code}: ${out} ${err}`)));
  });
}

/** SPEC §10's safe defaults, checked on the process an operator starts. */
describe('the embedded broker beyond 127.0.0.1 (swapd start)', { timeout: 180_000 }, () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGTERM');
  });

  it('refuses to start without users, saying why once, and opens no port', async () => {
    const port = await freePort();
    const failed = await run(process.execPath, [...CLI, 'start'], {
      env: env({ SWAPD_BROKER_HOST: '0.0.0.0', SWAPD_BROKER_PORT: String(port) }),
      cwd: ROOT,
      timeout: 60_000,
    }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(1);
    const problem = 'the embedded broker on 0.0.0.0 would let anyone on the network in';
    expect(occurrences(String(failed?.stderr), problem)).toBe(1);
    expect(await listening(port)).toBe(false);
  });

  it('with allow_anonymous it starts, warns, and its ready line names every listener (mqtts and wss too)', async () => {
    const ca = makeTestCa();
    const { child, line, stderr } = await start(
      env({
        SWAPD_BROKER_HOST: '0.0.0.0',
        SWAPD_ALLOW_ANONYMOUS: 'true',
        SWAPD_BROKER_PORT: String(await freePort()),
        SWAPD_HTTP_PORT: String(await freePort()),
        SWAPD_BROKER_TLS_PORT: '0',
        SWAPD_BROKER_WSS_PORT: '0',
        SWAPD_BROKER_TLS_CERT: ca.serverCert,
        SWAPD_BROKER_TLS_KEY: ca.serverKey,
      }),
    );
    children.push(child);
    expect(line).toMatch(
      /^swapd ready in \d+ ms: mqtt mqtt:\/\/127\.0\.0\.1:\d+ \(and mqtts:\/\/127\.0\.0\.1:\d+, wss:\/\/127\.0\.0\.1:\d+\), http /,
    );
    expect(stderr()).toContain('allow_anonymous is on: anyone who can reach the embedded broker may connect');
    rmSync(ca.dir, { recursive: true, force: true });
  });
});
