import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LogOptions {
  level: string;
  pretty: boolean;
}

const REDACT = [
  'password',
  '*.password',
  'url',
  '*.url',
  'authorization',
  '*.authorization',
  'secret',
  '*.secret',
];

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
