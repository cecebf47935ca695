/**
 * `state migrate`: the SQLite state copied into another (empty) state, normally PostgreSQL.
 * The source's run lock is held throughout, so no `sync` or `import` starts on the old state
 * while it is being copied (copyState's read transaction also holds the file's write lock, so
 * nothing else writes it either). The lock's own row is the one thing not carried over: it
 * belongs to this process, and a copy of it would make the first `sync` on another host wait
 * for it to go stale.
 */
import { copyState, type CopyCounts, type CopyProgress } from '../state/copy.js';
import type { StateDb } from '../state/handle.js';
import { acquireLock, forgetCopiedLock } from '../state/lock.js';

export interface MigrateOptions {
  source: StateDb;
  target: StateDb;
  onProgress?: ((p: CopyProgress) => void) | undefined;
}

/** Row counts per table as they are in the target (verified against the source). */
export async function migrateState(opts: MigrateOptions): Promise<CopyCounts> {
  const { source, target } = opts;
  // Exit 75 (LockedError) when a sync or import runs on the source, before the target is touched.
  const lock = await acquireLock(source, 'sync');
  try {
    // One target transaction around the copy (which nests as a savepoint) and the removal of the
    // lock row: the target never shows the lock, and a failure leaves it empty.
    return await target.transaction(async () => {
      const counts = await copyState(source, target, { onProgress: opts.onProgress });
      const forgotten = await forgetCopiedLock(target, lock);
      if (counts.locks !== undefined) counts.locks -= forgotten;
      return counts;
    });
  } finally {
    await lock.release();
  }
}
