/**
 * `StateDb` over PostgreSQL (`pg`, loaded only when a postgres:// state is opened: the CLI's
 * start-up does not pay for it).
 *
 * Writers are serialised exactly as on one SQLite file. Each transaction starts with
 * `pg_advisory_xact_lock(lockKey, 0)`: one lock per state database, taken by every process
 * that uses it and held until COMMIT/ROLLBACK, the equivalent of SQLite's BEGIN IMMEDIATE. The
 * state classes were written for that model (read, decide, write in one transaction, no retry
 * on serialisation failures); READ COMMITTED with row locks alone would let two processes
 * decide on the same stale read. A write outside `transaction()` is wrapped in one too, since
 * on SQLite it would also wait for the write lock. Reads outside a transaction take no lock
 * (WAL readers do not either). `lock_timeout` bounds the wait like SQLite's busy timeout.
 *
 * `withScope` narrows that for one app's sync: its transactions take the write lock shared and
 * the app's lock exclusively, so several workers write their apps at once.
 *
 * Inside this process, statements of `fn`'s async context go to its transaction's client
 * (AsyncLocalStorage); other contexts wait until the transaction ends (a promise queue, as the
 * SQLite backend's single connection must), then use the pool.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { RunResult, SqlParams, StateDb, TransactionOptions } from '../handle.js';
import { holderAlive } from '../liveness.js';
import { connectionBroke, parsePgUrl, toPgStorageError, type PgTarget } from './pg-faults.js';
import { mayWrite, numberPlaceholders } from './sql.js';

/**
 * First key of every advisory lock the state takes ('ASOD'), so they cannot meet another
 * application's locks in the same database (those mostly use the one-bigint form, a separate
 * key space). Second keys: 0 the write lock; leases and holders use their own first keys
 * (leases.ts).
 */
export const defaultLockKey = 0x41534f44;

/** First key of scope locks, after the leases' (+1) and holders' (+2) spaces (leases.ts). */
const scopeSpace = 3;

export interface PgStateOptions {
  /** Connections of the pool (one is held by a running transaction). */
  poolMax?: number;
  /** How long to wait for a connection to the server. */
  connectTimeoutMs?: number;
  /** How long a transaction waits for another process's write lock (as SQLite's busy timeout). */
  busyTimeoutMs?: number;
  /** First key of the advisory locks (two states in one database need different keys). */
  lockKey?: number;
  applicationName?: string;
}

export const defaultPgBusyTimeoutMs = 10_000;

type PgModule = typeof pg;

interface TxState {
  client: pg.PoolClient;
  done: boolean;
  broken: boolean;
  savepoints: number;
}

/** One level of a transaction: the transaction and the queue of savepoints opened at this level. */
interface Frame {
  tx: TxState;
  tail: Promise<void>;
}

let driver: Promise<PgModule> | undefined;

/** The `pg` module, loaded on first use. */
export function loadPg(): Promise<PgModule> {
  driver ??= import('pg').then((m) => m.default);
  return driver;
}

/** OIDs of pg_type (stable across PostgreSQL versions). */
const oidBool = 16;
const oidInt8 = 20;
const oidNumeric = 1700;

function typesFor(pgm: PgModule): pg.CustomTypesConfig {
  const asNumber = (v: string): number => Number(v);
  const fallback = pgm.types.getTypeParser.bind(pgm.types) as (oid: number, format: string) => unknown;
  return {
    getTypeParser: ((oid: number, format?: string): unknown => {
      // COUNT(*), BIGINT ids and ms times, SUM(): numbers, as SQLite gives them.
      if (oid === oidInt8 || oid === oidNumeric) return asNumber;
      // The SQL avoids boolean results; should one slip through, it reads as SQLite's 1/0.
      if (oid === oidBool) return (v: string) => (v === 't' ? 1 : 0);
      return fallback(oid, format ?? 'text');
    }) as pg.CustomTypesConfig['getTypeParser'],
  };
}

/** The liveness of claim holders (leases.ts), kept apart so this module does not import it. */
export interface HolderLiveness {
  isHolderAlive(holder: string | null | undefined): Promise<boolean>;
  close(): Promise<void>;
}

