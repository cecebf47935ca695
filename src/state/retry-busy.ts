/**
 * better-sqlite3 waits for a lock synchronously: with the usual 10 s busy timeout, a write lock
 * held by another process (a `sync`, a backup, an admin's sqlite3 shell) freezes the whole event
 * loop, `/healthz` included. A listener instead sets a short busy timeout and retries here,
 * asynchronously, with growing pauses, until a deadline.
 */
import type { StateDb } from './handle.js';
import type { SqliteStateDb } from './sqlite-handle.js';

/** The busy timeout of a connection that must never hold its event loop for long. */
export const shortBusyTimeoutMs = 5;

/** The write lock was still held by another process at the deadline. */
export class StateBusyError extends Error {
  constructor(
    readonly waitedMs: number,
    options?: { cause?: unknown },
  ) {
    super(`the state database stayed locked by another process for ${Math.round(waitedMs)} ms`, options);
    this.name = 'StateBusyError';
  }
}

/** SQLITE_BUSY (and its extended codes) or SQLITE_LOCKED, as better-sqlite3 throws them. */
export function isBusy(err: unknown): boolean {
  if (err instanceof StateBusyError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

export interface RetryBusyOptions {
  /** Give up (StateBusyError) after this long. */
  deadlineMs: number;
  /** First pause; doubles up to maxPauseMs. */
  firstPauseMs?: number | undefined;
  maxPauseMs?: number | undefined;
  now?: (() => number) | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Called once, on the first busy answer (to log that we wait). */
  onBusy?: (() => void) | undefined;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a database step; on a busy answer, waits without blocking and runs it again. */
export async function retryBusy<T>(step: () => T | Promise<T>, opts: RetryBusyOptions): Promise<T> {
  const now = opts.now ?? (() => performance.now());
  const sleep = opts.sleep ?? defaultSleep;
  const started = now();
  let pause = opts.firstPauseMs ?? 10;
  let told = false;
  for (;;) {
    try {
      return await step();
    } catch (err) {
      if (!isBusy(err)) throw err;
      const waited = now() - started;
      if (waited >= opts.deadlineMs) throw new StateBusyError(waited, { cause: err });
      if (!told) {
        told = true;
        opts.onBusy?.();
      }
      await sleep(Math.min(pause, Math.max(1, opts.deadlineMs - waited)));
      pause = Math.min(pause * 2, opts.maxPauseMs ?? 250);
    }
  }
}

/** Resolves once this connection could take the write lock (an empty transaction: taken and given back at once). */
export function waitWritable(db: StateDb, opts: RetryBusyOptions): Promise<void> {
  return retryBusy(() => db.transaction(() => Promise.resolve()), opts);
}

/**
 * A listener never waits synchronously on a lock another process holds: SQLite's busy timeout
 * blocks the event loop, so it is cut short and `retryBusy` waits instead. (A PostgreSQL lock
 * wait does not block the event loop: nothing to change there.)
 */
export function preferAsyncLockWaits(db: StateDb): void {
  if (db.dialect === 'sqlite') (db as SqliteStateDb).sqlite.pragma(`busy_timeout = ${shortBusyTimeoutMs}`);
}
