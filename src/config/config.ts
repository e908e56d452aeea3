import { readFileSync } from 'node:fs';
import { CHEMISTRIES, type Chemistry, type LimitOverrides, resolveLimits } from '../../safety/index.js';
import { type ErrorDetail, SwapdError } from '../errors.js';
import { createAjv } from '../validation/ajv.js';
import schema from './config.schema.json' with { type: 'json' };
import { readEnv } from './env.js';
import { securityProblems } from './security-rules.js';

export type Role = 'agent' | 'station';

export interface DeviceConfig {
  readonly id: string;
  readonly url: string;
  readonly profile: string;
  readonly role: 'slot' | 'scanner' | 'inverter';
  readonly slot?: number;
}

/** SPEC-003 telemetry settings (config.schema.json `telemetry`). */
export interface TelemetryConfig {
  readonly publish: boolean;
  readonly interval_ms: number;
  readonly qos: 0 | 1;
  readonly fleet_interval_ms: number;
  readonly grid_intensity_g_kwh: number | null;
  readonly displaced_g_kwh: number;
  readonly country_code: string | null;
  readonly ingest: boolean;
  readonly sites: readonly string[] | null;
  readonly write_interval_ms: number;
  readonly write_batch_rows: number;
  readonly history_retention_hours: number;
  readonly max_future_skew_seconds: number;
  readonly max_message_bytes: number;
  readonly max_assets: number;
}

export interface SwapdConfig {
  readonly mqtt_url: string | null;
  readonly mqtt_username: string | null;
  readonly mqtt_password: string | null;
  readonly shared_subscription_group: string | null;
  /** MQTT 5 Response Topics are answered on only under this prefix (null: never). */
  readonly mqtt5_response_topic_prefix: string | null;
  readonly broker_host: string;
  readonly broker_port: number;
  readonly broker_port_fallback: boolean;
  readonly broker_ws_port: number | null;
  readonly database_url: string | null;
  readonly data_dir: string;
  readonly http_host: string;
  readonly monitor_password: string | null;
  readonly http_port: number;
  readonly site_id: string;
  readonly roles: readonly Role[];
  readonly log_level: string;
  readonly log_pretty: boolean;
  readonly max_payload_bytes: number;
  readonly templates_dir: string | null;
  readonly registry_dir: string | null;
  readonly outbox_batch_size: number;
  readonly outbox_retry_ms: number;
  /** How long a relay's claim on outbox rows lasts (a killed instance's rows wait this long). */
  readonly outbox_lease_ms: number;
  readonly scheduler_interval_ms: number;
  readonly db_pool_size: number;
  /** Writing requests in one transaction at most (1: every request on its own). */
  readonly request_group_max: number;
  /** How long a group waits for requests already on their way (never when none is). */
  readonly request_group_wait_ms: number;
  /** Request groups in their transactions at once (PGlite: always 1). */
  readonly request_group_concurrency: number;
  readonly kwh_mismatch_tolerance_kwh: number;
  readonly broker_password_file: string | null;
  readonly broker_acl_file: string | null;
  readonly allow_anonymous: boolean;
  readonly broker_tls_port: number | null;
  readonly broker_wss_port: number | null;
  readonly broker_tls_cert: string | null;
  readonly broker_tls_key: string | null;
  readonly mqtt_ca: string | null;
  readonly mqtt_cert: string | null;
  readonly mqtt_key: string | null;
  readonly mqtt_tls_insecure: boolean;
  readonly odoo_hmac_secret: string | null;
  readonly station: {
    readonly simulator: boolean;
    readonly simulator_port: number;
    readonly simulator_slots: number;
    readonly devices: readonly DeviceConfig[];
    /** The station's grid power limit, shared by the charging slots. */
    readonly max_power_kw: number;
    /** Slots charge towards this SOC (kept inside each chemistry's SOC_MAX). */
    readonly target_soc_pct: number;
    readonly poll_interval_ms: number;
    /** Run the charging control loop (the SafetyGuard is always in front of every write). */
    readonly control: boolean;
    readonly safety: StationSafetyConfig;
  };
  readonly telemetry: TelemetryConfig;
  /** Fields the operator set explicitly (file or environment), e.g. to tell a chosen port from the default. */
  readonly explicit: readonly string[];
}

export interface StationSafetyConfig {
  readonly stale_after_s: number;
  /** Limits for a profile whose chemistry is neither LFP nor NMC (or not given). */
  readonly fallback_chemistry: Chemistry;
  /** Normal-tier overrides per chemistry, each inside its critical limit. */
  readonly limits: Readonly<Partial<Record<Chemistry, LimitOverrides>>>;
}

export interface LoadConfigOptions {
  env?: Readonly<Record<string, string | undefined>>;
  file?: string | null;
  overrides?: Record<string, unknown>;
  /**
   * false: only each field is checked, not the settings that must go together for swapd to start safely
   * (SafetyGuard limits, broker security). For commands that only edit files, such as `swapd users`.
   */
  startRules?: boolean;
}

const ajv = createAjv({ useDefaults: true });
const validate = ajv.compile<Omit<SwapdConfig, 'explicit'>>(schema);

function readFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new SwapdError('CONFIG_INVALID', `cannot read configuration file ${path}`, { cause });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (cause) {
    throw new SwapdError('CONFIG_INVALID', `configuration file ${path} is not a JSON object`, { cause });
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** File, then SWAPD_* environment, then explicit overrides; validated with all errors at once; frozen. */
export function loadConfig(options: LoadConfigOptions = {}): SwapdConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.SWAPD_CONFIG ?? null;
  const fromFile = file ? readFile(file) : {};
  const { values, sources } = readEnv(env);
  const merged: Record<string, unknown> = { ...fromFile, ...values, ...options.overrides };
  const explicit = Object.keys(merged);
  if (!validate(merged)) {
    const details = (validate.errors ?? []).map((e) => {
      const field = e.instancePath.split('/')[1] ?? e.params?.additionalProperty ?? '';
      const via = sources[field] ? `${sources[field]} ` : '';
      return {
        path: `${via}${e.instancePath || '/'}`.trim(),
        message: `${e.message ?? 'invalid'}${e.params?.additionalProperty ? ` '${e.params.additionalProperty}'` : ''}`,
      };
    });
    const lines = details.map((d) => `  ${d.path}: ${d.message}`).join('\n');
    throw new SwapdError('CONFIG_INVALID', `invalid configuration:\n${lines}`, { details });
  }
  const config = { ...(merged as unknown as Omit<SwapdConfig, 'explicit'>), explicit };
  const problems =
    options.startRules === false
      ? []
      : [...safetyProblems(config.station.safety), ...securityProblems(config)];
  if (problems.length > 0) {
    const lines = problems.map((d) => `  ${d.path}: ${d.message}`).join('\n');
    throw new SwapdError('CONFIG_INVALID', `invalid configuration:\n${lines}`, { details: problems });
  }
  return deepFreeze(config);
}

/** Safety limits outside their critical limits (SPEC §8): the process must not start with them. */
function safetyProblems(safety: StationSafetyConfig): ErrorDetail[] {
  return CHEMISTRIES.flatMap((chemistry) => {
    const result = resolveLimits(chemistry, safety.limits[chemistry]);
    return result.ok
      ? []
      : result.problems.map((message) => ({ path: `/station/safety/limits/${chemistry}`, message }));
  });
}
