import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * `swapd start` leaves a note in its data directory (mode 0600): how to reach it and the ops token.
 * Management commands use it to send their work to the running process, which owns the embedded
 * database while it runs.
 */
export interface RuntimeNote {
  pid: number;
  http_url: string;
  broker_url: string;
  database: string;
  ops_token: string;
  started_at: string;
}

export function runtimeNotePath(dataDir: string): string {
  return join(resolve(dataDir), 'swapd.runtime.json');
}

export function newOpsToken(): string {
  return randomBytes(24).toString('base64url');
}

export function writeRuntimeNote(dataDir: string, note: RuntimeNote): void {
  mkdirSync(resolve(dataDir), { recursive: true });
  // A fresh file, 0600 whatever the umask, renamed into place: an older note's mode is not inherited.
  const path = runtimeNotePath(dataDir);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(note, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export function removeRuntimeNote(dataDir: string): void {
  rmSync(runtimeNotePath(dataDir), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The note of a swapd that is running now, or null. */
export function readRuntimeNote(dataDir: string): RuntimeNote | null {
  try {
    const note = JSON.parse(readFileSync(runtimeNotePath(dataDir), 'utf8')) as RuntimeNote;
    return alive(note.pid) ? note : null;
  } catch {
    return null;
  }
}
