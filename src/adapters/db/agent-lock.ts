import { createHash } from 'node:crypto';
import pg from 'pg';
import { SwapdError } from '../../errors.js';
import type { Logger } from '../../log.js';

const RETRY_MS = 5_000;

/** A non-negative 31-bit number from a text: one half of a two-part advisory lock key. */
function key31(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) & 0x7fffffff;
}

/** One advisory lock key per broker (host and port, no credentials): agents on other brokers do not clash. */
export function agentLockKey(brokerUrl: string): number {
  let where = brokerUrl;
  try {
    const u = new URL(brokerUrl);
    where = `${u.hostname}:${u.port}`;
  } catch {
    // An unparsable URL never got this far (the broker connected); hash it as it is.
  }
  return key31(`swapd-agent ${where}`);
}

/** The second half of a group's key; never 0, which is the broker-wide lock's. */
export function groupLockKey(group: string): number {
  return key31(`swapd-group ${group}`) || 1;
}

export interface AgentLock {
  release(): Promise<void>;
}

export interface AgentLockOptions {
  /** The database. */
  url: string;
  /** The broker the agent answers on. */
  brokerUrl: string;
  /** The shared subscription group; null: this instance answers every request it sees. */
  group: string | null;
  log: Logger;
}

function refusal(group: string | null): SwapdError {
  const message = group
    ? 'another swapd agent on this database subscribes without a shared subscription group: every request would be answered twice. Give every instance the same SWAPD_SHARED_SUBSCRIPTION_GROUP'
    : 'another swapd agent already serves this database on this broker; without SWAPD_SHARED_SUBSCRIPTION_GROUP every request would be answered by each instance. Set the same group on every instance';
  return new SwapdError('CONFIG_INVALID', message);
}

function otherGroup(group: string): SwapdError {
  return new SwapdError(
    'CONFIG_INVALID',
    `another swapd agent on this database and broker uses a shared subscription group other than '${group}': each group receives every request, so every request would be answered twice. Give every instance the same SWAPD_SHARED_SUBSCRIPTION_GROUP`,
  );
}

/**
 * Two locks, each of two int4 halves: (broker, 0) exclusive without a group, shared with one; and with
 * a group also (broker, group), shared. Another group's lock on the same broker means two groups.
 */
async function tryLock(client: pg.Client, group: string | null, key: number): Promise<boolean> {
  const fn = group ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
  const result = await client.query<{ ok: boolean }>(`select ${fn}($1::int, 0) as ok`, [key]);
  if (result.rows[0]?.ok !== true) return false;
  if (group)
    await client.query('select pg_advisory_lock_shared($1::int, $2::int)', [key, groupLockKey(group)]);
  return true;
}

/** Whether an agent of another group holds its lock on this broker, in this database. */
async function otherGroupPresent(client: pg.Client, group: string, key: number): Promise<boolean> {
  const result = await client.query<{ n: number }>(
    `select count(*)::int as n from pg_locks
      where locktype = 'advisory' and granted and objsubid = 2
        and database = (select oid from pg_database where datname = current_database())
        and classid = $1::int::oid and objid not in (0, $2::int::oid)`,
    [key, groupLockKey(group)],
  );
  return (result.rows[0]?.n ?? 0) > 0;
}

/** Takes the locks on a connection; the refusal that applies, or null once they are held. */
async function lockProblem(client: pg.Client, group: string | null, key: number): Promise<SwapdError | null> {
  if (!(await tryLock(client, group, key))) return refusal(group);
  if (group && (await otherGroupPresent(client, group, key))) return otherGroup(group);
  return null;
}

async function connect(url: string, log: Logger): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', (err) => log.warn({ err }, 'agent lock connection lost'));
  await client.connect();
  return client;
}

/**
 * Several agents on one database and one broker must share the request topics ($share/group/...), or
 * each answers every request. Each agent holds session-level advisory locks: one for its broker,
 * exclusive without a group and shared with one, and with a group one for its group, by which an agent of
 * another group on the same broker is seen (two groups each receive every request, like no group).
 * Postgres drops them the moment the holder's connection ends (a killed instance frees them at once).
 * Start-up is refused when the locks say another instance would double the answers; locks lost with
 * their connection are taken again, and loudly reported if they no longer can be.
 */
export async function takeAgentLock(options: AgentLockOptions): Promise<AgentLock> {
  const { url, group, log } = options;
  const key = agentLockKey(options.brokerUrl);
  let client = await connect(url, log);
  const problem = await lockProblem(client, group, key).catch(async (err: unknown) => {
    await client.end().catch(() => {});
    throw err;
  });
  if (problem) {
    await client.end().catch(() => {});
    throw problem;
  }
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  const retake = async (): Promise<void> => {
    timer = null;
    if (closed) return;
    try {
      client = await connect(url, log);
      client.on('end', onEnd);
      const problem = await lockProblem(client, group, key);
      if (problem)
        log.error(
          { group, err: problem },
          'agent lock: while the database was away another instance started that would double the answers',
        );
      else log.info('agent lock taken again');
    } catch (err) {
      log.warn({ err }, 'agent lock: database not reachable yet; retrying');
      timer = setTimeout(() => void retake(), RETRY_MS);
    }
  };
  const onEnd = () => {
    if (!closed && !timer) timer = setTimeout(() => void retake(), RETRY_MS);
  };
  client.on('end', onEnd);
  return {
    async release() {
      closed = true;
      if (timer) clearTimeout(timer);
      await client.end().catch(() => {});
    },
  };
}
