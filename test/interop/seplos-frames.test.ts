import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createDriver } from '../../src/adapters/drivers/driver-factory.js';
import { getProfile, loadRegistry } from '../../src/adapters/drivers/registry/load-registry.js';
import { silentLogger } from '../../src/log.js';
import { FAST_TIMINGS } from '../harness/simulator-harness.js';

interface SeplosFixture {
  profile: string;
  address: number;
  exchanges: { request: string; response: string }[];
  expect: Record<string, number>;
  expect_exact: Record<string, string>;
  expect_static: Record<string, string>;
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/frames/seplos_bms-v2.json', import.meta.url), 'utf8'),
) as SeplosFixture;

/** The frame checksum recomputed here, independently of the codec. */
function checksumOk(frame: string): boolean {
  const body = frame.slice(1, -5);
  let sum = 0;
  for (const ch of body) sum += ch.charCodeAt(0);
  return (sum + Number.parseInt(frame.slice(-5, -1), 16)) % 0x10000 === 0;
}

/** Answers each recorded request with its recorded response, byte for byte; anything else gets silence. */
async function replay(exchanges: SeplosFixture['exchanges']): Promise<{ server: Server; port: number }> {
  const answers = new Map(exchanges.map((e) => [e.request, e.response]));
  const server = createServer((socket) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      let cr = text.indexOf('\r');
      while (cr !== -1) {
        const answer = answers.get(text.slice(0, cr + 1));
        if (answer) socket.write(Buffer.from(answer, 'latin1'));
        text = text.slice(cr + 1);
        cr = text.indexOf('\r');
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('seplos_bms-v2 decodes recorded frames', () => {
  it('every recorded frame carries a correct checksum', () => {
    for (const e of fixture.exchanges) {
      expect(checksumOk(e.request)).toBe(true);
      expect(checksumOk(e.response)).toBe(true);
    }
  });

  it('a full read through the driver gives the hand-checked values, exact where computed', async () => {
    const profile = getProfile(loadRegistry(), fixture.profile);
    const { server, port } = await replay(fixture.exchanges);
    const driver = createDriver(`seplos-v2-tcp://127.0.0.1:${port}?address=${fixture.address}&delay_ms=5`, {
      profile,
      log: silentLogger(),
      timings: FAST_TIMINGS,
    });
    try {
      await driver.connect();
      expect(await driver.readTags(profile.supported_tags.read)).toEqual(fixture.expect);
      expect(await driver.readTagsExact?.(Object.keys(fixture.expect_exact))).toEqual(fixture.expect_exact);
      expect(await driver.readStaticInfo()).toMatchObject(fixture.expect_static);
      for (const tag of profile.unsupported_required_tags) {
        await expect(driver.readTag(tag)).rejects.toMatchObject({ code: 'UNKNOWN_TAG' });
      }
    } finally {
      await driver.disconnect();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
