import { describe, expect, it } from 'vitest';
import { rtuSubject, startRtuBridge } from '../harness/simulator-rtu.js';
import { describeDriverContract } from './describe-driver-contract.js';

describeDriverContract('Modbus RTU driver over a socat pseudo-terminal', rtuSubject);

describe('Modbus RTU block reads', () => {
  it('reads a slot’s full tag set in one RTU request', async () => {
    const bridge = await startRtuBridge();
    const driver = bridge.driver(2);
    try {
      await driver.connect();
      bridge.sim.counters.reset();
      const values = await driver.readTags(driver.tags.readable);
      expect(values['battery_present']).toBe(1);
      expect(bridge.sim.counters.requests).toBe(1);
      expect((await driver.readStaticInfo()).serial_number).toBe('BAT-0002');
    } finally {
      await driver.disconnect();
      await bridge.close();
    }
  });
});
