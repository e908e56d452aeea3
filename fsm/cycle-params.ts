import { type ErrorDetail, SwapdError } from '../src/errors.js';
import type { CycleParams } from './cycle.types.js';

/**
 * Template parameters and clocks are checked where they enter the cycles. A bad value is a fault of
 * the caller (templates are validated when loaded), so it throws rather than refusing.
 */
export function assertParams(params: CycleParams): void {
  const details: ErrorDetail[] = [];
  if (!(Number.isFinite(params.billingPeriodDays) && params.billingPeriodDays > 0)) {
    details.push({ path: 'billingPeriodDays', message: 'must be a number above 0' });
  }
  if (!(Number.isFinite(params.gracePeriodDays) && params.gracePeriodDays >= 0)) {
    details.push({ path: 'gracePeriodDays', message: 'must be a number of at least 0' });
  }
  if (typeof params.depositRequired !== 'boolean') {
    details.push({ path: 'depositRequired', message: 'must be a boolean' });
  }
  if (details.length > 0) throw new SwapdError('INVALID_VALUE', 'invalid cycle parameters', { details });
}

export function epochOf(now: Date): number {
  const ms = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new SwapdError('INVALID_VALUE', `invalid clock value ${String(now)}`);
  return ms;
}
