import { describe, expect, it } from 'vitest';
import { BrokenSeplosDriver } from '../fixtures/drivers/broken-seplos-driver.js';
import { startTestSeplos } from '../harness/seplos-harness.js';
import { closedPort, FAST_TIMINGS } from '../harness/simulator-harness.js';
import { CONTRACT_CHECKS, ContractViolation, runContractChecks } from './driver-contract.js';

describe('the contract suite rejects a broken Seplos driver', () => {
  it('fails it on the checks a careless Seplos port breaks', async () => {
    const patience = FAST_TIMINGS.requestTimeoutMs * 3;
    const results = await runContractChecks(async () => {
      const sim = await startTestSeplos({ slots: 1 });
      const port = await closedPort();
      return {
        driver: new BrokenSeplosDriver(sim.host, sim.port, patience),
        unreachable: () => new BrokenSeplosDriver('127.0.0.1', port, patience),
        silence: () => sim.fault({ kind: 'no-answer' }),
        restore: () => sim.clearFaults(),
        timings: FAST_TIMINGS,
        close: () => sim.close(),
      };
    });
    const failed = results.filter((r) => !r.passed);
    expect(results).toHaveLength(CONTRACT_CHECKS.length);
    expect(failed.length).toBeGreaterThanOrEqual(8);
    for (const f of failed) expect(f.error).toBeInstanceOf(ContractViolation);
    expect(failed.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('§4.2/4.3'),
        expect.stringContaining('within its bounds'),
        expect.stringContaining('unknown tags'),
        expect.stringContaining('out-of-range writes'),
        expect.stringContaining('timing'),
        expect.stringContaining('unreachable'),
      ]),
    );
  });
});
