import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDriver } from '../../src/adapters/drivers/driver-factory.js';
import { getModbusProfile, loadRegistry } from '../../src/adapters/drivers/registry/load-registry.js';
import { silentLogger } from '../../src/log.js';
import { FAST_TIMINGS } from '../harness/simulator-harness.js';
import type { RecordedExchange } from '../harness/simulator-replay.js';
import { startReplayDevice } from '../harness/simulator-replay.js';

interface FrameFixture {
  profile: string;
  url_unit: number;
  exchanges: RecordedExchange[];
  expect: Record<string, number>;
}

const registry = loadRegistry();
const FIXTURES = ['huawei_sun2000-luna2000', 'victron_multiplus-ii'];

describe('shipped profiles decode recorded frames', () => {
  for (const name of FIXTURES) {
    it(`${name}: a full read gives the hand-checked values, one request per recorded block`, async () => {
      const fixture = JSON.parse(
        readFileSync(new URL(`../fixtures/frames/${name}.json`, import.meta.url), 'utf8'),
      ) as FrameFixture;
      const profile = getModbusProfile(registry, fixture.profile);
      const device = await startReplayDevice(fixture.exchanges);
      const url = `modbus-tcp://127.0.0.1:${device.port}?unit=${fixture.url_unit}`;
      const driver = createDriver(url, { profile, log: silentLogger(), timings: FAST_TIMINGS });
      try {
        await driver.connect();
        const values = await driver.readTags(profile.supported_tags.read);
        expect(values).toEqual(fixture.expect);
        for (const tag of profile.unsupported_required_tags) {
          await expect(driver.readTag(tag)).rejects.toMatchObject({ code: 'UNKNOWN_TAG' });
        }
      } finally {
        await driver.disconnect();
        await device.close();
      }
    });
  }
});
