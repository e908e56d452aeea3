import { DriverError } from '../../../ports/data-provider.js';
import type { SeplosSettings } from '../registry/device-profile.js';

export type SeplosEndpoint = (
  | { kind: 'serial'; path: string; baudRate: number }
  | { kind: 'tcp'; host: string; port: number }
) & {
  /** Pack address on the bus (0-15 on the DIP switches; the protocol allows 0-255). */
  address: number;
  /** Pause between two commands, ms. */
  delayMs: number;
  /** Further attempts after an invalid answer. */
  retries: number;
};

export const SEPLOS_SCHEMES = ['seplos-v2:', 'seplos-v2-tcp:'] as const;

/**
 * `seplos-v2:///dev/ttyUSB0?baud=19200&address=0` (serial RS-485) or `seplos-v2-tcp://host:8888?address=1`
 * (an RS-485-to-TCP gateway). `delay_ms` and `retries` override the profile's inter-command delay and
 * retry count.
 */
export function parseSeplosUrl(url: string, defaults: SeplosSettings): SeplosEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(url, 'not a URL');
  }
  const common = {
    address: intParam(parsed, 'address', defaults.default_address, 0, 255),
    delayMs: intParam(parsed, 'delay_ms', defaults.inter_command_delay_ms, 0, 2_000),
    retries: intParam(parsed, 'retries', defaults.retries, 0, 3),
  };
  if (parsed.protocol === 'seplos-v2-tcp:') {
    if (!parsed.hostname) throw invalid(url, 'a host is required');
    const port = parsed.port ? Number(parsed.port) : defaults.default_tcp_port;
    return { kind: 'tcp', host: parsed.hostname.replace(/^\[|\]$/g, ''), port, ...common };
  }
  if (parsed.protocol === 'seplos-v2:') {
    const path = decodeURIComponent(parsed.pathname);
    if (!path || path === '/') throw invalid(url, 'a serial device path is required');
    const baudRate = intParam(parsed, 'baud', defaults.default_baud, 1_200, 115_200);
    return { kind: 'serial', path, baudRate, ...common };
  }
  throw invalid(url, `unknown scheme; valid schemes: ${SEPLOS_SCHEMES.join(', ')}`);
}

export function describeSeplosEndpoint(e: SeplosEndpoint): string {
  const where = e.kind === 'tcp' ? `${e.host}:${e.port}` : `${e.path}@${e.baudRate}`;
  return `${where} pack ${e.address}`;
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
