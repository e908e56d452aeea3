import type { FileProblem } from './file-problem.js';
import { isValidFilter } from './topic-filter.js';

/**
 * Mosquitto's ACL file (`acl_file`): `user NAME` opens a user's block; `topic [read|write|readwrite|deny]
 * FILTER` grants (or denies) that user, or anonymous clients before the first `user` line; `pattern …
 * FILTER` applies to every client with `%u` (username) and `%c` (client id) substituted. No access word
 * means readwrite. swapd records the role a block was written for in a comment Mosquitto ignores:
 * `# swapd-role: ROLE` (and ` site=SITE` for a station) on the line before `user NAME`.
 * Parsing is total: a line that cannot be used is reported and skipped.
 */
export const ACCESS_WORDS = ['read', 'write', 'readwrite', 'deny'] as const;
export type AccessWord = (typeof ACCESS_WORDS)[number];

export interface AclRule {
  readonly access: AccessWord;
  readonly filter: string;
}

export interface AclUser {
  readonly rules: AclRule[];
  /** From the `# swapd-role:` marker, when the block has one. */
  readonly role: string | null;
  readonly site: string | null;
}

export interface AclFile {
  readonly anonymous: readonly AclRule[];
  readonly users: ReadonlyMap<string, AclUser>;
  readonly patterns: readonly AclRule[];
  readonly problems: readonly FileProblem[];
}

export const ROLE_MARKER = /^#\s*swapd-role:\s*([a-z]+)(?:\s+site=(\S+))?\s*$/;

function parseRule(rest: string): AclRule | string {
  const [first = '', ...others] = rest.split(/\s+/);
  const worded = (ACCESS_WORDS as readonly string[]).includes(first) && others.length > 0;
  const access = worded ? (first as AccessWord) : 'readwrite';
  const filter = worded ? rest.slice(first.length).trim() : rest;
  if (!filter) return 'a topic filter is missing';
  if (!isValidFilter(filter)) return `'${filter}' is not a valid topic filter`;
  return { access, filter };
}

interface ParseState {
  anonymous: AclRule[];
  users: Map<string, AclUser>;
  patterns: AclRule[];
  problems: FileProblem[];
  current: AclUser | null;
  marker: { role: string; site: string | null } | null;
}

function parseLine(state: ParseState, line: string, number: number): void {
  const marker = ROLE_MARKER.exec(line);
  if (marker) state.marker = { role: marker[1] as string, site: marker[2] ?? null };
  if (line === '' || line.startsWith('#')) return;
  const space = line.search(/\s/);
  const keyword = space < 0 ? line : line.slice(0, space);
  const rest = space < 0 ? '' : line.slice(space).trim();
  const problem = (message: string) => state.problems.push({ line: number, message });
  if (keyword === 'user') {
    if (!rest) return void problem('user needs a name');
    const user = state.users.get(rest) ?? {
      rules: [],
      role: state.marker?.role ?? null,
      site: state.marker?.site ?? null,
    };
    state.users.set(rest, user);
    state.current = user;
    state.marker = null;
    return;
  }
  if (keyword !== 'topic' && keyword !== 'pattern') return void problem(`unknown keyword '${keyword}'`);
  const rule = parseRule(rest);
  if (typeof rule === 'string') return void problem(rule);
  if (keyword === 'pattern') state.patterns.push(rule);
  else (state.current?.rules ?? state.anonymous).push(rule);
}

export function parseAclFile(text: string): AclFile {
  const state: ParseState = {
    anonymous: [],
    users: new Map(),
    patterns: [],
    problems: [],
    current: null,
    marker: null,
  };
  for (const [index, raw] of text.split(/\r?\n/).entries()) parseLine(state, raw.trim(), index + 1);
  return {
    anonymous: state.anonymous,
    users: state.users,
    patterns: state.patterns,
    problems: state.problems,
  };
}
