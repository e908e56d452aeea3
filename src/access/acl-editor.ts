import { ROLE_MARKER } from './acl-file.js';
import { type BrokerRole, RESPONSE_TOPIC_PATTERN, roleRules } from './roles.js';

/**
 * Writes users' blocks into an ACL file while keeping everything else in it. A block runs from its
 * `# swapd-role:` marker (or its `user` line) to the next marker, `user` or `pattern` line.
 */
export const ACL_HEADER = [
  '# swapd broker access (Mosquitto acl_file format): read by swapd’s embedded broker and by Mosquitto.',
  '# `swapd users add|remove` rewrite one user’s block, from its "# swapd-role:" line to the next user.',
  '# Every client may read answers addressed to its own client id (MQTT 5 Response Topic).',
  `pattern ${RESPONSE_TOPIC_PATTERN.access} ${RESPONSE_TOPIC_PATTERN.filter}`,
];

export function userBlock(name: string, role: BrokerRole, site: string | null): string[] {
  const marker = role === 'station' ? `# swapd-role: station site=${site}` : `# swapd-role: ${role}`;
  return [marker, `user ${name}`, ...roleRules(role, site).map((r) => `topic ${r.access} ${r.filter}`)];
}

function opensBlock(line: string): boolean {
  return ROLE_MARKER.test(line) || /^(user|pattern)(\s|$)/.test(line);
}

/** [start, end) of NAME's block, or null. */
function findBlock(lines: readonly string[], name: string): [number, number] | null {
  const at = lines.findIndex((l) => /^user\s/.test(l.trim()) && l.trim().slice(4).trim() === name);
  if (at < 0) return null;
  const start = at > 0 && ROLE_MARKER.test((lines[at - 1] ?? '').trim()) ? at - 1 : at;
  let end = at + 1;
  while (end < lines.length && !opensBlock((lines[end] ?? '').trim())) end++;
  while (end > at + 1 && (lines[end - 1] ?? '').trim() === '') end--;
  return [start, end];
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  return lines;
}

function withoutBlock(lines: string[], name: string): { lines: string[]; found: boolean } {
  const block = findBlock(lines, name);
  if (!block) return { lines, found: false };
  const rest = [...lines.slice(0, block[0]), ...lines.slice(block[1])];
  // Drop a blank line the block leaves doubled.
  if (block[0] > 0 && rest[block[0] - 1]?.trim() === '' && (rest[block[0]] ?? '').trim() === '')
    rest.splice(block[0], 1);
  return { lines: rest, found: true };
}

/** The ACL file (null: none yet) with NAME's block written for ROLE, replacing any earlier block. */
export function setUserBlock(
  text: string | null,
  name: string,
  role: BrokerRole,
  site: string | null,
): string {
  const lines =
    text === null || text.trim() === '' ? [...ACL_HEADER] : withoutBlock(splitLines(text), name).lines;
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  return `${[...lines, '', ...userBlock(name, role, site)].join('\n')}\n`;
}

/** The ACL file without NAME's block; null when NAME had none. */
export function removeUserBlock(text: string, name: string): string | null {
  const { lines, found } = withoutBlock(splitLines(text), name);
  return found ? `${lines.join('\n')}\n` : null;
}
