/**
 * A run lock kept in the database itself (one file to back up, works wherever SQLite works).
 * A lock whose process is gone (same host) or whose heartbeat is stale is taken over.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LockedError } from '../errors.js';
import type { StateDb } from './handle.js';
import { nowIso } from './now.js';

export interface HeldLock {
  name: string;
  token: string;
  /** Refresh the heartbeat; long runs call this so they are not taken for dead. */
  beat(): Promise<void>;
  release(): Promise<void>;
}

interface LockRow {
  pid: number;
  host: string;
  token: string;
  acquired_at: string;
  heartbeat_at: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireLock(
  db: StateDb,
  name: string,
  opts: { staleMs?: number; now?: () => number } = {},
): Promise<HeldLock> {
  const staleMs = opts.staleMs ?? 10 * 60_000;
  const now = opts.now ?? Date.now;
  const token = randomUUID();
  const host = hostname();
  // Read and write in one transaction with the write lock taken first: two processes never both take it.
  await db.transaction(async () => {
    const row = await db.get<LockRow>('SELECT pid, host, token, acquired_at, heartbeat_at FROM locks WHERE name = ?', [
      name,
    ]);
    if (row) {
      const sameHost = row.host === host;
      const dead = sameHost && row.pid !== process.pid && !processAlive(row.pid);
      const stale = now() - Date.parse(row.heartbeat_at) > staleMs;
      if (!dead && !stale) {
        throw new LockedError(`Another ${name} is running (pid ${row.pid} on ${row.host}, since ${row.acquired_at}).`);
      }
    }
    const at = new Date(now()).toISOString();
    await db.run(
      `INSERT INTO locks (name, pid, host, token, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET pid = excluded.pid, host = excluded.host, token = excluded.token,
         acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
      [name, process.pid, host, token, at, at],
    );
  });
  return {
    name,
    token,
    beat: async () => {
      await db.run('UPDATE locks SET heartbeat_at = ? WHERE name = ? AND token = ?', [nowIso(), name, token]);
    },
    release: async () => {
      await db.run('DELETE FROM locks WHERE name = ? AND token = ?', [name, token]);
    },
  };
}

/**
 * Deletes `lock`'s row from another state `db` (a copy made while the lock was held): the row
 * names this process, not the state, and in the copy nobody would ever release it. Returns the
 * rows deleted (0 or 1).
 */
export async function forgetCopiedLock(db: StateDb, lock: Pick<HeldLock, 'name' | 'token'>): Promise<number> {
  const r = await db.run('DELETE FROM locks WHERE name = ? AND token = ?', [lock.name, lock.token]);
  return r.changes;
}
