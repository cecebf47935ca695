/**
 * `sync --metrics-file`: the figures in Prometheus text format for node_exporter's textfile
 * collector, written atomically (a temp file in the same folder, then a rename), so the collector
 * never reads half a file. Mode 0644: the file holds counts and ids only, no secret.
 */
import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { StateDb } from '../state/handle.js';
import { addSnapshotGauges, newRegistry } from './prometheus.js';
import { metricsSnapshot } from './snapshot.js';

export async function writeMetricsFile(path: string, db: StateDb, now: () => number = Date.now): Promise<void> {
  const registry = newRegistry();
  addSnapshotGauges(registry, () => metricsSnapshot(db, now()));
  const text = await registry.metrics();
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    // The umask may have narrowed the mode; the collector (another user) must read the file.
    chmodSync(tmp, 0o644);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
