import { describe, expect, it } from 'vitest';
import { matchesFilter, subscriptionMatcher } from '../../src/adapters/broker/topic-filter.js';

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
    ['#', 'a', true],
    ['#', 'a/b/c', true],
    ['a/+/#', 'a/b', true],
    ['a/+/#', 'a/b/c/d', true],
    ['a/+/#', 'a', false],
    ['+', '$SYS', false],
    ['a/b', 'a/b/c', false],
    ['a/b/c', 'a/b', false],
    ['a//c', 'a//c', true],
    ['$share/g/#', 'x/y', true],
    ['$share/g/+/y', 'x/y', true],
    ['$share/g/+/y', 'x/z', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(matchesFilter(filter, topic)).toBe(expected);
  });

  it('a subscriber with several filters gets a message when any of them matches', () => {
    const matches = subscriptionMatcher(['call/uxi/attendant/plan/+/+', '$share/swapd/bessai/+/telemetry']);
    const at = (topic: string) => matches(topic, topic.split('/'));
    expect(at('call/uxi/attendant/plan/p1/equipment_checkout')).toBe(true);
    expect(at('bessai/SITE-KE-001/telemetry')).toBe(true);
    expect(at('bessai/SITE-KE-001/fleet_aggregate')).toBe(false);
    expect(at('call/odoo/billing/plan/p1/confirm_payment')).toBe(false);
  });
});
