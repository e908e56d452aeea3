import type { ErrorDetail } from '../errors.js';
import type { SwapdConfig } from './config.js';

/** Addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Is MQTT authentication on: a password file on the embedded broker, or credentials for an external one? */
export function brokerAuthOn(
  config: Pick<SwapdConfig, 'mqtt_url' | 'mqtt_username' | 'broker_password_file'>,
): boolean {
  return config.mqtt_url ? config.mqtt_username !== null : config.broker_password_file !== null;
}

type Rule = (c: SwapdConfig) => ErrorDetail | null;

const RULES: Rule[] = [
  (c) =>
    (c.broker_password_file === null) !== (c.broker_acl_file === null)
      ? {
          path: '/broker_acl_file',
          message:
            'broker_password_file and broker_acl_file go together (one policy: users and their topics)',
        }
      : null,
  (c) =>
    (c.broker_tls_port !== null || c.broker_wss_port !== null) && (!c.broker_tls_cert || !c.broker_tls_key)
      ? { path: '/broker_tls_cert', message: 'TLS listeners need broker_tls_cert and broker_tls_key' }
      : null,
  (c) =>
    !c.mqtt_url && !isLoopback(c.broker_host) && c.broker_password_file === null && !c.allow_anonymous
      ? {
          path: '/broker_host',
          message: `the embedded broker on ${c.broker_host} would let anyone on the network in: set broker_password_file and broker_acl_file, or allow_anonymous: true to accept that`,
        }
      : null,
  (c) =>
    brokerAuthOn(c) && c.roles.includes('agent') && c.odoo_hmac_secret === null
      ? {
          path: '/odoo_hmac_secret',
          message: 'with broker authentication on, Odoo callbacks must be signed: set odoo_hmac_secret',
        }
      : null,
  (c) =>
    (c.mqtt_cert === null) !== (c.mqtt_key === null)
      ? { path: '/mqtt_key', message: 'mqtt_cert and mqtt_key go together' }
      : null,
];

/** Security settings that only make sense together; every problem at once. */
export function securityProblems(config: SwapdConfig): ErrorDetail[] {
  return RULES.map((rule) => rule(config)).filter((d): d is ErrorDetail => d !== null);
}
