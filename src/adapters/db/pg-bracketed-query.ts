import pg from 'pg';
import type { SqlResult, Statement } from './sql-client.js';

/** Which transaction statements travel with a statement in its round trip. */
export interface Bracket {
  /** BEGIN runs first: the statement is the transaction's first. */
  readonly begin: boolean;
  /** COMMIT runs after it: the statement is the transaction's last. */
  readonly commit: boolean;
}

/** The extended-protocol messages a query sends (pg's Connection). */
interface Wire {
  parse(config: { text: string; name?: string; types?: unknown[] }): void;
  bind(config?: Record<string, never>): void;
  execute(config?: { portal?: string }): void;
  sync(): void;
  /** Statements sent for parsing on this connection and not yet confirmed (pg's own bookkeeping). */
  submittedNamedStatements: Record<string, string>;
}

/** The parts of pg's Query this subclass builds on (its own protocol steps). */
interface QueryInternals {
  readonly name?: string;
  readonly text: string;
  readonly types?: unknown[];
  readonly portal: string;
  readonly rows?: number;
  hasBeenParsed(connection: Wire): boolean;
  prepare(connection: Wire): void;
  _getRows(connection: Wire, rows: number | undefined): void;
  handleCommandComplete(message: { text: string }, connection: Wire): void;
}

type QueryClass = new (
  config: { name: string; text: string; values: unknown[] },
  callback: (err: Error | undefined, result: pg.QueryResult) => void,
) => pg.Submittable & QueryInternals;

const Query = pg.Query as unknown as QueryClass;

/**
 * One prepared statement with BEGIN before it and/or COMMIT after it, all in one round trip: one
 * write of Parse/Bind/Execute messages and a single Sync, as the extended protocol allows (an explicit
 * BEGIN inside the sequence opens a transaction block that outlives the Sync). A statement that fails
 * makes the server skip everything up to the Sync, COMMIT included: the transaction is then aborted and
 * the caller rolls it back as after any failed statement.
 */
class BracketedQuery extends Query {
  /** Public for whoever counts statements (the benchmark): BEGIN and COMMIT are statements too. */
  readonly bracket: Bracket;
  /** The COMMIT's own completion was seen (a COMMIT of an aborted transaction answers ROLLBACK). */
  committed = false;

  constructor(
    config: { name: string; text: string; values: unknown[] },
    bracket: Bracket,
    callback: (err: Error | undefined, result: pg.QueryResult) => void,
  ) {
    super(config, callback);
    this.bracket = bracket;
  }

  override prepare(connection: Wire): void {
    if (this.bracket.begin) {
      // A statement new on this connection is parsed before the BEGIN, so the first ParseComplete pg
      // sees is its own (pg marks the statement parsed on it).
      if (this.name && !this.hasBeenParsed(connection)) {
        connection.parse({ text: this.text, name: this.name, ...(this.types ? { types: this.types } : {}) });
        connection.submittedNamedStatements[this.name] = this.text;
      }
      connection.parse({ text: 'begin' });
      connection.bind();
      connection.execute();
    }
    super.prepare(connection);
  }

  override _getRows(connection: Wire, rows: number | undefined): void {
    if (!this.bracket.commit || rows) {
      super._getRows(connection, rows);
      return;
    }
    connection.execute({ portal: this.portal });
    connection.parse({ text: 'commit' });
    connection.bind();
    connection.execute();
    connection.sync();
  }

  override handleCommandComplete(message: { text: string }, connection: Wire): void {
    if (message.text === 'BEGIN') return;
    if (message.text === 'COMMIT') {
      this.committed = true;
      return;
    }
    super.handleCommandComplete(message, connection);
  }
}

/** `statement` on `client` with the transaction's BEGIN and/or COMMIT in the same round trip. */
export function queryBracketed<R>(
  client: pg.ClientBase,
  statement: Statement,
  values: readonly unknown[],
  bracket: Bracket,
): Promise<SqlResult<R>> {
  return new Promise((resolve, reject) => {
    const query: BracketedQuery = new BracketedQuery(
      { name: statement.name, text: statement.text, values: [...values] },
      bracket,
      (err, result) => {
        if (err) reject(err);
        else if (bracket.commit && !query.committed)
          reject(new Error(`${statement.name}: the transaction was not committed`));
        else resolve({ rows: result.rows as R[], rowCount: result.rowCount ?? 0 });
      },
    );
    client.query(query);
  });
}
