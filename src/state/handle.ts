/**
 * The state as the rest of the program sees it: one asynchronous interface, implemented over
 * SQLite (better-sqlite3, the embedded default) and over PostgreSQL (`pg`). Every state class
 * in src/state/ takes a `StateDb` and nothing else, so the same code and the same tests run on
 * both backends.
 *
 * Rules the SQL follows so that one text runs on both:
 * - `?` placeholders only (the PostgreSQL backend numbers them `$1…` outside quoted text);
 * - `INSERT … ON CONFLICT (…) DO NOTHING / DO UPDATE`, never `INSERT OR IGNORE / REPLACE`;
 * - `RETURNING` instead of `lastInsertRowid` / `changes()` when a generated id is needed;
 * - snake_case column aliases (PostgreSQL folds unquoted names to lower case);
 * - no boolean-valued result columns (`CASE WHEN … THEN 1 ELSE 0 END`), no scalar `MIN(a, b)`
 *   / `MAX(a, b)` (`CASE` or `LEAST` has no SQLite twin), `IS NULL` but not `a IS b`;
 * - integers come back as JS numbers on both (PostgreSQL's int8 is parsed as a number; ids and
 *   millisecond times stay far below 2^53).
 */

export type SqlValue = string | number | bigint | null | Buffer;
export type SqlParams = readonly SqlValue[];

export type StateDialect = 'sqlite' | 'postgres';

export interface RunResult {
  /** Rows inserted, updated or deleted by the statement. */
  changes: number;
}

export interface TransactionOptions {
  /**
   * `synced` (the default): COMMIT returns once the change is on the disk (SQLite
   * `synchronous = FULL`; PostgreSQL's `synchronous_commit` as configured).
   * `lazy`: COMMIT returns once the change is safe from a crash or kill of this process, but a
   * power loss or an OS crash may undo it, together with the lazy commits after it, never one
   * before it (SQLite WAL with `synchronous = NORMAL`; PostgreSQL `synchronous_commit = off`).
   * For writes the next run can redo or reconcile, such as recording the outcome of a request
   * whose claim was synced; the next synced commit makes every earlier lazy one durable too.
   * Ignored by a nested call (a savepoint commits with its transaction).
   */
  durability?: 'synced' | 'lazy';
}

export interface StateDb {
  readonly dialect: StateDialect;
  /** Where the state is, for messages: a file path, or the PostgreSQL URL without its password. */
  readonly location: string;

  all<T>(sql: string, params?: SqlParams): Promise<T[]>;
  get<T>(sql: string, params?: SqlParams): Promise<T | undefined>;
  /** The first column of the first row (`undefined` when there is no row). */
  value<T>(sql: string, params?: SqlParams): Promise<T | undefined>;
  /** The first column of every row. */
  column<T>(sql: string, params?: SqlParams): Promise<T[]>;
  run(sql: string, params?: SqlParams): Promise<RunResult>;

  /**
   * Runs `fn` as one transaction with the write lock taken at its start (SQLite `BEGIN
   * IMMEDIATE`; PostgreSQL a transaction-scoped advisory lock), so transactions of all
   * processes are serialised exactly as on one SQLite file. Statements issued inside `fn`
   * (in its async context) go to the transaction; other async contexts of this process wait
   * until it ends. A nested call becomes a savepoint. Throwing rolls back.
   */
  transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T>;

  /**
   * Transactions started in `fn`'s async context touch only `scope`'s rows (one app's sync), so
   * they need not exclude those of other scopes. PostgreSQL: they take the write lock shared and
   * the scope's lock exclusively (other workers' apps are written meanwhile; a transaction of the
   * whole state still waits for all). SQLite has one writer: no effect.
   */
  withScope<T>(scope: string, fn: () => Promise<T>): Promise<T>;

  /**
   * Whether the process that wrote `holder` (`pid@host#start`, src/state/liveness.ts) into a
   * claim still runs. SQLite: checked on this host only (another host's holder counts as alive
   * until its claim is stale); PostgreSQL: by the session lock every process holds for its own
   * holder id, so a dead process on any host is known at once.
   */
  isHolderAlive(holder: string | null | undefined): Promise<boolean>;

  close(): Promise<void>;
}
