import { createHash } from 'node:crypto';
import pg from 'pg';
import { SwapdError } from '../../errors.js';
import type { Logger } from '../../log.js';

const RETRY_MS = 5_000;

/** One advisory lock key per broker (host and port, no credentials): agents on other brokers do not clash. */
export function agentLockKey(brokerUrl: string): string {
  let where = brokerUrl;
  try {
    const u = new URL(brokerUrl);
    where = `${u.hostname}:${u.port}`;
  } catch {
    // An unparsable URL never got this far (the broker connected); hash it as it is.
  }
  return createHash('sha256').update(`swapd-agent ${where}`).digest().readBigInt64BE(0).toString();
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

async function tryLock(client: pg.Client, group: string | null, key: string): Promise<boolean> {
  const fn = group ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
  const result = await client.query<{ ok: boolean }>(`select ${fn}($1::bigint) as ok`, [key]);
  return result.rows[0]?.ok === true;
}

async function connect(url: string, log: Logger): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', (err) => log.warn({ err }, 'agent lock connection lost'));
  await client.connect();
  return client;
}

/**
 * Several agents on one database and one broker must share the request topics ($share/group/...), or
 * each answers every request. Each agent holds a session-level advisory lock: exclusive without a group,
 * shared with one; Postgres drops it the moment the holder's connection ends (a killed instance frees
 * it at once). Start-up is refused when the lock says another instance would double the answers; a lock
 * lost with its connection is taken again, and loudly reported if it no longer can be.
 */
export async function takeAgentLock(options: AgentLockOptions): Promise<AgentLock> {
  const { url, group, log } = options;
  const key = agentLockKey(options.brokerUrl);
  let client = await connect(url, log);
  if (!(await tryLock(client, group, key))) {
    await client.end().catch(() => {});
    throw refusal(group);
  }
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  const retake = async (): Promise<void> => {
    timer = null;
    if (closed) return;
    try {
      client = await connect(url, log);
      client.on('end', onEnd);
      if (!(await tryLock(client, group, key)))
        log.error(
          { group },
          'agent lock taken by another instance while the database was away: check for instances without a shared subscription group',
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
