import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isLoopback } from '../../config/security-rules.js';
import { isSwapdError } from '../../errors.js';
import type { Logger } from '../../log.js';

export type RouteHandler = (
  req: IncomingMessage,
  body: unknown,
  params: Record<string, string>,
) => Promise<HttpReply>;

export interface HttpReply {
  status: number;
  body: unknown;
  contentType?: string;
}

export interface HttpRoute {
  method: 'GET' | 'POST';
  /** e.g. /api/v1/assets/:asset_id/telemetry/latest */
  path: string;
  /**
   * Every route needs the ops token (Authorization: Bearer …) unless it opts out: `always` (GET /health,
   * GET /metrics) or `loopback` (open only while the server is bound to a loopback address).
   */
  open?: 'always' | 'loopback';
  handler: RouteHandler;
}

function tokenRequired(route: HttpRoute, host: string): boolean {
  if (route.open === 'always') return false;
  return route.open === 'loopback' ? !isLoopback(host) : true;
}

/** Constant-time comparison of the Authorization header with the token (digests: equal lengths). */
function hasToken(req: IncomingMessage, token: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(req.headers.authorization ?? ''), digest(`Bearer ${token}`));
}

function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/');
  const b = path.split('/');
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    const p = a[i] as string;
    if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(b[i] as string);
    else if (p !== b[i]) return null;
  }
  return params;
}

async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('request body is not JSON'), { status: 400 });
  }
}

function send(res: ServerResponse, reply: HttpReply): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json' });
  res.end(text);
}

function failure(err: unknown): HttpReply {
  if (isSwapdError(err)) {
    const status =
      err.code === 'NOT_FOUND' ? 404 : err.code === 'ALREADY_EXISTS' ? 409 : err.retryable ? 503 : 400;
    return { status, body: { error: { code: err.code, message: err.message, details: err.details } } };
  }
  const status = (err as { status?: number }).status ?? 500;
  return {
    status,
    body: {
      error: { code: status === 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST', message: (err as Error).message },
    },
  };
}

/** Listens on the port, or (when the operator did not choose it) the next free one. */
async function listenHttp(server: Server, host: string, port: number, attempts: number): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port === 0 ? 0 : port + i, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || i === attempts - 1 || port === 0) throw err;
    }
  }
}

/** The operator surface (SPEC §9): a small route table on node:http. */
export async function startHttpServer(
  routes: readonly HttpRoute[],
  options: { host: string; port: number; fallback: boolean; token: string; log: Logger },
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes.find((r) => r.method === req.method && match(r.path, url.pathname));
    if (!route)
      return send(res, { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no such endpoint' } } });
    if (tokenRequired(route, options.host) && !hasToken(req, options.token)) {
      return send(res, {
        status: 401,
        body: { error: { code: 'UNAUTHORISED', message: 'ops token required' } },
      });
    }
    const params = match(route.path, url.pathname) ?? {};
    readBody(req, 8 * 1024 * 1024)
      .then((body) => route.handler(req, body, params))
      .then((reply) => send(res, reply))
      .catch((err: unknown) => {
        const reply = failure(err);
        if (reply.status >= 500) options.log.error({ err }, 'HTTP request failed');
        send(res, reply);
      });
  });
  await listenHttp(server, options.host, options.port, options.fallback ? 16 : 1);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
