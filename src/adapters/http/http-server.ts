import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isLoopback } from '../../config/security-rules.js';
import { isSwapdError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { matchPattern, parseTarget } from './request-target.js';

export type RouteHandler = (
  req: IncomingMessage,
  body: unknown,
  params: Record<string, string>,
) => Promise<HttpReply>;

export interface HttpReply {
  status: number;
  body: unknown;
  contentType?: string;
  /** Extra response headers (cache-control, www-authenticate, …). */
  headers?: Record<string, string>;
  /** A long-lived response (server-sent events): takes over the response after the head is written. */
  stream?: (res: ServerResponse) => void;
}

export interface HttpRoute {
  method: 'GET' | 'POST';
  /** e.g. /api/v1/assets/:asset_id/telemetry/latest */
  path: string;
  /**
   * Every route needs the ops token (Authorization: Bearer …) unless it opts out: `always` (GET /health,
   * GET /metrics, and routes that apply their own access rule) or `loopback` (open only while the server is
   * bound to a loopback address).
   */
  open?: 'always' | 'loopback';
  handler: RouteHandler;
}

/** Thrown inside a handler chain to answer with a status and a code. */
class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpFailure(413, 'PAYLOAD_TOO_LARGE', `request body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpFailure(413, 'PAYLOAD_TOO_LARGE', `request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpFailure(400, 'BAD_REQUEST', 'request body is not JSON');
  }
}

function send(res: ServerResponse, reply: HttpReply, close = false): void {
  if (res.headersSent || res.destroyed) return;
  const head = {
    'content-type': reply.contentType ?? 'application/json',
    ...reply.headers,
    ...(close ? { connection: 'close' } : {}),
  };
  if (reply.stream) {
    res.writeHead(reply.status, head);
    reply.stream(res);
    return;
  }
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status, head);
  res.end(text);
}

function errorReply(status: number, code: string, message: string): HttpReply {
  return { status, body: { error: { code, message } } };
}

function failure(err: unknown): HttpReply {
  if (err instanceof HttpFailure) return errorReply(err.status, err.code, err.message);
  if (isSwapdError(err)) {
    const status =
      err.code === 'NOT_FOUND' ? 404 : err.code === 'ALREADY_EXISTS' ? 409 : err.retryable ? 503 : 400;
    return { status, body: { error: { code: err.code, message: err.message, details: err.details } } };
  }
  return errorReply(500, 'INTERNAL_ERROR', 'internal error');
}

/** The route and its decoded parameters, or the reply that refuses the request. */
function resolveRoute(
  routes: readonly HttpRoute[],
  req: IncomingMessage,
): { route: HttpRoute; params: Record<string, string> } | HttpReply {
  const target = parseTarget(req.url);
  if (!target) return errorReply(400, 'BAD_REQUEST', 'request target must be a path');
  let pathMatched = false;
  for (const route of routes) {
    const m = matchPattern(route.path, target);
    if (!m) continue;
    if ('badSegment' in m)
      return errorReply(
        400,
        'BAD_REQUEST',
        `path parameter ${m.badSegment} is not a valid percent-encoded text`,
      );
    pathMatched = true;
    if (route.method === req.method) return { route, params: m.params };
  }
  return pathMatched
    ? errorReply(405, 'METHOD_NOT_ALLOWED', `${String(req.method)} is not allowed here`)
    : errorReply(404, 'NOT_FOUND', 'no such endpoint');
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

interface ServeOptions {
  host: string;
  token: string;
  maxBodyBytes: number;
  log: Logger;
}

/** One request, answered exactly once; nothing a client sends makes it throw past here. */
async function serve(
  routes: readonly HttpRoute[],
  req: IncomingMessage,
  res: ServerResponse,
  o: ServeOptions,
) {
  const resolved = resolveRoute(routes, req);
  if (!('route' in resolved)) return send(res, resolved, true);
  const { route, params } = resolved;
  if (tokenRequired(route, o.host) && !hasToken(req, o.token))
    return send(res, errorReply(401, 'UNAUTHORISED', 'ops token required'), true);
  try {
    const body = await readBody(req, o.maxBodyBytes);
    send(res, await route.handler(req, body, params));
  } catch (err) {
    const reply = failure(err);
    if (reply.status >= 500) o.log.error({ err }, 'HTTP request failed');
    send(res, reply, reply.status === 413);
  }
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
  options: {
    host: string;
    port: number;
    fallback: boolean;
    token: string;
    log: Logger;
    /** Largest request body read (default 1 MiB); larger ones get 413 before they are buffered. */
    maxBodyBytes?: number;
  },
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const serveOptions: ServeOptions = {
    host: options.host,
    token: options.token,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    log: options.log,
  };
  const server = createServer((req, res) => {
    req.on('error', () => res.destroy());
    res.on('error', () => {});
    serve(routes, req, res, serveOptions).catch((err: unknown) => {
      options.log.error({ err }, 'HTTP request failed');
      send(res, errorReply(500, 'INTERNAL_ERROR', 'internal error'), true);
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
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
