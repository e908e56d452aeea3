import type { PGlite } from '@electric-sql/pglite';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type { RawConnection, RawPool, Statement } from './sql-client.js';

/**
 * PGlite is one embedded connection. This presents it to Kysely's Postgres dialect as a pool of one:
 * a client is handed out at a time (transactions hold it from BEGIN to COMMIT), others wait in order.
 */
export class PGlitePool implements PostgresPool {
  readonly #db: PGlite;
  #tail: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(db: PGlite) {
    this.#db = db;
  }

  async connect(): Promise<PGliteClient> {
    return new PGliteClient(this.#db, await this.#turn());
  }

  /** The same turn for the request path's statements (RawPool); they run on this thread (inline). */
  readonly raw: RawPool = {
    inline: true,
    connect: async (): Promise<RawConnection> => {
      const client = await this.connect();
      return {
        query: <R>(statement: Statement | string, values: readonly unknown[] = []) =>
          client.run<R>(typeof statement === 'string' ? statement : statement.text, values),
        release: () => client.release(),
      };
    },
  };

  async #turn(): Promise<() => void> {
    if (this.#closed) throw new Error('PGlite is closed');
    let release!: () => void;
    const turn = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => turn);
    await previous;
    return release;
  }

  async end(): Promise<void> {
    this.#closed = true;
    await this.#tail;
  }
}

export class PGliteClient implements PostgresPoolClient {
  readonly #db: PGlite;
  readonly #release: () => void;

  constructor(db: PGlite, release: () => void) {
    this.#db = db;
    this.#release = release;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') throw new Error('streaming queries are not supported on PGlite');
    return this.run<R>(sqlOrCursor, parameters ?? []);
  }

  async run<R>(
    sql: string,
    parameters: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R> & { rowCount: number }> {
    const result = await this.#db.query<R>(sql, parameters as unknown[]);
    const command =
      (result as { command?: string }).command ?? sql.trimStart().split(/\s/, 1)[0]!.toUpperCase();
    return {
      command: command as PostgresQueryResult<R>['command'],
      rowCount: (result as { rowCount?: number }).rowCount ?? result.affectedRows ?? result.rows.length,
      rows: result.rows,
    };
  }

  release(): void {
    this.#release();
  }
}
