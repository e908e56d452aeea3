import { describe, expect, it } from 'vitest';
import { matchesFilter } from '../../src/adapters/broker/topic-filter.js';

describe('MQTT topic filters', () => {
  it.each([
    ['bessai/+/telemetry', 'bessai/SITE-KE-001/telemetry', true],
    ['bessai/+/telemetry', 'bessai/SITE-KE-001/fleet_aggregate', false],
    ['bessai/+/telemetry', 'bessai/SITE-KE-001/telemetry/extra', false],
    ['$share/swapd/bessai/+/telemetry', 'bessai/SITE-KE-001/telemetry', true],
    ['call/uxi/attendant/plan/+/+', 'call/uxi/attendant/plan/p1/equipment_checkout', true],
    ['call/uxi/attendant/plan/+/+', 'bessai/SITE-KE-001/telemetry', false],
    ['bessai/#', 'bessai/SITE-KE-001/telemetry', true],
    ['bessai/#', 'bessai', true],
    ['#', '$SYS/broker/uptime', false],
    ['+/x', 'a/x', true],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(matchesFilter(filter, topic)).toBe(expected);
  });
});
