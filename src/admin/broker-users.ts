import {
  chmodSync,
  chownSync,
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { removeUserBlock, setUserBlock } from '../access/acl-editor.js';
import { isValidUsername, removePasswordLine, setPasswordLine } from '../access/password-file.js';
import { hashPassword } from '../access/password-hash.js';
import { BROKER_ROLES, type BrokerRole, isBrokerRole } from '../access/roles.js';
import type { SwapdConfig } from '../config/config.js';
import { SwapdError } from '../errors.js';

/**
 * `swapd users add|remove`: one user in both broker files, the password hashed as Mosquitto 2 does
 * (so `mosquitto_passwd` can manage the same file) and the role written as its ACL block.
 */
export interface AddUser {
  name: string;
  role: string;
  password: string;
  /** A station's site; default: the configured site_id. */
  site?: string;
}

function files(config: SwapdConfig): { passwordFile: string; aclFile: string } {
  if (!config.broker_password_file || !config.broker_acl_file)
    throw new SwapdError(
      'CONFIG_INVALID',
      'set broker_password_file and broker_acl_file (SWAPD_BROKER_PASSWORD_FILE, SWAPD_BROKER_ACL_FILE) to manage broker users',
    );
  return { passwordFile: config.broker_password_file, aclFile: config.broker_acl_file };
}

function readOrNull(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/**
 * Replaces the files, each in one step, keeping its mode, owner and group as `mosquitto_passwd` does
 * (new files: 0600, they hold password hashes). Mosquitto reads both files as its own user, typically
 * through their group: a file that came back owned by root alone would lock every client out at the
 * next reload. Every file is staged before any is replaced: when an owner or group cannot be kept,
 * nothing is changed and the error says why.
 */
function writeAtomically(files: { path: string; text: string }[]): void {
  const staged: { temporary: string; path: string }[] = [];
  try {
    for (const { path, text } of files) staged.push({ temporary: stage(path, text), path });
  } catch (err) {
    for (const { temporary } of staged) rmSync(temporary, { force: true });
    throw err;
  }
  for (const { temporary, path } of staged) renameSync(temporary, path);
}

function stage(path: string, text: string): string {
  const existing = existsSync(path) ? statSync(path) : null;
  const mode = existing ? existing.mode & 0o777 : 0o600;
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode });
  try {
    chmodSync(temporary, mode);
    if (existing) keepOwner(temporary, path, existing);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
  return temporary;
}

function keepOwner(temporary: string, path: string, existing: Stats): void {
  const made = statSync(temporary);
  if (made.uid === existing.uid && made.gid === existing.gid) return;
  try {
    chownSync(temporary, existing.uid, existing.gid);
  } catch (err) {
    throw new SwapdError(
      'CONFIG_INVALID',
      `${path} belongs to uid ${existing.uid}, gid ${existing.gid}, which this user cannot give a rewritten file (${(err as NodeJS.ErrnoException).code}); run swapd users as its owner or as root: nothing was changed`,
    );
  }
}

function checkUser(user: AddUser): BrokerRole {
  if (!isValidUsername(user.name))
    throw new SwapdError(
      'INVALID_VALUE',
      `'${user.name}' cannot be a broker user name (no spaces, ':', '#', '+' or '/')`,
    );
  if (!isBrokerRole(user.role))
    throw new SwapdError('INVALID_VALUE', `unknown role '${user.role}'; roles: ${BROKER_ROLES.join(', ')}`);
  if (user.password.length < 8)
    throw new SwapdError('INVALID_VALUE', 'the password needs at least 8 characters');
  return user.role;
}

export function addBrokerUser(
  config: SwapdConfig,
  user: AddUser,
): { name: string; role: BrokerRole; site: string | null } {
  const role = checkUser(user);
  const site = role === 'station' ? (user.site ?? config.site_id) : null;
  if (site !== null && !/^[A-Z]{2,4}-[A-Z]{2}-[0-9]{3,}$/.test(site))
    throw new SwapdError('INVALID_VALUE', `'${site}' is not a site id (e.g. SITE-KE-001)`);
  const { passwordFile, aclFile } = files(config);
  const passwords = setPasswordLine(readOrNull(passwordFile) ?? '', user.name, hashPassword(user.password));
  const acl = setUserBlock(readOrNull(aclFile), user.name, role, site);
  writeAtomically([
    { path: passwordFile, text: passwords },
    { path: aclFile, text: acl },
  ]);
  return { name: user.name, role, site };
}

export function removeBrokerUser(config: SwapdConfig, name: string): void {
  const { passwordFile, aclFile } = files(config);
  const passwords = removePasswordLine(readOrNull(passwordFile) ?? '', name);
  const acl = removeUserBlock(readOrNull(aclFile) ?? '', name);
  if (passwords === null && acl === null) throw new SwapdError('NOT_FOUND', `no broker user '${name}'`);
  writeAtomically([
    ...(passwords !== null ? [{ path: passwordFile, text: passwords }] : []),
    ...(acl !== null ? [{ path: aclFile, text: acl }] : []),
  ]);
}
