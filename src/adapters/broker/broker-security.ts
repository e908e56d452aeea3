import { readFileSync } from 'node:fs';
import type { SwapdConfig } from '../../config/config.js';
import { isLoopback } from '../../config/security-rules.js';
import { SwapdError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { type InternalCredentials, openAccessFiles } from './access-files.js';
import { type AedesAccessHooks, aedesAccessHooks } from './aedes-access.js';
import type { EmbeddedTlsOptions } from './embedded-broker.js';
import type { BrokerTlsOptions } from './mqtt-client.js';

/** The embedded broker's access control from the configured files; null when none are configured. */
export function embeddedAccess(
  config: SwapdConfig,
  log: Logger,
): { hooks: AedesAccessHooks; internal: InternalCredentials } | null {
  if (!config.mqtt_url && config.allow_anonymous && !isLoopback(config.broker_host))
    log.warn(
      { host: config.broker_host },
      'allow_anonymous is on: anyone who can reach the embedded broker may connect',
    );
  if (!config.broker_password_file && !config.broker_acl_file) return null;
  const files = openAccessFiles({
    passwordFile: config.broker_password_file,
    aclFile: config.broker_acl_file,
    allowAnonymous: config.allow_anonymous,
    log: log.child({ component: 'broker-access' }),
  });
  return {
    hooks: aedesAccessHooks(() => files.current(), log.child({ component: 'broker-access' })),
    internal: files.internal,
  };
}

export function embeddedTls(config: SwapdConfig): EmbeddedTlsOptions | null {
  if (config.broker_tls_port === null && config.broker_wss_port === null) return null;
  return {
    certFile: config.broker_tls_cert as string,
    keyFile: config.broker_tls_key as string,
    port: config.broker_tls_port,
    wssPort: config.broker_wss_port,
  };
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new SwapdError('CONFIG_INVALID', `cannot read ${what} ${path}`, { cause });
  }
}

/** TLS settings for swapd's client to an external broker: the server is verified unless mqtt_tls_insecure. */
export function clientTls(config: SwapdConfig): BrokerTlsOptions | null {
  if (!config.mqtt_url) return null;
  return {
    rejectUnauthorized: !config.mqtt_tls_insecure,
    ...(config.mqtt_ca ? { ca: readPem(config.mqtt_ca, 'mqtt_ca') } : {}),
    ...(config.mqtt_cert ? { cert: readPem(config.mqtt_cert, 'mqtt_cert') } : {}),
    ...(config.mqtt_key ? { key: readPem(config.mqtt_key, 'mqtt_key') } : {}),
  };
}
