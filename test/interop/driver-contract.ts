import type { DataProvider, DriverErrorCode, DriverTimings } from '../../src/ports/data-provider.js';
import { isDriverError, REQUIRED_READ_TAGS } from '../../src/ports/data-provider.js';

/**
 * The SPEC-001 driver contract as a list of checks any driver can be run through. `describeDriverContract`
 * turns them into vitest cases; `runContractChecks` runs them directly (to prove a broken driver fails).
 */
export interface ContractSubject {
  /** A fresh, disconnected driver on a working device. */
  driver: DataProvider;
  /** A driver whose device cannot be reached. */
  unreachable: () => DataProvider;
  /** Makes the device stop answering / answer again. */
  silence(): void | Promise<void>;
  restore(): void | Promise<void>;
  timings: DriverTimings;
  close(): Promise<void>;
}

export type SubjectFactory = () => Promise<ContractSubject>;

export interface ContractCheck {
  name: string;
  run(subject: ContractSubject): Promise<void>;
}

/** §5.1 physical bounds. */
const BOUNDS: Record<string, (v: number) => boolean> = {
  'SOC_%': (v) => v >= 0 && v <= 100,
  T_battery_C: (v) => v >= -40 && v <= 100,
  V_dc_V: (v) => v >= 0,
  mode: (v) => [0, 1, 2, 3].includes(v),
  alarm_code: (v) => v >= 0,
};
const TIME_MARGIN_MS = 250;

export class ContractViolation extends Error {}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new ContractViolation(message);
}

async function expectCode(
  work: () => Promise<unknown>,
  code: DriverErrorCode,
  what: string,
): Promise<unknown> {
  try {
    await work();
  } catch (err) {
    expect(isDriverError(err, code), `${what}: expected DriverError ${code}, got ${String(err)}`);
    return err;
  }
  throw new ContractViolation(`${what}: expected DriverError ${code}, but it succeeded`);
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: PromiseSettledResult<T> }> {
  const t0 = performance.now();
  const [result] = await Promise.allSettled([work()]);
  return { ms: performance.now() - t0, result: result as PromiseSettledResult<T> };
}

function supportedRequired(driver: DataProvider): string[] {
  return REQUIRED_READ_TAGS.filter((t) => !driver.tags.unsupportedRequiredTags.includes(t));
}

