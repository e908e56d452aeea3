import { DriverError } from '../../../ports/data-provider.js';

export type ModbusEndpoint =
  | { kind: 'tcp'; host: string; port: number; unitId: number }
  | { kind: 'rtu'; path: string; baudRate: number; unitId: number };

export const MODBUS_SCHEMES = ['modbus-tcp:', 'modbus-rtu:'] as const;

/**
 * `modbus-tcp://host:502?unit=3` or `modbus-rtu:///dev/ttyUSB0?baud=9600&unit=1`. Port and unit default
 * to the profile's values.
 */
export function parseModbusUrl(url: string, defaults: { port: number; unitId: number }): ModbusEndpoint {
  const parsed = new URL(url);
  const unitId = intParam(parsed, 'unit', defaults.unitId, 0, 255);
  if (parsed.protocol === 'modbus-tcp:') {
    if (!parsed.hostname) throw invalid(url, 'a host is required');
    const port = parsed.port ? Number(parsed.port) : defaults.port;
    return { kind: 'tcp', host: parsed.hostname.replace(/^\[|\]$/g, ''), port, unitId };
  }
  if (parsed.protocol === 'modbus-rtu:') {
    const path = decodeURIComponent(parsed.pathname);
    if (!path || path === '/') throw invalid(url, 'a serial device path is required');
    return { kind: 'rtu', path, baudRate: intParam(parsed, 'baud', 9600, 50, 4_000_000), unitId };
  }
  throw invalid(url, `unknown scheme; valid schemes: ${MODBUS_SCHEMES.join(', ')}`);
}

export function describeEndpoint(endpoint: ModbusEndpoint): string {
  return endpoint.kind === 'tcp'
    ? `${endpoint.host}:${endpoint.port} unit ${endpoint.unitId}`
    : `${endpoint.path}@${endpoint.baudRate} unit ${endpoint.unitId}`;
}

function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw invalid(url.href, `${name} must be ${min}..${max}`);
  return value;
}

function invalid(url: string, why: string): DriverError {
  return new DriverError('CONNECTION_FAILED', `invalid device URL ${url}: ${why}`);
}
