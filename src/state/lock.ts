/**
 * A run lock kept in the database itself (one file to back up, works wherever SQLite works).
 * A lock whose process is gone (same host) or whose heartbeat is stale is taken over.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LockedError } from '../errors.js';
import { nowIso, type Db } from './db.js';

export interface HeldLock {
  name: string;
  token: string;
  /** Refresh the heartbeat; long runs call this so they are not taken for dead. */
  beat(): void;
  release(): void;
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

export function acquireLock(db: Db, name: string, opts: { staleMs?: number; now?: () => number } = {}): HeldLock {
  const staleMs = opts.staleMs ?? 10 * 60_000;
  const now = opts.now ?? Date.now;
  const token = randomUUID();
  const host = hostname();
  const take = db.transaction(() => {
    const row = db.prepare('SELECT pid, host, token, acquired_at, heartbeat_at FROM locks WHERE name = ?').get(name) as
      LockRow | undefined;
    if (row) {
      const sameHost = row.host === host;
      const dead = sameHost && row.pid !== process.pid && !processAlive(row.pid);
      const stale = now() - Date.parse(row.heartbeat_at) > staleMs;
      if (!dead && !stale) {
        throw new LockedError(`Another ${name} is running (pid ${row.pid} on ${row.host}, since ${row.acquired_at}).`);
      }
    }
    const at = new Date(now()).toISOString();
    db.prepare(
      'INSERT OR REPLACE INTO locks (name, pid, host, token, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(name, process.pid, host, token, at, at);
  });
  take.immediate();
  return {
    name,
    token,
    beat: () => {
      db.prepare('UPDATE locks SET heartbeat_at = ? WHERE name = ? AND token = ?').run(nowIso(), name, token);
    },
    release: () => {
      db.prepare('DELETE FROM locks WHERE name = ? AND token = ?').run(name, token);
    },
  };
}
