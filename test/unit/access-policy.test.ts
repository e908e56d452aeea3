import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AccessPolicy, authenticate, authorize } from '../../src/access/access-policy.js';
import { removeUserBlock, setUserBlock } from '../../src/access/acl-editor.js';
import { parseAclFile } from '../../src/access/acl-file.js';
import { parsePasswordFile, removePasswordLine, setPasswordLine } from '../../src/access/password-file.js';
import { hashPassword, parseHash, verifyPassword } from '../../src/access/password-hash.js';
import { filterCovers, topicMatches } from '../../src/access/topic-filter.js';

const dir = mkdtempSync(join(tmpdir(), 'swapd-access-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('topic filters', () => {
  it.each([
    ['a/+/c', 'a/b/c', true],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['a/+', 'a/b/c', false],
    ['#', '$SYS/broker/uptime', false],
    ['+/broker/uptime', '$SYS/broker/uptime', false],
    ['$SYS/#', '$SYS/broker/uptime', true],
  ])('%s matches %s: %s', (filter, topic, expected) => expect(topicMatches(filter, topic)).toBe(expected));

  it.each([
    ['a/#', 'a/+/c', true],
    ['a/+/c', 'a/+/c', true],
    ['a/+/c', 'a/#', false],
    ['a/b/c', 'a/+/c', false],
    ['#', '$SYS/#', false],
    ['rtrn/abs/attendant/plan/+/+', 'rtrn/#', false],
    ['rtrn/abs/attendant/plan/+/+', 'rtrn/abs/attendant/plan/P1/+', true],
  ])('%s covers %s: %s', (outer, inner, expected) => expect(filterCovers(outer, inner)).toBe(expected));
});

describe('password hashes', () => {
  it('verifies $7$ and $6$ hashes and refuses wrong passwords', () => {
    const seven = parseHash(hashPassword('s3cret'));
    expect(seven && verifyPassword(seven, 's3cret')).toBe(true);
    expect(seven && verifyPassword(seven, 's3cret!')).toBe(false);
    // $6$: SHA-512 over password then salt (Mosquitto 1.x files, still read by Mosquitto 2).
    const salt = Buffer.from('abcdefghijkl');
    const digest = createHash('sha512').update('old-pw').update(salt).digest('base64');
    const six = parseHash(`$6$${salt.toString('base64')}$${digest}`);
    expect(six?.kind).toBe('sha512');
    expect(six && verifyPassword(six, 'old-pw')).toBe(true);
    expect(six && verifyPassword(six, 'old-pw2')).toBe(false);
  });

  it('reads what mosquitto_passwd writes, and mosquitto_passwd accepts what swapd writes', () => {
    const file = join(dir, 'interop.passwd');
    writeFileSync(file, setPasswordLine('', 'from-swapd', hashPassword('pw-one')));
    execFileSync('mosquitto_passwd', ['-b', file, 'from-mosquitto', 'pw-two']);
    const parsed = parsePasswordFile(readFileSync(file, 'utf8'));
    expect(parsed.problems).toEqual([]);
    const theirs = parsed.users.get('from-mosquitto');
    expect(theirs && verifyPassword(theirs, 'pw-two')).toBe(true);
    expect(theirs && verifyPassword(theirs, 'pw-one')).toBe(false);
    // mosquitto_passwd rewrites the file (-U would re-hash plain lines): our line survives untouched and valid.
    const ours = parsed.users.get('from-swapd');
    expect(ours && verifyPassword(ours, 'pw-one')).toBe(true);
    execFileSync('mosquitto_passwd', ['-D', file, 'from-mosquitto']);
    expect(readFileSync(file, 'utf8')).toMatch(/^from-swapd:\$7\$101\$/);
  });

  it('reports bad lines and keeps the good ones', () => {
    const parsed = parsePasswordFile(`# users\nalice:${hashPassword('a')}\nbroken line\nbob:plain\n\n`);
    expect([...parsed.users.keys()]).toEqual(['alice']);
    expect(parsed.problems.map((p) => p.line)).toEqual([3, 4]);
  });

  it('edits one line and keeps the rest', () => {
    const text = setPasswordLine(setPasswordLine('# keep me\n', 'a', 'H1'), 'b', 'H2');
    expect(setPasswordLine(text, 'a', 'H3')).toBe('# keep me\nb:H2\na:H3\n');
    expect(removePasswordLine(text, 'a')).toBe('# keep me\nb:H2\n');
    expect(removePasswordLine(text, 'zed')).toBeNull();
  });
});

