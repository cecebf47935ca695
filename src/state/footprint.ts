/**
 * What a SQLite state file takes on disk per stored review (the benchmark's storage target,
 * #20): measured on a `VACUUM INTO` copy, so free pages and the WAL do not count.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface Footprint {
  bytes: number;
  reviews: number;
  /** Bytes per table and index (from `dbstat`). */
  objects: Record<string, number>;
}

export function sqliteFootprint(path: string): Footprint {
  const dir = mkdtempSync(join(tmpdir(), 'asodesk-omni-footprint-'));
  try {
    const copy = join(dir, 'state.db');
    const source = new Database(path, { readonly: true });
    try {
      source.prepare('VACUUM INTO ?').run(copy);
    } finally {
      source.close();
    }
    const db = new Database(copy, { readonly: true });
    try {
      const reviews = db.prepare('SELECT COUNT(*) AS n FROM reviews').get() as { n: number };
      const rows = db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all() as {
        name: string;
        bytes: number;
      }[];
      return {
        bytes: statSync(copy).size,
        reviews: reviews.n,
        objects: Object.fromEntries(rows.map((r) => [r.name, r.bytes])),
      };
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
