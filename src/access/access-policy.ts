import type { AclFile, AclRule } from './acl-file.js';
import { type ParsedHash, verifyPassword } from './password-hash.js';
import { filterCovers, topicMatches } from './topic-filter.js';

/**
 * Who may connect and what they may do, decided as Mosquitto 2's built-in password and ACL checks
 * decide it, so the embedded broker and Mosquitto enforce one policy from the same two files.
 */
export interface Principal {
  /** null for an anonymous client. */
  readonly username: string | null;
  readonly clientId: string;
}

/** publish: send on a topic; read: receive a message on a topic; subscribe: a filter (embedded broker only). */
export type AccessAction = 'publish' | 'read' | 'subscribe';

export interface AccessPolicy {
  /** null: no password file, anyone may connect (the loopback-only embedded default). */
  readonly passwords: ReadonlyMap<string, ParsedHash> | null;
  readonly allowAnonymous: boolean;
  /** null: no ACL file, every connected client may do everything. */
  readonly acl: AclFile | null;
}

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'bad-credentials' | 'anonymous' };

export function authenticate(
  policy: AccessPolicy,
  clientId: string,
  username: string | null,
  password: string | null,
): AuthResult {
  if (!policy.passwords) return { ok: true, principal: { username, clientId } };
  if (username === null) {
    return policy.allowAnonymous
      ? { ok: true, principal: { username: null, clientId } }
      : { ok: false, reason: 'anonymous' };
  }
  const stored = policy.passwords.get(username);
  if (!stored || password === null || !verifyPassword(stored, password))
    return { ok: false, reason: 'bad-credentials' };
  return { ok: true, principal: { username, clientId } };
}

type Verdict = 'allow' | 'deny' | 'none';

function applies(rule: AclRule, action: AccessAction, target: string): boolean {
  return action === 'subscribe' ? filterCovers(rule.filter, target) : topicMatches(rule.filter, target);
}

function grants(rule: AclRule, action: AccessAction): boolean {
  if (rule.access === 'readwrite') return true;
  return action === 'publish' ? rule.access === 'write' : rule.access === 'read';
}

/** Mosquitto's order: every matching `deny` first, then the first rule that grants the access. */
function judge(rules: readonly AclRule[], action: AccessAction, target: string): Verdict {
  if (rules.some((r) => r.access === 'deny' && applies(r, action, target))) return 'deny';
  return rules.some((r) => r.access !== 'deny' && grants(r, action) && applies(r, action, target))
    ? 'allow'
    : 'none';
}

/** `%u` and `%c` substituted where they are a whole level; null when the pattern needs a missing username. */
function substitute(filter: string, principal: Principal): string | null {
  const levels = filter.split('/').map((level) => {
    if (level === '%c') return principal.clientId;
    if (level === '%u') return principal.username;
    return level;
  });
  return levels.includes(null) ? null : levels.join('/');
}

function patternRules(acl: AclFile, principal: Principal): AclRule[] | null {
  // A username or client id with a wildcard could widen a pattern: Mosquitto refuses such clients outright.
  if (/[+#]/.test(principal.clientId) || /[+#]/.test(principal.username ?? '')) return null;
  return acl.patterns.flatMap((rule) => {
    const filter = substitute(rule.filter, principal);
    return filter === null ? [] : [{ access: rule.access, filter }];
  });
}

/** May this client do this on this topic (or, for `subscribe`, on every topic of this filter)? */
export function authorize(
  policy: AccessPolicy,
  principal: Principal,
  action: AccessAction,
  topic: string,
): boolean {
  const acl = policy.acl;
  if (!acl) return true;
  const target = action === 'subscribe' ? unshared(topic) : topic;
  if (target === null) return false;
  const own = principal.username === null ? acl.anonymous : (acl.users.get(principal.username)?.rules ?? []);
  const first = judge(own, action, target);
  if (first !== 'none') return first === 'allow';
  const patterns = acl.patterns.length > 0 ? patternRules(acl, principal) : [];
  return patterns !== null && judge(patterns, action, target) === 'allow';
}

/** `$share/group/filter` is checked as `filter`. */
function unshared(filter: string): string | null {
  if (!filter.startsWith('$share/')) return filter;
  const parts = filter.split('/');
  return parts.length >= 3 && parts[1] ? parts.slice(2).join('/') : null;
}
