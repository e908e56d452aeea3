import { resolve } from 'node:path';
import { openAdminClient } from '../admin/admin-client.js';
import { PROJECT_ROOT } from '../composition/project.js';
import { loadConfig, type SwapdConfig } from '../config/config.js';

/** The options every command shares. */
export interface GlobalOptions {
  config?: string;
  json?: boolean;
}

export type Globals = () => GlobalOptions;

/** The configuration a command runs with; `startRules` false skips what only starting swapd needs. */
export function configFrom(opts: GlobalOptions, startRules = true): SwapdConfig {
  // Readable logs on a terminal, JSON lines otherwise, unless the operator chose.
  const pretty =
    process.env.SWAPD_LOG_PRETTY === undefined && process.stderr.isTTY ? { log_pretty: true } : {};
  return loadConfig({ file: opts.config ?? null, overrides: pretty, startRules });
}

export function templatesDir(config: SwapdConfig): string {
  return config.templates_dir ?? resolve(PROJECT_ROOT, 'templates');
}

/** One result line: JSON with --json, the text otherwise. */
export function print(opts: GlobalOptions, value: Record<string, unknown>, text: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

/** Runs `work` with an admin client (the database directly, or a running swapd's ops endpoint). */
export async function withAdmin<T>(
  opts: GlobalOptions,
  work: (admin: Awaited<ReturnType<typeof openAdminClient>>) => Promise<T>,
) {
  const config = configFrom(opts);
  const admin = await openAdminClient(config, templatesDir(config));
  try {
    return await work(admin);
  } finally {
    await admin.close();
  }
}

/** The first line of standard input, without its line ending. */
export async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}
