import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { isSwapdError } from '../../src/errors.js';

describe('configuration', () => {
  it('no configuration at all is the embedded default', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      mqtt_url: null,
      database_url: null,
      data_dir: './data',
      broker_port: 1883,
      http_port: 8080,
      site_id: 'SITE-KE-001',
      roles: ['agent', 'station'],
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('environment over file; DATABASE_URL is accepted too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'swapd-cfg-'));
    const file = join(dir, 'station.json');
    writeFileSync(file, JSON.stringify({ http_port: 9000, site_id: 'SITE-KE-014' }));
    const config = loadConfig({
      file,
      env: { SWAPD_HTTP_PORT: '9100', DATABASE_URL: 'postgres://db/swapd' },
    });
    expect(config).toMatchObject({
      http_port: 9100,
      site_id: 'SITE-KE-014',
      database_url: 'postgres://db/swapd',
    });
    expect(config.explicit).toContain('http_port');
  });

  it('reports every wrong field at once, naming the variable', () => {
    try {
      loadConfig({
        env: { SWAPD_BROKER_PORT: 'abc', SWAPD_ROLES: 'agent,cook', SWAPD_MQTT_URL: 'http://x' },
      });
      expect.unreachable();
    } catch (err) {
      expect(isSwapdError(err, 'CONFIG_INVALID')).toBe(true);
      const message = (err as Error).message;
      expect(message).toContain('SWAPD_BROKER_PORT /broker_port: must be integer');
      expect(message).toContain('SWAPD_ROLES /roles/1');
      expect(message).toContain('SWAPD_MQTT_URL /mqtt_url');
    }
  });

  it('rejects unknown fields in the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'swapd-cfg-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ http_prot: 1 }));
    expect(() => loadConfig({ file, env: {} })).toThrow(/http_prot/);
  });
});