export class PgStateDb implements StateDb {
  readonly dialect = 'postgres' as const;
  readonly location: string;
  readonly lockKey: number;
  private readonly context = new AsyncLocalStorage<Frame>();
  /** Transactions queued in this process, per scope ('' the whole state). */
  private readonly queues = new Map<string, { tail: Promise<void>; waiting: number }>();
  private readonly scopes = new AsyncLocalStorage<string>();
  private closed: Promise<void> | undefined;
  private liveness: HolderLiveness | undefined;

  private constructor(
    readonly pool: pg.Pool,
    readonly target: PgTarget,
    private readonly busyTimeoutMs: number,
    lockKey: number,
  ) {
    this.location = target.location;
    this.lockKey = lockKey;
  }

  /** A pool on `url`, its first connection made (so a wrong URL fails here, with its fix). */
  static async connect(url: string, opts: PgStateOptions = {}): Promise<PgStateDb> {
    const target = parsePgUrl(url);
    const pgm = await loadPg();
    const pool = new pgm.Pool({
      connectionString: url,
      max: opts.poolMax ?? 4,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 15_000,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      keepAlive: true,
      application_name: opts.applicationName ?? 'asodesk-omni',
      types: typesFor(pgm),
    });
    // An idle connection the server drops is removed by the pool; without a listener the
    // 'error' event would end the process.
    pool.on('error', () => {});
    const db = new PgStateDb(
      pool,
      target,
      opts.busyTimeoutMs ?? defaultPgBusyTimeoutMs,
      opts.lockKey ?? defaultLockKey,
    );
    try {
      await db.exec(pool, 'SELECT 1');
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return db;
  }

  /** Runs one statement on `on`, storage faults turned into StorageError. */
  async exec(
    on: pg.Pool | pg.PoolClient,
    text: string,
    values?: SqlParams,
    rowMode?: 'array',
  ): Promise<pg.QueryResult> {
    try {
      return await on.query({ text, values: values as unknown[] | undefined, ...(rowMode ? { rowMode } : {}) });
    } catch (err) {
      throw toPgStorageError(err, this.target) ?? err;
    }
  }

  private async query(sql: string, params: SqlParams | undefined, rowMode?: 'array'): Promise<pg.QueryResult> {
    const text = numberPlaceholders(sql);
    const frame = this.context.getStore();
    if (frame && !frame.tx.done) return this.exec(frame.tx.client, text, params, rowMode);
    const queue = this.queues.get(this.scopes.getStore() ?? '');
    if (queue && queue.waiting > 0) await queue.tail;
    if (mayWrite(sql)) return this.transaction(() => this.query(sql, params, rowMode));
    return this.exec(this.pool, text, params, rowMode);
  }

  async all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async value<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    const row = (await this.query(sql, params, 'array')).rows[0] as unknown[] | undefined;
    return row?.[0] as T | undefined;
  }

