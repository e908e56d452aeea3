import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { isSwapdError } from '../../src/errors.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ env });
    return [];
  } catch (err) {
    if (!isSwapdError(err, 'CONFIG_INVALID')) throw err;
    return err.details.map((d) => d.path);
  }
}

describe('security settings that only make sense together', () => {
  it('keeps the zero-configuration default on 127.0.0.1', () => {
    expect(problems({})).toEqual([]);
  });

  it('refuses an embedded broker beyond loopback without users unless anonymous access is chosen', () => {
    expect(problems({ SWAPD_BROKER_HOST: '0.0.0.0' })).toEqual(['/broker_host']);
    expect(problems({ SWAPD_BROKER_HOST: '0.0.0.0', SWAPD_ALLOW_ANONYMOUS: 'true' })).toEqual([]);
  });

  it('wants both access files, and Odoo signatures once broker auth is on', () => {
    expect(problems({ SWAPD_BROKER_PASSWORD_FILE: '/p' })).toEqual(['/broker_acl_file', '/odoo_hmac_secret']);
    expect(
      problems({
        SWAPD_BROKER_PASSWORD_FILE: '/p',
        SWAPD_BROKER_ACL_FILE: '/a',
        SWAPD_ODOO_HMAC_SECRET: 'x'.repeat(16),
      }),
    ).toEqual([]);
    expect(problems({ SWAPD_MQTT_URL: 'mqtts://b:8883', SWAPD_MQTT_USERNAME: 'swapd' })).toEqual([
      '/odoo_hmac_secret',
    ]);
  });

  it('wants a certificate and key for TLS listeners, and a client key with a client certificate', () => {
    expect(problems({ SWAPD_BROKER_TLS_PORT: '8883' })).toEqual(['/broker_tls_cert']);
    expect(problems({ SWAPD_MQTT_URL: 'mqtts://b:8883', SWAPD_MQTT_CERT: '/c' })).toEqual(['/mqtt_key']);
  });
});
