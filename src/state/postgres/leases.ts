/**
 * Session-level advisory locks of a PostgreSQL state: leases (the run lock of `sync`, a
 * serve-hook's exclusive jobs) and the liveness of claim holders.
 *
 * Each lease lives on a connection of its own, outside the transaction pool: a session lock
 * belongs to the session that took it, so it must not be handed to the next transaction. The
 * server drops the lock the moment that session ends: a process that dies (SIGKILL, a lost
 * host) frees its lease at once, with no heartbeat or staleness to wait for, on any host.
 *
 * Liveness: each process holds one session lock for its own holder id (`pid@host#start`, see
 * src/state/liveness.ts), so a claim whose holder has no such lock belongs to a process that
 * is gone, also on another host, and is taken over at once.
 *
 * Key spaces (two-int4 advisory locks): (lockKey, 0) the write lock (pg-handle.ts);
 * (lockKey + 1, hashtext(name)) leases; (lockKey + 2, hashtext(holder)) holders. Two names with
 * the same 32-bit hash would make two leases exclude each other, or keep a dead holder's
 * claim until it is stale: the safe direction in both cases.
 */
import type pg from 'pg';
import { hostname } from 'node:os';
import { holderAlive, selfHolder } from '../liveness.js';
import { loadPg, type PgStateDb } from './pg-handle.js';
import { toPgStorageError, type PgTarget } from './pg-faults.js';

export interface Lease {
  readonly name: string;
  /** False once the lease's connection is gone (the server then no longer holds it for us). */
  readonly held: boolean;
  /** Called once when the connection is lost while the lease is held. */
  onLost(fn: () => void): void;
  release(): Promise<void>;
}

const leaseSpace = (lockKey: number): number => lockKey + 1;
const holderSpace = (lockKey: number): number => lockKey + 2;

/** A connection of its own (not from the pool), errors mapped as for the pool. */
async function dedicatedClient(target: PgTarget, purpose: string): Promise<pg.Client> {
  const pgm = await loadPg();
  const client = new pgm.Client({
    connectionString: target.url,
    application_name: `asodesk-omni ${purpose}`,
    keepAlive: true,
    connectionTimeoutMillis: 15_000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw toPgStorageError(err, target) ?? err;
  }
  return client;
}

async function tryLock(client: pg.Client, space: number, name: string): Promise<boolean> {
  const r = await client.query<{ ok: number }>(
    'SELECT CASE WHEN pg_try_advisory_lock($1, hashtext($2)) THEN 1 ELSE 0 END AS ok',
    [space, name],
  );
  return r.rows[0]?.ok === 1;
}

/** Takes the lease `name` if no other session holds it; null when one does. */
export async function tryLease(db: PgStateDb, name: string): Promise<Lease | null> {
  const client = await dedicatedClient(db.target, `lease ${name}`);
  let got: boolean;
  try {
    got = await tryLock(client, leaseSpace(db.lockKey), name);
  } catch (err) {
    await client.end().catch(() => undefined);
    throw toPgStorageError(err, db.target) ?? err;
  }
  if (!got) {
    await client.end().catch(() => undefined);
    return null;
  }
  let held = true;
  let released = false;
  const lost: Array<() => void> = [];
  const onGone = (): void => {
    if (!held) return;
    held = false;
    if (!released) for (const fn of lost.splice(0)) fn();
  };
  client.on('error', onGone);
  client.on('end', onGone);
  return {
    name,
    get held() {
      return held;
    },
    onLost: (fn) => {
      lost.push(fn);
    },
    release: async () => {
      if (released) return;
      released = true;
      try {
        if (held) await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [leaseSpace(db.lockKey), name]);
      } catch {
        // The session is ending anyway: its locks go with it.
      } finally {
        held = false;
        await client.end().catch(() => undefined);
      }
    },
  };
}

const holderPattern = /^(\d+)@(.*)#(\d*)$/;

/**
 * This process's liveness on a PostgreSQL state, and the check of other holders. `start`
 * takes the session lock of `selfHolder()`; it is kept until `close` (or the process's end).
 */
export class PgLiveness {
  private constructor(
    private readonly db: PgStateDb,
    private readonly client: pg.Client,
    readonly holder: string,
  ) {}

  static async start(db: PgStateDb, holder = selfHolder()): Promise<PgLiveness> {
    const client = await dedicatedClient(db.target, 'liveness');
    try {
      // Only this process uses its own holder id, so the lock is free; should it not be (the
      // same id twice), this process still counts as alive through the other session.
      await tryLock(client, holderSpace(db.lockKey), holder);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw toPgStorageError(err, db.target) ?? err;
    }
    return new PgLiveness(db, client, holder);
  }

  /**
   * False when the holder's process is surely gone: no session holds its lock, and (same
   * host) its pid is not running either, so a process of an older version that never took the
   * lock is not taken for dead while it runs.
   */
  async isHolderAlive(holder: string | null | undefined): Promise<boolean> {
    if (!holder) return false;
    if (holder === this.holder) return true;
    const m = holderPattern.exec(holder);
    if (!m) return false;
    const registered = await this.db.value<number>(
      `SELECT COUNT(*) FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 2
          AND classid = ?::int::oid AND objid = hashtext(?)::oid
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [holderSpace(this.db.lockKey), holder],
    );
    if ((registered ?? 0) > 0) return true;
    return m[2] === hostname() && holderAlive(holder);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
