import type { Logger } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { DataProvider, DriverTimings } from '../../ports/data-provider.js';
import { DEFAULT_DRIVER_TIMINGS, DriverError } from '../../ports/data-provider.js';
import { ModbusDriver } from './modbus/modbus-driver.js';
import { parseModbusUrl } from './modbus/modbus-endpoint.js';
import type { RegistryProfile } from './registry/device-profile.js';
import { isModbusProfile, isSeplosProfile } from './registry/device-profile.js';
import { SeplosDriver } from './seplos/seplos-driver.js';
import { parseSeplosUrl } from './seplos/seplos-endpoint.js';

export interface CreateDriverOptions {
  profile: RegistryProfile;
  log: Logger;
  /** Overrides of SPEC-001's time limits (tests shorten them). */
  timings?: Partial<DriverTimings>;
  clock?: Clock;
}

type DriverConstructor = (url: string, options: CreateDriverOptions, timings: DriverTimings) => DataProvider;

const modbus: DriverConstructor = (url, options, timings) => {
  const profile = options.profile;
  if (!isModbusProfile(profile)) throw wrongProfile(url, profile.driver_class);
  return new ModbusDriver({
    profile,
    endpoint: parseModbusUrl(url, {
      port: profile.modbus.default_port,
      unitId: profile.modbus.default_unit_id,
    }),
    timings,
    log: options.log,
    clock: options.clock,
  });
};

const seplos: DriverConstructor = (url, options, timings) => {
  const profile = options.profile;
  if (!isSeplosProfile(profile)) throw wrongProfile(url, profile.driver_class);
  return new SeplosDriver({
    profile,
    endpoint: parseSeplosUrl(url, profile.seplos),
    timings,
    log: options.log,
    clock: options.clock,
  });
};

function wrongProfile(url: string, driverClass: string): DriverError {
  return new DriverError(
    'CONNECTION_FAILED',
    `device URL ${schemeOf(url)}// does not fit a ${driverClass} profile; pick the profile of that protocol`,
  );
}

/** Drivers by URL scheme. */
const DRIVERS: Record<string, DriverConstructor> = {
  'modbus-tcp:': modbus,
  'modbus-rtu:': modbus,
  'seplos-v2:': seplos,
  'seplos-v2-tcp:': seplos,
};

export const DRIVER_SCHEMES = Object.keys(DRIVERS).map((s) => s.replace(/:$/, ''));

/**
 * Builds the driver for a device URL (`modbus-tcp://host:502?unit=3`, `modbus-rtu:///dev/ttyUSB0?baud=9600&unit=1`,
 * `seplos-v2:///dev/ttyUSB0?baud=19200&address=0`, `seplos-v2-tcp://gateway:8888?address=1`).
 */
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
