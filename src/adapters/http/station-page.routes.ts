import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { StationHistory, StationStatus } from '../../ports/station-status.js';
import type { HttpReply, HttpRoute, RouteHandler } from './http-server.js';
import type { PageAccess } from './page-access.js';

/** What the page needs from the status service (src/runtime/station-status.service.ts). */
export interface StationStatusFeed {
  current(): Promise<StationStatus>;
  history(): StationHistory;
  subscribe(listener: (status: StationStatus) => void): () => void;
}

export interface StationPageOptions {
  status: StationStatusFeed;
  access: PageAccess;
  /** web/station: index.html, station.js, station.css. */
  webDir: string;
  /** uPlot's dist folder (default: the installed uplot package): served as it is, no CDN. */
  uplotDir?: string;
  /** Comment line sent on an idle event stream so proxies keep it open (default 15 s). */
  heartbeatMs?: number;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

const DENIED: HttpReply = {
  status: 401,
  body: { error: { code: 'UNAUTHORISED', message: 'the ops token or the monitor user is required' } },
  headers: { 'www-authenticate': 'Basic realm="swapd station", charset="UTF-8"' },
};

function asset(path: string): HttpReply {
  const ext = path.slice(path.lastIndexOf('.') + 1);
  return {
    status: 200,
    body: readFileSync(path, 'utf8'),
    contentType: TYPES[ext] ?? 'application/octet-stream',
    headers: { 'cache-control': 'no-cache' },
  };
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The station page at `/` and its data: `GET /api/v1/station/status` (snapshot and the last hour's
 * plots) and `GET /api/v1/station/events`, a server-sent event stream with a `status` event on every
 * change. Read-only; every route passes the page's access rule. `close()` ends the open streams.
 */
export function stationPageRoutes(options: StationPageOptions): { routes: HttpRoute[]; close(): void } {
  // Stations are often offline: the plot library comes from node_modules, never from a CDN.
  const uplotDir = options.uplotDir ?? dirname(createRequire(import.meta.url).resolve('uplot'));
  const files = {
    '/': asset(join(options.webDir, 'index.html')),
    '/station/station.js': asset(join(options.webDir, 'station.js')),
    '/station/station.css': asset(join(options.webDir, 'station.css')),
    '/station/vendor/uPlot.iife.min.js': asset(join(uplotDir, 'uPlot.iife.min.js')),
    '/station/vendor/uPlot.min.css': asset(join(uplotDir, 'uPlot.min.css')),
  };
  const streams = new Set<ServerResponse>();
  const guarded =
    (handler: RouteHandler): RouteHandler =>
    async (req, body, params) =>
      (await options.access(req)) ? handler(req, body, params) : DENIED;

  const stream = (res: ServerResponse): void => {
    streams.add(res);
    res.write('retry: 2000\n\n');
    const unsubscribe = options.status.subscribe((status) => res.write(event('status', status)));
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs ?? 15_000);
    heartbeat.unref();
    const end = () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    res.on('close', end);
    res.on('error', end);
    options.status.current().then(
      (status) => res.write(event('status', status)),
      () => undefined,
    );
  };

  const routes: HttpRoute[] = [
    ...Object.entries(files).map(
      ([path, reply]): HttpRoute => ({
        method: 'GET',
        path,
        open: 'always',
        handler: guarded(async () => reply),
      }),
    ),
    {
      method: 'GET',
      path: '/api/v1/station/status',
      open: 'always',
      handler: guarded(async () => ({
        status: 200,
        body: { status: await options.status.current(), history: options.status.history() },
        headers: { 'cache-control': 'no-store' },
      })),
    },
    {
      method: 'GET',
      path: '/api/v1/station/events',
      open: 'always',
      handler: guarded(async () => ({
        status: 200,
        body: null,
        contentType: 'text/event-stream; charset=utf-8',
        headers: { 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' },
        stream,
      })),
    },
  ];
  return {
    routes,
    close: () => {
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
