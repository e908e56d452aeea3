import { describe, expect, it } from 'vitest';
import { type Answer, realAnswers } from '../harness/fault-load.js';

const done = (fingerprint: string, replayed = false): Answer => ({
  success: true,
  replayed,
  code: null,
  fingerprint,
});
const refused = (code: string, fingerprint: string, replayed = false): Answer => ({
  success: false,
  replayed,
  code,
  fingerprint,
});

/** The fault suite's "exactly one real answer per request": what counts as a decision of its own. */
describe('realAnswers (test/harness/fault-load.ts)', () => {
  it('one success, its replays and a QoS 1 copy of it: one decision', () => {
    const a = done('t1 {"x":1}');
    expect(realAnswers([a, done('t2 {"x":1}', true), a])).toHaveLength(1);
  });

  it('retryable refusals while the database is away are not decisions', () => {
    const list = [refused('SERVICE_UNAVAILABLE', 't0 null'), done('t1 {}')];
    expect(realAnswers(list)).toHaveLength(1);
  });

  it('two different successes: applied twice', () => {
    expect(realAnswers([done('t1 {}'), done('t2 {}')])).toHaveLength(2);
  });

  it('a success and, for the same request, a refusal that is not a replay: decided twice', () => {
    const list = [done('t1 {}'), refused('EQUIPMENT_NOT_BELONGS_TO_USER', 't2 {}')];
    expect(realAnswers(list)).toHaveLength(2);
  });

  it('a refusal and then a success for the same correlation_id: decided twice', () => {
    const list = [refused('BATTERY_MISMATCH', 't1 {}'), done('t2 {}')];
    expect(realAnswers(list)).toHaveLength(2);
  });
});
