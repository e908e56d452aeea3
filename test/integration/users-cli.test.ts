import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAclFile } from '../../src/access/acl-file.js';
import { startMosquitto } from '../harness/mosquitto.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), resolve(ROOT, 'src/cli.ts')];
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'swapd-users-'));
const passwordFile = join(dir, 'swapd.passwd');
const aclFile = join(dir, 'swapd.acl');
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  SWAPD_BROKER_PASSWORD_FILE: passwordFile,
  SWAPD_BROKER_ACL_FILE: aclFile,
  // No Odoo secret: editing the files does not need what swapd needs to start with them.
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function swapd(args: string[], input?: string) {
  const child = run(process.execPath, [...CLI, ...args], { env, cwd: ROOT });
  if (input !== undefined) child.child.stdin?.end(input);
  return child;
}

async function canConnect(port: number, username: string, password: string): Promise<boolean> {
  try {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      username,
      password,
      reconnectPeriod: 0,
    });
    await client.endAsync(true);
    return true;
  } catch {
    return false;
  }
}

describe('swapd users add|remove', { timeout: 240_000 }, () => {
  it('writes both files; mosquitto_passwd and Mosquitto itself use what it wrote, and it reads theirs', async () => {
    await swapd(['users', 'add', 'att-7', '--role', 'attendant', '--password', 'attendant-pw']);
    await swapd(['users', 'add', 'odoo', '--role', 'odoo', '--password-stdin'], 'odoo pw with spaces\n');
    await swapd([
      'users',
      'add',
      'st-14',
      '--role',
      'station',
      '--site',
      'SITE-KE-014',
      '--password',
      'station-pw',
    ]);
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    execFileSync('mosquitto_passwd', ['-b', passwordFile, 'by-mosquitto', 'their-pw']);
    const acl = parseAclFile(readFileSync(aclFile, 'utf8'));
    expect(acl.problems).toEqual([]);
    expect(acl.users.get('att-7')?.role).toBe('attendant');
    expect(acl.users.get('st-14')).toMatchObject({ role: 'station', site: 'SITE-KE-014' });
    expect(acl.users.get('st-14')?.rules).toContainEqual({
      access: 'deny',
      filter: 'bessai/SITE-KE-014/safety_event',
    });

    // Mosquitto (which reads them as its own user) takes the same files unchanged.
    chmodSync(dir, 0o755);
    chmodSync(passwordFile, 0o644);
    chmodSync(aclFile, 0o644);
    const broker = await startMosquitto({ access: { passwordFile, aclFile } });
    try {
      expect(await canConnect(broker.port, 'att-7', 'attendant-pw')).toBe(true);
      expect(await canConnect(broker.port, 'odoo', 'odoo pw with spaces')).toBe(true);
      expect(await canConnect(broker.port, 'by-mosquitto', 'their-pw')).toBe(true);
      expect(await canConnect(broker.port, 'att-7', 'wrong-pw')).toBe(false);
    } finally {
      await broker.dispose();
    }

    await swapd(['users', 'remove', 'att-7']);
    const after = parseAclFile(readFileSync(aclFile, 'utf8'));
    expect(after.users.has('att-7')).toBe(false);
    expect(readFileSync(passwordFile, 'utf8')).not.toMatch(/^att-7:/m);
    expect(readFileSync(passwordFile, 'utf8')).toMatch(/^by-mosquitto:\$7\$/m);
  });

  // Mosquitto run by root reads its files as the mosquitto user, so they are shared through that group.
  const mosquittoGid = (() => {
    try {
      return process.getuid?.() === 0 ? Number(execFileSync('id', ['-g', 'mosquitto']).toString()) : null;
    } catch {
      return null;
    }
  })();

  it.runIf(mosquittoGid !== null)(
    'keeps the files’ owner, group and mode, so Mosquitto reloads them after a change',
    async () => {
      await swapd(['users', 'add', 'att-8', '--role', 'attendant', '--password', 'attendant-8-pw']);
      for (const file of [passwordFile, aclFile]) {
        chownSync(file, 0, mosquittoGid as number);
        chmodSync(file, 0o640);
      }
      chmodSync(dir, 0o755);
      const broker = await startMosquitto({ access: { passwordFile, aclFile } });
      try {
        expect(await canConnect(broker.port, 'att-8', 'attendant-8-pw')).toBe(true);
        await swapd(['users', 'add', 'att-9', '--role', 'attendant', '--password', 'attendant-9-pw']);
        for (const file of [passwordFile, aclFile])
          expect({ file, gid: statSync(file).gid, mode: statSync(file).mode & 0o777 }).toEqual({
            file,
            gid: mosquittoGid,
            mode: 0o640,
          });
        process.kill(broker.pid as number, 'SIGHUP');
        await new Promise((r) => setTimeout(r, 500));
        expect(await canConnect(broker.port, 'att-9', 'attendant-9-pw')).toBe(true);
        expect(await canConnect(broker.port, 'att-8', 'attendant-8-pw')).toBe(true);
      } finally {
        await broker.dispose();
      }
    },
  );

  it('refuses an unknown role, a bad name and an unknown user, naming the problem', async () => {
    await expect(
      swapd(['users', 'add', 'x', '--role', 'admin', '--password', 'long-enough']),
    ).rejects.toThrow(/unknown role 'admin'; roles: attendant, odoo, station, agent, ops, monitor/);
    await expect(
      swapd(['users', 'add', 'a#b', '--role', 'ops', '--password', 'long-enough']),
    ).rejects.toThrow(/cannot be a broker user name/);
    await expect(swapd(['users', 'remove', 'nobody'])).rejects.toThrow(/no broker user 'nobody'/);
  });
});
