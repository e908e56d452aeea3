import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { AccessPolicy } from '../../access/access-policy.js';
import { type AclFile, parseAclFile } from '../../access/acl-file.js';
import type { FileProblem } from '../../access/file-problem.js';
import { parsePasswordFile } from '../../access/password-file.js';
import { hashPassword, type ParsedHash, parseHash } from '../../access/password-hash.js';
import { roleRules } from '../../access/roles.js';
import { SwapdError } from '../../errors.js';
import type { Logger } from '../../log.js';

export interface AccessFilesOptions {
  passwordFile: string | null;
  aclFile: string | null;
  allowAnonymous: boolean;
  log: Logger;
  /** How often the files' modification times are looked at (Mosquitto reloads on SIGHUP; we look). */
  reloadCheckMs?: number;
}

/** The credentials swapd's own client uses on its embedded broker: fresh each start, role agent. */
export interface InternalCredentials {
  readonly username: string;
  readonly password: string;
}

export interface AccessFiles {
  /** The policy as the files say now (re-read when they change; a broken re-read keeps the last good one). */
  current(): AccessPolicy;
  readonly internal: InternalCredentials;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new SwapdError('CONFIG_INVALID', `cannot read broker access file ${path}`, { cause });
  }
}

function mtime(path: string | null): number {
  if (!path) return 0;
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

function report(log: Logger, file: string, problems: readonly FileProblem[]): void {
  for (const p of problems)
    log.error({ file, line: p.line }, `broker access file: ${p.message}; line ignored`);
}

function withInternal(acl: AclFile, internal: InternalCredentials): AclFile {
  const users = new Map(acl.users);
  users.set(internal.username, { rules: [...roleRules('agent', null)], role: 'agent', site: null });
  return { ...acl, users };
}

function load(
  options: AccessFilesOptions,
  internal: InternalCredentials,
  internalHash: ParsedHash,
): AccessPolicy {
  let passwords: Map<string, ParsedHash> | null = null;
  if (options.passwordFile) {
    const parsed = parsePasswordFile(readText(options.passwordFile));
    report(options.log, options.passwordFile, parsed.problems);
    passwords = new Map(parsed.users);
    passwords.set(internal.username, internalHash);
  }
  let acl: AclFile | null = null;
  if (options.aclFile) {
    const parsed = parseAclFile(readText(options.aclFile));
    report(options.log, options.aclFile, parsed.problems);
    acl = withInternal(parsed, internal);
  }
  return { passwords, allowAnonymous: options.allowAnonymous, acl };
}

/** Reads the password and ACL files (Mosquitto's formats) and keeps the policy current as they change. */
export function openAccessFiles(options: AccessFilesOptions): AccessFiles {
  const internal = {
    username: `swapd-internal-${randomBytes(6).toString('hex')}`,
    password: randomBytes(24).toString('base64url'),
  };
  const internalHash = parseHash(hashPassword(internal.password)) as ParsedHash;
  let policy = load(options, internal, internalHash);
  let stamp = `${mtime(options.passwordFile)}:${mtime(options.aclFile)}`;
  let checked = Date.now();
  const every = options.reloadCheckMs ?? 1000;
  return {
    internal,
    current() {
      if (Date.now() - checked < every) return policy;
      checked = Date.now();
      const now = `${mtime(options.passwordFile)}:${mtime(options.aclFile)}`;
      if (now === stamp) return policy;
      stamp = now;
      try {
        policy = load(options, internal, internalHash);
        options.log.info('broker access files changed; reloaded');
      } catch (err) {
        options.log.error({ err }, 'broker access files could not be re-read; keeping the previous policy');
      }
      return policy;
    },
  };
}
