import { describe, expect, it } from 'vitest';
import { checkResponseTopic } from '../../src/router/response-topic.js';

const PREFIX = 'rtrn/client/';

describe('MQTT 5 Response Topic check', () => {
  it.each([
    ['rtrn/client/ATT-001/inbox', PREFIX, null],
    ['rtrn/client/app-7', PREFIX, null],
    ['event/abs/payment/plan/X/payment_received', PREFIX, 'outside_prefix'],
    ['rtrn/abs/attendant/plan/X/checkout_response', PREFIX, 'outside_prefix'],
    ['rtrn/client/', PREFIX, 'outside_prefix'],
    ['rtrn/clientX/inbox', PREFIX, 'outside_prefix'],
    ['rtrn/client/+/inbox', PREFIX, 'malformed'],
    ['rtrn/client/#', PREFIX, 'malformed'],
    ['rtrn/client/a\u0000b', PREFIX, 'malformed'],
    ['rtrn/client/\ud800', PREFIX, 'malformed'],
    [`rtrn/client/${'x'.repeat(70_000)}`, PREFIX, 'malformed'],
    ['rtrn/client/ATT-001/inbox', null, 'disabled'],
  ])('%s under %s → %s', (topic, prefix, reason) => {
    expect(checkResponseTopic(topic, prefix)).toBe(reason);
  });
});
