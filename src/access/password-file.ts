import type { FileProblem } from './file-problem.js';
import { type ParsedHash, parseHash } from './password-hash.js';

/**
 * Mosquitto's password file: one `username:hash` per line; blank lines and `#` comments are ignored.
 * Parsing is total: a line that cannot be used is reported and skipped.
 */
export interface PasswordFile {
  readonly users: ReadonlyMap<string, ParsedHash>;
  readonly problems: readonly FileProblem[];
}

/** Names that both files and Mosquitto can carry: no separator, wildcard, whitespace or control. */
export function isValidUsername(name: string): boolean {
  const printable = [...name].every((ch) => (ch.codePointAt(0) ?? 0) > 0x20 && ch !== '\u007f');
  return printable && name.length <= 128 && !/[:#+/]/.test(name);
}

export function parsePasswordFile(text: string): PasswordFile {
  const users = new Map<string, ParsedHash>();
  const problems: FileProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const problem = readLine(raw.trim(), users);
    if (problem) problems.push({ line: index + 1, message: problem });
  });
  return { users, problems };
}

function readLine(line: string, users: Map<string, ParsedHash>): string | null {
  if (line === '' || line.startsWith('#')) return null;
  const at = line.indexOf(':');
  const name = at > 0 ? line.slice(0, at) : '';
  const hash = at > 0 ? parseHash(line.slice(at + 1)) : null;
  if (!name) return 'expected username:hash';
  if (!hash) return `unsupported password hash for '${name}' (expected $7$ or $6$)`;
  const again = users.has(name);
  users.set(name, hash);
  return again ? `'${name}' appears again; the last entry counts` : null;
}

/** The file with NAME's line replaced (or appended); every other line kept as it was. */
export function setPasswordLine(text: string, name: string, hash: string): string {
  const lines = withoutUser(text, name);
  lines.push(`${name}:${hash}`);
  return `${lines.join('\n')}\n`;
}

/** The file without NAME's line(s); null when NAME was not there. */
export function removePasswordLine(text: string, name: string): string | null {
  const before = contentLines(text);
  const after = withoutUser(text, name);
  if (after.length === before.length) return null;
  return after.length > 0 ? `${after.join('\n')}\n` : '';
}

function contentLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function withoutUser(text: string, name: string): string[] {
  return contentLines(text).filter((line) => !line.trim().startsWith(`${name}:`));
}
