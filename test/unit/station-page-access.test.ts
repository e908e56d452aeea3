import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../src/adapters/http/http-server.js';
import { isLoopback, pageAccess } from '../../src/adapters/http/page-access.js';
import { stationPageRoutes } from '../../src/adapters/http/station-page.routes.js';
import { silentLogger } from '../../src/log.js';
import { PROJECT_ROOT } from '../../src/main.js';
import type { StationStatus } from '../../src/ports/station-status.js';

const TOKEN = 'ops-token-0123456789abcdef';
const MONITOR = 'monitor-password-42';

const snapshot: StationStatus = {
  site_id: 'SITE-KE-001',
  sampled_at: '2026-01-01T00:00:00.000Z',
  broker: { connected: true },
  database: { up: true, description: 'test' },
  drivers: {},
  outbox_depth: 0,
  slots: [],
  charging_kw: 0,
  last_swaps: [],
  last_payments: [],
  sections: {},
};

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('station page access', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'])
      expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'station.local', '128.0.0.1'])
      expect(isLoopback(host)).toBe(false);
  });

  describe('over HTTP, as if bound beyond 127.0.0.1', () => {
    let base: string;
    let close: () => Promise<void>;

    beforeAll(async () => {
      const page = stationPageRoutes({
        status: {
          current: async () => snapshot,
          history: () => ({ times: [], soc: {}, power: {} }),
          subscribe: () => () => {},
        },
        access: pageAccess({ host: '10.0.0.5', opsToken: TOKEN, monitorPassword: MONITOR }),
        webDir: resolve(PROJECT_ROOT, 'web/station'),
      });
      const http = await startHttpServer(page.routes, {
        host: '127.0.0.1',
        port: 0,
        fallback: false,
        token: TOKEN,
        log: silentLogger(),
      });
      base = `http://127.0.0.1:${http.port}`;
      close = async () => {
        page.close();
        await http.close();
      };
    });
    afterAll(() => close?.());

    it('asks a browser for credentials (401 with a Basic challenge) and shows nothing without them', async () => {
      for (const path of ['/', '/station/station.js', '/api/v1/station/status', '/api/v1/station/events']) {
        const res = await fetch(`${base}${path}`);
        expect(res.status, path).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="swapd station", charset="UTF-8"');
        expect(await res.text()).not.toContain('SITE-KE-001');
      }
    });

    it('refuses a wrong password, a wrong token and any other user name', async () => {
      for (const authorization of [
        basic('monitor', 'wrong-password-000'),
        basic('ops', 'not-the-token'),
        basic('admin', MONITOR),
        basic('root', TOKEN),
        'Bearer not-the-token',
        'Basic !!!',
      ]) {
        const res = await fetch(`${base}/api/v1/station/status`, { headers: { authorization } });
        expect(res.status, authorization).toBe(401);
      }
    });

    it('lets the monitor user and the ops token read the page and its data', async () => {
      for (const authorization of [basic('monitor', MONITOR), basic('ops', TOKEN), `Bearer ${TOKEN}`]) {
        const page = await fetch(`${base}/`, { headers: { authorization } });
        expect(page.status).toBe(200);
        expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
        const data = await fetch(`${base}/api/v1/station/status`, { headers: { authorization } });
        expect(((await data.json()) as { status: StationStatus }).status.site_id).toBe('SITE-KE-001');
      }
      const plots = await fetch(`${base}/station/vendor/uPlot.iife.min.js`, {
        headers: { authorization: basic('monitor', MONITOR) },
      });
      expect(plots.status).toBe(200);
      expect(await plots.text()).toContain('uPlot');
    });

    it('accepts nothing but GET: the page is read-only', async () => {
      const res = await fetch(`${base}/api/v1/station/status`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      // The path exists for GET only: any other method is refused with 405 and changes nothing.
      expect(res.status).toBe(405);
    });
  });

  it('is open to anyone on the machine when bound to loopback', async () => {
    const open = pageAccess({ host: '127.0.0.1', opsToken: TOKEN, monitorPassword: null });
    const req = { headers: {} } as Parameters<typeof open>[0];
    await expect(open(req)).resolves.toBe(true);
    const closed = pageAccess({ host: '0.0.0.0', opsToken: TOKEN, monitorPassword: null });
    await expect(closed(req)).resolves.toBe(false);
    await expect(closed({ headers: { authorization: basic('monitor', '') } } as typeof req)).resolves.toBe(
      false,
    );
  });
});
