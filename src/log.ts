import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LogOptions {
  level: string;
  pretty: boolean;
}

/** Fields that may carry credentials, at the top and one or two levels down (pino redact paths). */
const SECRET_FIELDS = [
  'password',
  'mqtt_password',
  'url',
  'mqtt_url',
  'database_url',
  'authorization',
  'secret',
  'odoo_hmac_secret',
  'token',
  'ops_token',
  'signature',
  'key',
  'passphrase',
];
const REDACT = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

/** The root logger; components take `log.child({ component })`. JSON by default, pretty on a terminal. */
export function createLogger(options: LogOptions, destination?: pino.DestinationStream): Logger {
  const base: LoggerOptions = {
    level: options.level,
    base: { service: 'swapd' },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.pretty && !destination) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { colorize: true, destination: 2 } },
    });
  }
  return pino(base, destination ?? pino.destination({ dest: 2, sync: false }));
}

/** A logger that drops everything (tests, CLI --json output). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
