/**
 * `StateDb` over one better-sqlite3 connection. Every statement runs synchronously inside (the
 * driver is synchronous); the promises only make the interface the PostgreSQL backend shares.
 *
 * Transactions: better-sqlite3 used to give "nothing else runs inside my transaction" for free,
 * because a synchronous transaction cannot be interrupted. An asynchronous `fn` can be, so:
 * - one transaction at a time per connection, taken in call order (a promise queue);
 * - the open transaction is remembered in an AsyncLocalStorage frame: statements issued in
 *   `fn`'s async context run in it, those of any other context (another webhook, a timer) wait
 *   until it has committed or rolled back;
 * - a nested call in the transaction's context is a savepoint; nested calls made concurrently
 *   in one context take turns, so savepoints never interleave.
 * Outside any transaction a statement costs one field check before it runs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import type { RunResult, SqlParams, StateDb, TransactionOptions } from './handle.js';
import { holderAlive } from './liveness.js';

/** One transaction or savepoint level; `root` is the outermost (BEGIN IMMEDIATE) one. */
interface Frame {
  root: Frame;
  /** Savepoint depth (0 for the transaction itself). */
  readonly depth: number;
  /** Cleared once it has ended: a context that outlives the transaction is outside again. */
  open: boolean;
  /** The last nested call queued in this frame (savepoints of one frame take turns). */
  tail: Promise<void>;
}

const noParams: SqlParams = [];

/**
 * Commits that wrote something, in this process, by durability: `synced` ones waited for the
 * disk. The benchmark reads them per delivered review (a process-wide count, as a profile is).
 */
export const commitCounts = { synced: 0, lazy: 0 };

export class SqliteStateDb implements StateDb {
  readonly dialect = 'sqlite' as const;
  readonly location: string;
  /** The raw connection, for SQLite-only work (file checks, pragmas, serialize, query plans). */
  readonly sqlite: Database.Database;

  private readonly context = new AsyncLocalStorage<Frame>();
  /** The open transaction's root frame, if any. */
  private active: Frame | undefined;
  /** Resolves when the last queued transaction has ended. */
  private tail: Promise<void> = Promise.resolve();
  /** Statements prepared once per connection: compiling the SQL on every call cost a tenth of a large sync's CPU. */
  private readonly rows = new Map<string, Database.Statement>();
  private readonly firstColumns = new Map<string, Database.Statement>();

  constructor(sqlite: Database.Database, location = sqlite.name) {
    this.sqlite = sqlite;
    this.location = location;
  }

