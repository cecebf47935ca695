/**
 * Who may sync what. On the SQLite file one sync runs at a time: the run lock in the file
 * (lock.ts), and a second run exits 75. On PostgreSQL several workers share the apps: each app
 * is taken for the run by a session-level lease (postgres/leases.ts) that a dying worker loses
 * with its connection, and the steps that concern the whole account (publishing replies,
 * follow-ups, rating notes) run in the one worker that holds the shared lease.
 */
import type { StateDb } from './handle.js';
import { acquireLock } from './lock.js';
import type { PgStateDb } from './postgres/pg-handle.js';

export interface HeldApp {
  release(): Promise<void>;
}

export interface SyncLeases {
  /** True when this run does the account-wide steps (no other worker is doing them now). */
  readonly shared: boolean;
  /** Takes one app for this run; undefined when another worker holds it. */
  app(appKey: string): Promise<HeldApp | undefined>;
  /** Long runs call this so the SQLite run lock is not taken for dead. */
  beat(): Promise<void>;
  release(): Promise<void>;
}

const noLease: HeldApp = { release: () => Promise.resolve() };

/** Throws LockedError (exit 75) on SQLite when another run holds the file. */
export async function takeSyncLeases(db: StateDb, name = 'sync'): Promise<SyncLeases> {
  if (db.dialect === 'sqlite') {
    const lock = await acquireLock(db, name);
    return {
      shared: true,
      app: () => Promise.resolve(noLease),
      beat: () => lock.beat(),
      release: () => lock.release(),
    };
  }
  const { tryLease } = await import('./postgres/leases.js');
  const pg = db as PgStateDb;
  const shared = await tryLease(pg, `${name}:shared`);
  const held = new Set<{ release(): Promise<void> }>();
  if (shared) held.add(shared);
  return {
    shared: shared !== null,
    app: async (appKey) => {
      const lease = await tryLease(pg, `${name}:app:${appKey}`);
      if (!lease) return undefined;
      held.add(lease);
      return {
        release: async () => {
          held.delete(lease);
          await lease.release();
        },
      };
    },
    beat: () => Promise.resolve(),
    release: async () => {
      await Promise.all([...held].map((l) => l.release()));
      held.clear();
    },
  };
}