export const CONTRACT_CHECKS: readonly ContractCheck[] = [
  {
    name: '§4.2/4.3 properties: disconnected at start, non-empty source description, no I/O',
    async run({ driver }) {
      expect(driver.isConnected === false, 'isConnected must be false before connect()');
      expect(driver.state === 'DISCONNECTED', `state must be DISCONNECTED, got ${driver.state}`);
      expect(
        typeof driver.sourceDescription === 'string' && driver.sourceDescription.length > 0,
        'sourceDescription empty',
      );
      expect(driver.lastGoodReadAt === null, 'lastGoodReadAt must be null before any read');
    },
  },
  {
    name: '§4.4 connect() sets isConnected and is idempotent',
    async run({ driver }) {
      await driver.connect();
      expect(driver.isConnected && driver.state === 'CONNECTED', 'connected after connect()');
      await driver.connect();
      expect(driver.isConnected, 'still connected after a second connect()');
    },
  },
  {
    name: '§4.5/§5.1 every supported required tag reads a finite value within its bounds',
    async run({ driver }) {
      await driver.connect();
      for (const tag of supportedRequired(driver)) {
        const value = await driver.readTag(tag);
        expect(
          typeof value === 'number' && Number.isFinite(value),
          `${tag} must be a finite number, got ${value}`,
        );
        expect(BOUNDS[tag]?.(value) ?? true, `${tag} = ${value} is outside SPEC-001 §5.1`);
      }
      expect(driver.lastGoodReadAt instanceof Date, 'lastGoodReadAt set after a good read');
    },
  },
  {
    name: '§4.5 readTags returns every requested tag (same values as readTag)',
    async run({ driver }) {
      await driver.connect();
      const tags = supportedRequired(driver);
      const values = await driver.readTags(tags);
      for (const tag of tags) expect(typeof values[tag] === 'number', `readTags missing ${tag}`);
    },
  },
  {
    name: '§4.5/§5 unknown tags and unsupported required tags raise UNKNOWN_TAG',
    async run({ driver }) {
      await driver.connect();
      await expectCode(() => driver.readTag('NO_SUCH_TAG'), 'UNKNOWN_TAG', 'readTag(NO_SUCH_TAG)');
      for (const tag of driver.tags.unsupportedRequiredTags) {
        await expectCode(() => driver.readTag(tag), 'UNKNOWN_TAG', `readTag(${tag}) listed as unsupported`);
      }
    },
  },
  {
    name: '§4.5/§4.6 reads and writes before connect() raise NOT_CONNECTED',
    async run({ driver }) {
      const tag = supportedRequired(driver)[0] ?? 'SOC_%';
      await expectCode(() => driver.readTag(tag), 'NOT_CONNECTED', 'readTag before connect');
      const w = driver.tags.writable[0];
      if (w) await expectCode(() => driver.writeTag(w, 0), 'NOT_CONNECTED', 'writeTag before connect');
    },
  },
  {
    name: '§4.6 out-of-range writes raise RANGE, read-only tags raise UNKNOWN_TAG',
    async run({ driver }) {
      await driver.connect();
      if (driver.tags.writable.includes('P_setpoint_kW')) {
        const over = driver.tags.pMaxKw + 1;
        await expectCode(() => driver.writeTag('P_setpoint_kW', over), 'RANGE', 'P_setpoint_kW above p_max');
        await expectCode(
          () => driver.writeTag('P_setpoint_kW', -over),
          'RANGE',
          'P_setpoint_kW below -p_max',
        );
        await expectCode(() => driver.writeTag('P_setpoint_kW', Number.NaN), 'RANGE', 'P_setpoint_kW NaN');
      }
      const readOnly = supportedRequired(driver).find((t) => !driver.tags.writable.includes(t));
      if (readOnly)
        await expectCode(() => driver.writeTag(readOnly, 1), 'UNKNOWN_TAG', `writeTag(${readOnly})`);
    },
  },
  {
    name: '§4.6 an in-range write is applied',
    async run({ driver }) {
      await driver.connect();
      const tag = driver.tags.writable.find((t) => driver.tags.readable.includes(t));
      if (!tag) return;
      const value = tag === 'P_setpoint_kW' ? -Math.min(1, driver.tags.pMaxKw) : 0;
      await driver.writeTag(tag, value);
      expect((await driver.readTag(tag)) === value, `${tag} reads back ${value}`);
      await driver.writeTag(tag, 0);
    },
  },
  {
    name: '§4.7 disconnect() clears isConnected and is idempotent',
    async run({ driver }) {
      await driver.connect();
      await driver.disconnect();
      expect(!driver.isConnected && driver.state === 'DISCONNECTED', 'disconnected after disconnect()');
      await driver.disconnect();
      const tag = supportedRequired(driver)[0] ?? 'SOC_%';
      await expectCode(() => driver.readTag(tag), 'NOT_CONNECTED', 'readTag after disconnect');
    },
  },
  {
    name: '§4.5 timing: a read completes within the limit; a silent device gives TIMEOUT within it',
    async run(subject) {
      const { driver, timings } = subject;
      await driver.connect();
      const tag = supportedRequired(driver)[0] ?? 'SOC_%';
      const ok = await timed(() => driver.readTag(tag));
      expect(ok.result.status === 'fulfilled' && ok.ms < timings.requestTimeoutMs, `read took ${ok.ms} ms`);
      await subject.silence();
      try {
        const slow = await timed(() => driver.readTag(tag));
        const reason = slow.result.status === 'rejected' ? slow.result.reason : null;
        expect(isDriverError(reason, 'TIMEOUT'), `silent device: expected TIMEOUT, got ${String(reason)}`);
        expect(slow.ms <= timings.requestTimeoutMs + TIME_MARGIN_MS, `TIMEOUT after ${slow.ms} ms`);
        expect(!driver.isConnected, 'a timed-out connection is not reported as connected');
      } finally {
        await subject.restore();
      }
    },
  },
  {
    name: '§4.4 an unreachable device gives CONNECTION_FAILED within the connect limit',
    async run({ unreachable, timings }) {
      const driver = unreachable();
      const attempt = await timed(() => driver.connect());
      const reason = attempt.result.status === 'rejected' ? attempt.result.reason : null;
      expect(isDriverError(reason, 'CONNECTION_FAILED'), `expected CONNECTION_FAILED, got ${String(reason)}`);
      expect(
        attempt.ms <= timings.connectTimeoutMs + TIME_MARGIN_MS,
        `connect gave up after ${attempt.ms} ms`,
      );
      expect(!driver.isConnected, 'not connected after a failed connect');
      await driver.disconnect();
    },
  },
  {
    name: 'static info names the device',
    async run({ driver }) {
      await driver.connect();
      const info = await driver.readStaticInfo();
      expect(info.manufacturer.length > 0 && info.model.length > 0, 'manufacturer and model');
    },
  },
];

export interface CheckResult {
  name: string;
  passed: boolean;
  error?: unknown;
}

/** Runs every check on a fresh subject; returns the outcome of each. */
export async function runContractChecks(factory: SubjectFactory): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of CONTRACT_CHECKS) {
    const subject = await factory();
    try {
      await check.run(subject);
      results.push({ name: check.name, passed: true });
    } catch (error) {
      results.push({ name: check.name, passed: false, error });
    } finally {
      await subject.driver.disconnect().catch(() => undefined);
      await subject.close();
    }
  }
  return results;
}
