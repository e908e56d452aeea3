import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** Every SQL statement sent by this process (pg and PGlite), counted by its first words. */
export class QueryCounter {
  total = 0;
  /** Calls that went to the database: a statement with its transaction's BEGIN or COMMIT is one. */
  roundTrips = 0;
  readonly byStatement = new Map<string, number>();
  #recording: { texts: ReadonlySet<string>; seen: RecordedStatement[] } | null = null;

  record(text: unknown, values?: unknown): void {
    this.total += 1;
    if (this.#recording && typeof text === 'string' && this.#recording.texts.has(text))
      this.#recording.seen.push({ text, values: Array.isArray(values) ? [...values] : [] });
    const key = typeof text === 'string' ? statementKey(text) : 'cursor/config';
    this.byStatement.set(key, (this.byStatement.get(key) ?? 0) + 1);
  }

  /** Keeps the values of every statement with one of these texts until stopRecording (own-sql replays them). */
  startRecording(texts: readonly string[]): void {
    this.#recording = { texts: new Set(texts), seen: [] };
  }

  stopRecording(): RecordedStatement[] {
    const seen = this.#recording?.seen ?? [];
    this.#recording = null;
    return seen;
  }

  reset(): void {
    this.total = 0;
    this.roundTrips = 0;
    this.byStatement.clear();
  }

  /** The statements seen, most frequent first, each per `per` requests. */
  top(per: number, limit = 24): Record<string, number> {
    const sorted = [...this.byStatement.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit);
    return Object.fromEntries(sorted.map(([k, n]) => [k, Math.round((n / Math.max(per, 1)) * 100) / 100]));
  }
}

export interface RecordedStatement {
  text: string;
  values: unknown[];
}

/** "insert into idempotency_keys", "select … from plans", "begin", … */
function statementKey(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim().toLowerCase();
  const verb = text.split(' ', 1)[0] ?? '';
  const table = /(?:from|into|update|join)\s+"?([a-z_]+)"?/.exec(text)?.[1];
  return table ? `${verb} ${table}` : verb;
}

type QueryFn = (this: unknown, ...args: unknown[]) => unknown;

function wrap(owner: Record<string, unknown>, counter: QueryCounter): void {
  const original = owner.query as QueryFn;
  owner.query = function counted(this: unknown, ...args: unknown[]) {
    counter.roundTrips += 1;
    const first = args[0];
    if (typeof first === 'object' && first !== null) {
      const q = first as { text?: unknown; values?: unknown; bracket?: { begin: boolean; commit: boolean } };
      // A statement sent with the transaction's BEGIN and/or COMMIT in its round trip counts them too.
      if (q.bracket?.begin) counter.record('begin');
      counter.record(q.text, q.values ?? args[1]);
      if (q.bracket?.commit) counter.record('commit');
    } else counter.record(first, args[1]);
    return original.apply(this, args);
  };
}

function ownerOf(proto: object, name: string): Record<string, unknown> | null {
  for (let p: object | null = proto; p; p = Object.getPrototypeOf(p) as object | null) {
    if (Object.hasOwn(p, name)) return p as Record<string, unknown>;
  }
  return null;
}

let installed: QueryCounter | null = null;

/** Wraps pg.Client#query and PGlite#query once for the whole process (measurement only). */
export function installQueryCounter(): QueryCounter {
  if (installed) return installed;
  const counter = new QueryCounter();
  for (const proto of [pg.Client.prototype, PGlite.prototype]) {
    const owner = ownerOf(proto, 'query');
    if (owner) wrap(owner, counter);
  }
  installed = counter;
  return counter;
}