  async column<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return ((await this.query(sql, params, 'array')).rows as unknown[][]).map((r) => r[0] as T);
  }

  async run(sql: string, params?: SqlParams): Promise<RunResult> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T> {
    const frame = this.context.getStore();
    if (frame && !frame.tx.done) return this.savepoint(frame, fn);
    const scope = this.scopes.getStore() ?? '';
    let queue = this.queues.get(scope);
    if (!queue) this.queues.set(scope, (queue = { tail: Promise.resolve(), waiting: 0 }));
    const prev = queue.tail;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    queue.tail = prev.then(() => mine);
    queue.waiting++;
    try {
      await prev;
      return await this.runTransaction(fn, scope, options?.durability === 'lazy');
    } finally {
      queue.waiting--;
      if (queue.waiting === 0 && scope !== '') this.queues.delete(scope);
      release();
    }
  }

  /**
   * Transactions started in `fn`'s async context concern `scope` alone (one app's reviews,
   * deliveries and bookkeeping): they take the write lock shared and the scope's own lock
   * exclusively, so two workers' apps are written at the same time, while a transaction of the
   * whole state (replies, follow-ups, locks) still excludes every other one.
   */
  withScope<T>(scope: string, fn: () => Promise<T>): Promise<T> {
    return this.scopes.run(scope, fn);
  }

  private async runTransaction<T>(fn: () => Promise<T>, scope: string, lazy: boolean): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw toPgStorageError(err, this.target) ?? err;
    }
    const tx: TxState = { client, done: false, broken: false, savepoints: 0 };
    // A checked-out client has no pool listener: a connection lost mid-transaction would
    // otherwise be an unhandled 'error' event.
    const onError = (): void => {
      tx.broken = true;
    };
    client.on('error', onError);
    try {
      try {
        // One round trip: the lock wait is bounded by lock_timeout, which then stays for the
        // transaction (a bound on any lock wait, as SQLite's busy timeout is).
        const lock =
          scope === ''
            ? `SELECT pg_advisory_xact_lock(${this.lockKey}, 0)`
            : `SELECT pg_advisory_xact_lock_shared(${this.lockKey}, 0), pg_advisory_xact_lock(${this.lockKey + scopeSpace}, hashtext('${scope.replace(/'/g, "''")}'))`;
        // A lazy commit does not wait for the server's WAL flush (a server crash may undo it, a
        // client kill may not): the server's own equivalent of SQLite's NORMAL.
        const durability = lazy ? ' SET LOCAL synchronous_commit = off;' : '';
        await client.query(
          `BEGIN; SET LOCAL lock_timeout = ${Math.max(1, Math.round(this.busyTimeoutMs))};${durability} ${lock}`,
        );
      } catch (err) {
        const code = (err as { code?: string }).code;
        throw toPgStorageError(err, this.target, code === '55P03' ? await this.writeLockHolders() : '') ?? err;
      }
      const result = await this.context.run({ tx, tail: Promise.resolve() }, fn);
      tx.done = true;
      await this.exec(client, 'COMMIT');
      return result;
    } catch (err) {
      tx.done = true;
      if (connectionBroke(err) || (err as { fault?: string }).fault === 'io') tx.broken = true;
      if (!tx.broken) {
        try {
          await client.query('ROLLBACK');
        } catch {
          tx.broken = true;
        }
      }
      throw err;
    } finally {
      tx.done = true;
      client.removeListener('error', onError);
      // A broken connection is destroyed, not handed to the next transaction.
      client.release(tx.broken ? true : undefined);
    }
  }

  private async savepoint<T>(frame: Frame, fn: () => Promise<T>): Promise<T> {
    const prev = frame.tail;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    frame.tail = prev.then(() => mine);
    try {
      await prev;
      const { tx } = frame;
      const name = `sp_${++tx.savepoints}`;
      await this.exec(tx.client, `SAVEPOINT ${name}`);
      try {
        const result = await this.context.run({ tx, tail: Promise.resolve() }, fn);
        await this.exec(tx.client, `RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (err) {
        if (!tx.broken) await this.exec(tx.client, `ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`);
        throw err;
      }
    } finally {
      release();
    }
  }

  /** Who holds the write lock, for the busy message (best effort: the error path only). */
  private async writeLockHolders(): Promise<string> {
    try {
      const r = await this.pool.query<{ pid: number; app: string | null; addr: string | null }>(
        `SELECT a.pid, a.application_name AS app, host(a.client_addr) AS addr
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::int::oid AND l.objid = 0 AND l.objsubid = 2
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [this.lockKey],
      );
      const who = r.rows.map((h) => `server pid ${h.pid} (${h.app || '?'}${h.addr ? ` from ${h.addr}` : ''})`);
      return who.length > 0 ? `; holding it: ${who.join(', ')}` : '';
    } catch {
      return '';
    }
  }

  /** Set by openPgState once this process holds the session lock of its own holder id. */
  attachLiveness(liveness: HolderLiveness): void {
    this.liveness = liveness;
  }

  isHolderAlive(holder: string | null | undefined): Promise<boolean> {
    // Without the attached liveness (a bare handle: tests, copying) only this host is checked.
    return this.liveness ? this.liveness.isHolderAlive(holder) : Promise.resolve(holderAlive(holder));
  }

  async close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all([...this.queues.values()].map((q) => q.tail));
      await this.liveness?.close();
      await this.pool.end();
    })();
    return this.closed;
  }
}