  all<T>(sql: string, params: SqlParams = noParams): Promise<T[]> {
    if (this.active !== undefined && !this.inside()) return this.later(() => this.all<T>(sql, params));
    try {
      return Promise.resolve(this.statement(sql).all(...params) as T[]);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  get<T>(sql: string, params: SqlParams = noParams): Promise<T | undefined> {
    if (this.active !== undefined && !this.inside()) return this.later(() => this.get<T>(sql, params));
    try {
      return Promise.resolve(this.statement(sql).get(...params) as T | undefined);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  value<T>(sql: string, params: SqlParams = noParams): Promise<T | undefined> {
    if (this.active !== undefined && !this.inside()) return this.later(() => this.value<T>(sql, params));
    try {
      return Promise.resolve(this.plucked(sql).get(...params) as T | undefined);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  column<T>(sql: string, params: SqlParams = noParams): Promise<T[]> {
    if (this.active !== undefined && !this.inside()) return this.later(() => this.column<T>(sql, params));
    try {
      return Promise.resolve(this.plucked(sql).all(...params) as T[]);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  run(sql: string, params: SqlParams = noParams): Promise<RunResult> {
    if (this.active !== undefined && !this.inside()) return this.later(() => this.run(sql, params));
    try {
      const { changes } = this.statement(sql).run(...params);
      // Outside a transaction a write is its own (synced) commit.
      if (changes > 0 && this.active === undefined && !this.sqlite.inTransaction) commitCounts.synced++;
      return Promise.resolve({ changes });
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T> {
    const frame = this.context.getStore();
    if (frame !== undefined && frame.root.open && frame.root === this.active) return this.savepoint(frame, fn);
    return this.begin(fn, options?.durability === 'lazy');
  }

  /** Whether a transaction is open on this connection (tests, diagnostics). */
  get inTransaction(): boolean {
    return this.active !== undefined;
  }

  get open(): boolean {
    return this.sqlite.open;
  }

  withScope<T>(_scope: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  isHolderAlive(holder: string | null | undefined): Promise<boolean> {
    return Promise.resolve(holderAlive(holder));
  }

  close(): Promise<void> {
    try {
      this.closeSync();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /**
   * For exit paths that cannot wait (signal handlers, `process.on('exit')`): an open
   * transaction is rolled back by SQLite as the connection closes.
   */
  closeSync(): void {
    if (this.sqlite.open) this.sqlite.close();
  }

  private inside(): boolean {
    const frame = this.context.getStore();
    return frame !== undefined && frame.root.open && frame.root === this.active;
  }

  /** Runs `step` once the transactions queued so far have ended. */
  private later<T>(step: () => Promise<T>): Promise<T> {
    return this.tail.then(step);
  }

  private async begin<T>(fn: () => Promise<T>, lazy: boolean): Promise<T> {
    const before = this.tail;
    let done!: () => void;
    this.tail = new Promise<void>((resolve) => (done = resolve));
    await before;
    const root = { depth: 0, open: true, tail: Promise.resolve() } as Frame;
    root.root = root;
    // SQLite refuses to change the safety level inside a transaction: lowered for this one
    // before BEGIN, restored after it ends. In WAL mode NORMAL skips this commit's sync only;
    // the next FULL commit syncs the log up to and including it.
    const level = lazy ? (this.sqlite.pragma('synchronous', { simple: true }) as number) : 0;
    if (level > 1) this.sqlite.pragma('synchronous = NORMAL');
    try {
      this.sqlite.exec('BEGIN IMMEDIATE');
    } catch (err) {
      root.open = false;
      this.restoreSafety(level);
      done();
      throw err;
    }
    this.active = root;
    const changesBefore = this.totalChanges();
    try {
      const result = await this.context.run(root, fn);
      this.sqlite.exec('COMMIT');
      if (this.totalChanges() !== changesBefore) commitCounts[level > 1 ? 'lazy' : 'synced']++;
      return result;
    } catch (err) {
      // COMMIT itself may fail (disk full): the transaction is still open then.
      if (this.sqlite.open && this.sqlite.inTransaction) this.sqlite.exec('ROLLBACK');
      throw err;
    } finally {
      root.open = false;
      this.active = undefined;
      this.restoreSafety(level);
      done();
    }
  }

  private restoreSafety(level: number): void {
    if (level > 1 && this.sqlite.open) this.sqlite.pragma(`synchronous = ${level}`);
  }

  private async savepoint<T>(parent: Frame, fn: () => Promise<T>): Promise<T> {
    const before = parent.tail;
    let done!: () => void;
    parent.tail = new Promise<void>((resolve) => (done = resolve));
    await before;
    const frame: Frame = { root: parent.root, depth: parent.depth + 1, open: true, tail: Promise.resolve() };
    const name = `sp${frame.depth}`;
    try {
      this.sqlite.exec(`SAVEPOINT ${name}`);
      try {
        const result = await this.context.run(frame, fn);
        this.sqlite.exec(`RELEASE ${name}`);
        return result;
      } catch (err) {
        if (this.sqlite.open && this.sqlite.inTransaction) {
          this.sqlite.exec(`ROLLBACK TO ${name}`);
          this.sqlite.exec(`RELEASE ${name}`);
        }
        throw err;
      }
    } finally {
      frame.open = false;
      done();
    }
  }

  private totalChanges(): number {
    return this.plucked('SELECT total_changes()').get() as number;
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.rows.get(sql);
    if (!stmt) {
      stmt = this.sqlite.prepare(sql);
      this.rows.set(sql, stmt);
    }
    return stmt;
  }

  private plucked(sql: string): Database.Statement {
    let stmt = this.firstColumns.get(sql);
    if (!stmt) {
      stmt = this.sqlite.prepare(sql).pluck();
      this.firstColumns.set(sql, stmt);
    }
    return stmt;
  }
}
