import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export interface PageAccessOptions {
  /** The address the HTTP server is bound to. */
  host: string;
  opsToken: string;
  /** Password of the `monitor` user, or null when there is none. */
  monitorPassword: string | null;
  /** Another check of a `monitor` user's password (a user store), consulted after monitorPassword. */
  verifyMonitor?: (password: string) => Promise<boolean>;
}

export type PageAccess = (req: IncomingMessage) => Promise<boolean>;

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

function same(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function basicCredentials(header: string): { user: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match) return null;
  const text = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? null : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * Who may read the station page. Bound to loopback, anyone on the machine (the default). Bound beyond
 * it: the ops token (`Authorization: Bearer …`, or HTTP Basic as user `ops`), or the read-only
 * `monitor` user over HTTP Basic, which a browser asks for once and then sends with every request,
 * the event stream included. Comparisons take constant time.
 */
export function pageAccess(options: PageAccessOptions): PageAccess {
  const open = isLoopback(options.host);
  return async (req) => {
    if (open) return true;
    const header = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (bearer) return same(bearer[1] as string, options.opsToken);
    const basic = basicCredentials(header);
    if (!basic) return false;
    if (basic.user === 'ops') return same(basic.password, options.opsToken);
    if (basic.user !== 'monitor') return false;
    if (options.monitorPassword !== null && same(basic.password, options.monitorPassword)) return true;
    return options.verifyMonitor ? options.verifyMonitor(basic.password) : false;
  };
}
