import { describe, it } from 'vitest';
import type { SubjectFactory } from './driver-contract.js';
import { CONTRACT_CHECKS } from './driver-contract.js';

/** Runs the SPEC-001 contract suite against one driver factory (a fresh subject per check). */
export function describeDriverContract(name: string, factory: SubjectFactory): void {
  describe(`SPEC-001 driver contract: ${name}`, () => {
    for (const check of CONTRACT_CHECKS) {
      it(check.name, async () => {
        const subject = await factory();
        try {
          await check.run(subject);
        } finally {
          await subject.driver.disconnect().catch(() => undefined);
          await subject.close();
        }
      });
    }
  });
}
