import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDriver } from '../../src/adapters/drivers/driver-factory.js';
import { getProfile, loadRegistry } from '../../src/adapters/drivers/registry/load-registry.js';
import { silentLogger } from '../../src/log.js';
import { freePort } from '../harness/ports.js';
import { FAST_TIMINGS } from '../harness/simulator-harness.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), resolve(ROOT, 'src/cli.ts')];

describe('swapd sim --protocol seplos-v2', () => {
  it('serves a bus of Seplos packs that the Seplos driver reads, and stops on SIGTERM', async () => {
    const port = await freePort();
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, SWAPD_LOG_LEVEL: 'warn' };
    const child = spawn(
      process.execPath,
      [...CLI, '--json', 'sim', '--protocol', 'seplos-v2', '--port', String(port), '--slots', '3'],
      { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stderr.resume();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const line = await new Promise<Record<string, unknown>>((resolveLine, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 20_000);
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const found = out.split('\n').find((l) => l.includes('"listening"'));
          if (!found) return;
          clearTimeout(timer);
          resolveLine(JSON.parse(found) as Record<string, unknown>);
        });
      });
      expect(line).toMatchObject({ status: 'listening', protocol: 'seplos-v2', port, addresses: [1, 2, 3] });
      const driver = createDriver(`seplos-v2-tcp://127.0.0.1:${port}?address=2&delay_ms=5`, {
        profile: getProfile(loadRegistry(), 'seplos_bms-v2'),
        log: silentLogger(),
        timings: FAST_TIMINGS,
      });
      await driver.connect();
      expect((await driver.readStaticInfo()).serial_number).toBe('BAT-0002');
      const soc = await driver.readTag('SOC_%');
      expect(soc).toBeGreaterThan(0);
      await driver.disconnect();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
