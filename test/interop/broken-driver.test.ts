import { describe, expect, it } from 'vitest';
import { BrokenDriver } from '../fixtures/drivers/broken-driver.js';
import { FAST_TIMINGS } from '../harness/simulator-harness.js';
import { CONTRACT_CHECKS, ContractViolation, runContractChecks } from './driver-contract.js';

describe('the contract suite can fail', () => {
  it('rejects a deliberately broken driver on most checks', async () => {
    const results = await runContractChecks(async () => ({
      driver: new BrokenDriver(),
      unreachable: () => new BrokenDriver(),
      silence: () => undefined,
      restore: () => undefined,
      timings: FAST_TIMINGS,
      close: async () => undefined,
    }));
    const failed = results.filter((r) => !r.passed);
    expect(results).toHaveLength(CONTRACT_CHECKS.length);
    expect(failed.length).toBeGreaterThanOrEqual(8);
    for (const f of failed) expect(f.error).toBeInstanceOf(ContractViolation);
    expect(failed.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('§4.2/4.3'),
        expect.stringContaining('unknown tags'),
        expect.stringContaining('out-of-range writes'),
        expect.stringContaining('timing'),
        expect.stringContaining('unreachable'),
      ]),
    );
  });
});