function policyFrom(acl: string): AccessPolicy {
  return { passwords: null, allowAnonymous: false, acl: parseAclFile(acl) };
}

describe('ACL decisions', () => {
  const p = (username: string | null, clientId = 'c1') => ({ username, clientId });

  it('denies first, whatever the order of lines', () => {
    const policy = policyFrom('user u\ntopic read event/#\ntopic deny event/secret/#\n');
    expect(authorize(policy, p('u'), 'read', 'event/a')).toBe(true);
    expect(authorize(policy, p('u'), 'read', 'event/secret/x')).toBe(false);
    expect(authorize(policy, p('u'), 'publish', 'event/a')).toBe(false);
  });

  it('substitutes %c and %u in patterns and refuses wildcard client ids', () => {
    const policy = policyFrom('pattern read rtrn/client/%c/#\npattern write in/%u/+\n');
    expect(authorize(policy, p('u', 'c1'), 'read', 'rtrn/client/c1/x')).toBe(true);
    expect(authorize(policy, p('u', 'c1'), 'read', 'rtrn/client/c2/x')).toBe(false);
    expect(authorize(policy, p('u', 'c+'), 'read', 'rtrn/client/c+/x')).toBe(false);
    expect(authorize(policy, p('u'), 'publish', 'in/u/x')).toBe(true);
    expect(authorize(policy, p(null), 'publish', 'in/u/x')).toBe(false);
  });

  it('topic lines before the first user are for anonymous clients', () => {
    const policy = policyFrom('topic read public/#\nuser u\ntopic read private/#\n');
    expect(authorize(policy, p(null), 'read', 'public/x')).toBe(true);
    expect(authorize(policy, p(null), 'read', 'private/x')).toBe(false);
    expect(authorize(policy, p('u'), 'read', 'public/x')).toBe(false);
  });

  it('grants a subscription only within what may be read', () => {
    const policy = policyFrom('user u\ntopic read rtrn/abs/attendant/plan/+/+\n');
    expect(authorize(policy, p('u'), 'subscribe', 'rtrn/abs/attendant/plan/P1/+')).toBe(true);
    expect(authorize(policy, p('u'), 'subscribe', '#')).toBe(false);
    expect(authorize(policy, p('u'), 'subscribe', '$share/g/rtrn/abs/attendant/plan/+/+')).toBe(true);
  });

  it('reports unknown keywords and bad filters without throwing', () => {
    const acl = parseAclFile('user u\ntopic read a/#/b\nfrobnicate x\ntopic\ntopic read ok/#\n');
    expect(acl.problems.map((x) => x.line)).toEqual([2, 3, 4]);
    expect(acl.users.get('u')?.rules).toEqual([{ access: 'read', filter: 'ok/#' }]);
  });
});

describe('authentication', () => {
  const passwords = parsePasswordFile(`alice:${hashPassword('right')}\n`).users;
  it('refuses wrong passwords, unknown users and (unless allowed) anonymous clients', () => {
    const policy: AccessPolicy = { passwords, allowAnonymous: false, acl: null };
    expect(authenticate(policy, 'c', 'alice', 'right').ok).toBe(true);
    expect(authenticate(policy, 'c', 'alice', 'wrong').ok).toBe(false);
    expect(authenticate(policy, 'c', 'mallory', 'right').ok).toBe(false);
    expect(authenticate(policy, 'c', null, null).ok).toBe(false);
    expect(authenticate({ ...policy, allowAnonymous: true }, 'c', null, null).ok).toBe(true);
  });
});

describe('the ACL editor', () => {
  it('writes role blocks with markers, replaces and removes one user without touching the rest', () => {
    let text = setUserBlock(null, 'att-1', 'attendant', null);
    text = setUserBlock(text, 'st-14', 'station', 'SITE-KE-014');
    text = setUserBlock(text, 'att-1', 'monitor', null);
    const acl = parseAclFile(text);
    expect(acl.problems).toEqual([]);
    expect(acl.users.get('att-1')?.role).toBe('monitor');
    expect(acl.users.get('st-14')).toMatchObject({ role: 'station', site: 'SITE-KE-014' });
    expect(acl.patterns).toEqual([{ access: 'read', filter: 'rtrn/client/%c/#' }]);
    const removed = removeUserBlock(text, 'st-14') as string;
    expect(parseAclFile(removed).users.has('st-14')).toBe(false);
    expect(parseAclFile(removed).users.get('att-1')?.rules.length).toBe(2);
    expect(removeUserBlock(removed, 'st-14')).toBeNull();
  });
});
