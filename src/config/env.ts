/** SWAPD_* environment variables and the configuration field each one sets. */
export const ENV_FIELDS = {
  SWAPD_MQTT_URL: { field: 'mqtt_url', kind: 'string' },
  SWAPD_MQTT_USERNAME: { field: 'mqtt_username', kind: 'string' },
  SWAPD_MQTT_PASSWORD: { field: 'mqtt_password', kind: 'string' },
  SWAPD_SHARED_SUBSCRIPTION_GROUP: { field: 'shared_subscription_group', kind: 'string' },
  SWAPD_MQTT5_RESPONSE_TOPIC_PREFIX: { field: 'mqtt5_response_topic_prefix', kind: 'string' },
  SWAPD_BROKER_HOST: { field: 'broker_host', kind: 'string' },
  SWAPD_BROKER_PORT: { field: 'broker_port', kind: 'integer' },
  SWAPD_BROKER_WS_PORT: { field: 'broker_ws_port', kind: 'integer' },
  SWAPD_DATABASE_URL: { field: 'database_url', kind: 'string' },
  SWAPD_DATA_DIR: { field: 'data_dir', kind: 'string' },
  SWAPD_HTTP_HOST: { field: 'http_host', kind: 'string' },
  SWAPD_HTTP_PORT: { field: 'http_port', kind: 'integer' },
  SWAPD_MONITOR_PASSWORD: { field: 'monitor_password', kind: 'string' },
  SWAPD_SITE_ID: { field: 'site_id', kind: 'string' },
  SWAPD_ROLES: { field: 'roles', kind: 'list' },
  SWAPD_LOG_LEVEL: { field: 'log_level', kind: 'string' },
  SWAPD_LOG_PRETTY: { field: 'log_pretty', kind: 'boolean' },
  SWAPD_TEMPLATES_DIR: { field: 'templates_dir', kind: 'string' },
  SWAPD_REGISTRY_DIR: { field: 'registry_dir', kind: 'string' },
  SWAPD_BROKER_PASSWORD_FILE: { field: 'broker_password_file', kind: 'string' },
  SWAPD_BROKER_ACL_FILE: { field: 'broker_acl_file', kind: 'string' },
  SWAPD_ALLOW_ANONYMOUS: { field: 'allow_anonymous', kind: 'boolean' },
  SWAPD_BROKER_TLS_PORT: { field: 'broker_tls_port', kind: 'integer' },
  SWAPD_BROKER_WSS_PORT: { field: 'broker_wss_port', kind: 'integer' },
  SWAPD_BROKER_TLS_CERT: { field: 'broker_tls_cert', kind: 'string' },
  SWAPD_BROKER_TLS_KEY: { field: 'broker_tls_key', kind: 'string' },
  SWAPD_MQTT_CA: { field: 'mqtt_ca', kind: 'string' },
  SWAPD_MQTT_CERT: { field: 'mqtt_cert', kind: 'string' },
  SWAPD_MQTT_KEY: { field: 'mqtt_key', kind: 'string' },
  SWAPD_MQTT_TLS_INSECURE: { field: 'mqtt_tls_insecure', kind: 'boolean' },
  SWAPD_ODOO_HMAC_SECRET: { field: 'odoo_hmac_secret', kind: 'string' },
} as const;

export type EnvName = keyof typeof ENV_FIELDS;

function convert(kind: string, raw: string): unknown {
  if (kind === 'integer') return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (kind === 'boolean')
    return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
  if (kind === 'list')
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return raw;
}

/** The configuration fields set by the environment, and for each field which variable set it. */
export function readEnv(env: Readonly<Record<string, string | undefined>>): {
  values: Record<string, unknown>;
  sources: Record<string, string>;
} {
  const values: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  const withFallback: Record<string, string | undefined> = {
    ...env,
    SWAPD_DATABASE_URL: env.SWAPD_DATABASE_URL ?? env.DATABASE_URL,
  };
  for (const [name, spec] of Object.entries(ENV_FIELDS)) {
    const raw = withFallback[name];
    if (raw === undefined || raw === '') continue;
    values[spec.field] = convert(spec.kind, raw);
    sources[spec.field] = name;
  }
  return { values, sources };
}
