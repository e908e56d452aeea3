import type { Logger } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { DataProvider, DriverTimings } from '../../ports/data-provider.js';
import { DEFAULT_DRIVER_TIMINGS, DriverError } from '../../ports/data-provider.js';
import { ModbusDriver } from './modbus/modbus-driver.js';
import { parseModbusUrl } from './modbus/modbus-endpoint.js';
import type { DeviceProfile } from './registry/device-profile.js';

export interface CreateDriverOptions {
  profile: DeviceProfile;
  log: Logger;
  /** Overrides of SPEC-001's time limits (tests shorten them). */
  timings?: Partial<DriverTimings>;
  clock?: Clock;
}

type DriverConstructor = (url: string, options: CreateDriverOptions, timings: DriverTimings) => DataProvider;

const modbus: DriverConstructor = (url, options, timings) =>
  new ModbusDriver({
    profile: options.profile,
    endpoint: parseModbusUrl(url, {
      port: options.profile.modbus.default_port,
      unitId: options.profile.modbus.default_unit_id,
    }),
    timings,
    log: options.log,
    clock: options.clock,
  });

/** Drivers by URL scheme. */
const DRIVERS: Record<string, DriverConstructor> = {
  'modbus-tcp:': modbus,
  'modbus-rtu:': modbus,
};

export const DRIVER_SCHEMES = Object.keys(DRIVERS).map((s) => s.replace(/:$/, ''));

/** Builds the driver for a device URL (`modbus-tcp://host:502?unit=3`, `modbus-rtu:///dev/ttyUSB0?baud=9600&unit=1`). */
export function createDriver(url: string, options: CreateDriverOptions): DataProvider {
  const scheme = schemeOf(url);
  const build = DRIVERS[scheme];
  if (!build) {
    throw new DriverError(
      'CONNECTION_FAILED',
      `unknown device URL scheme "${scheme}"; valid schemes: ${DRIVER_SCHEMES.join(', ')}`,
    );
  }
  return build(url, options, resolveTimings(options.timings));
}

export function resolveTimings(overrides: Partial<DriverTimings> = {}): DriverTimings {
  return Object.freeze({ ...DEFAULT_DRIVER_TIMINGS, ...overrides });
}

function schemeOf(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:)/i.exec(url);
  return match?.[1]?.toLowerCase() ?? url;
}
