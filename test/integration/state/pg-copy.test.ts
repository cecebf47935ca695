/**
 * copyState SQLite → PostgreSQL (and back): every table with rows, ids kept, identity
 * sequences moved past them, counts verified, and a second copy into the same target refused.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { copyState, stateTables, type CopyProgress } from '../../../src/state/copy.js';
import { openDb } from '../../../src/state/db.js';
import type { StateDb } from '../../../src/state/handle.js';
import type { SqliteStateDb } from '../../../src/state/sqlite-handle.js';
import { openPgState } from '../../../src/state/postgres/migrations.js';
import type { PgStateDb } from '../../../src/state/postgres/pg-handle.js';
import { freshPgDatabase } from '../../helpers/pg.js';
import { tempDir } from '../../helpers/temp.js';

const open: StateDb[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
});

function sqliteState(): SqliteStateDb {
  const db = openDb(join(tempDir(), 'state.db'));
  open.push(db);
  return db;
}

async function pgState(): Promise<PgStateDb> {
  const { url } = await freshPgDatabase();
  const db = await openPgState(url);
  open.push(db);
  return db;
}

/** Rows in every table: `many` in review_versions (several batches), a few elsewhere, sparse ids. */
function fill(state: SqliteStateDb, many: number): void {
  const db = state.sqlite;
  const tx = db.transaction(() => {
    for (const t of stateTables()) {
      const cols = db.pragma(`table_info(${t.name})`) as Array<{ name: string; type: string; notnull: number }>;
      const rows = t.name === 'review_versions' ? many : 3;
      const insert = db.prepare(
        `INSERT INTO ${t.name} (${cols.map((c) => c.name).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
      );
      for (let i = 0; i < rows; i++) {
        insert.run(
          ...cols.map((c) => {
            if (c.name === t.identity) return 1000 + i * 37; // sparse ids: must be kept as they are
            if (/INT/i.test(c.type))
              return c.name === 'at' ? 1_700_000_000_000 + i : i % 7 === 6 && !c.notnull ? null : i;
            if (c.name === 'review_json')
              return JSON.stringify({ i, text: `O'Brien ? "quoted" ${'x'.repeat(i % 50)}` });
            return `${c.name}-${i}`;
          }),
        );
      }
    }
    // A row equal to another in every column (api_usage has no key).
    db.prepare('INSERT INTO api_usage (key, at) VALUES (?, ?)').run('key-0', 1_700_000_000_000);
  });
  tx.immediate();
}

async function dump(db: StateDb): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of stateTables()) {
    const order = t.key.length > 0 ? t.key.join(', ') : '1, 2';
    out[t.name] = await db.all(`SELECT * FROM ${t.name} ORDER BY ${order}`);
  }
  return out;
}

describe('copyState', () => {
  it('knows every table of the migrations, with its key', () => {
    const tables = stateTables();
    expect(tables.map((t) => t.name)).toContain('answer_edits');
    expect(tables.find((t) => t.name === 'review_versions')?.key).toEqual(['review_key', 'version']);
    expect(tables.find((t) => t.name === 'replies')?.key).toEqual(['message_id']);
    expect(tables.filter((t) => t.identity).map((t) => t.name)).toEqual(['deliveries', 'runs']);
    expect(tables.filter((t) => t.key.length === 0).map((t) => t.name)).toEqual(['api_usage']);
  });

  it('copies a SQLite state with rows in every table to PostgreSQL, ids and all, and refuses a second copy', async () => {
    const source = sqliteState();
    fill(source, 1234);
    const target = await pgState();
    const progress: CopyProgress[] = [];
    const counts = await copyState(source, target, { onProgress: (p) => progress.push(p) });

    const tables = stateTables().map((t) => t.name);
    expect(Object.keys(counts)).toEqual(tables);
    for (const t of tables) expect(counts[t]).toBe(t === 'review_versions' ? 1234 : t === 'api_usage' ? 4 : 3);
    expect(progress.filter((p) => p.table === 'review_versions').map((p) => p.copied)).toEqual([500, 1000, 1234]);
    expect(await dump(target)).toEqual(await dump(source));

    // The identity sequences are past the copied ids.
    const maxId = await target.value<number>('SELECT MAX(id) FROM deliveries');
    const id = await target.value<number>(
      `INSERT INTO deliveries (review_key, version, kind, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
      ['new', 1, 'create', 'pending', 'now', 'now'],
    );
    expect(id).toBe(maxId! + 1);
    const runId = await target.value<number>(`INSERT INTO runs (command, started_at) VALUES (?, ?) RETURNING id`, [
      'sync',
      'now',
    ]);
    expect(runId).toBe(1000 + 2 * 37 + 1);

    const before = await dump(target);
    const again = await copyState(source, target).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(again).toBeInstanceOf(UserError);
    expect((again as Error).message).toMatch(/not empty/);
    expect((again as Error).message).not.toContain(new URL(target.target.url).password);
    expect(await dump(target)).toEqual(before);
  });

  it('copies back from PostgreSQL to a new SQLite state unchanged', async () => {
    const source = sqliteState();
    fill(source, 40);
    const middle = await pgState();
    await copyState(source, middle, { batchRows: 7 });
    const back = sqliteState();
    const counts = await copyState(middle, back, { batchRows: 7 });
    expect(counts.review_versions).toBe(40);
    expect(await dump(back)).toEqual(await dump(source));
  });

  it('leaves the target empty when the copy fails half-way', async () => {
    const source = sqliteState();
    fill(source, 10);
    const target = await pgState();
    let calls = 0;
    const failing = await copyState(source, target, {
      onProgress: () => {
        if (++calls === 5) throw new Error('interrupted');
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((failing as Error).message).toBe('interrupted');
    for (const t of stateTables()) expect(await target.value(`SELECT COUNT(*) FROM ${t.name}`)).toBe(0);
    // And a retry then succeeds.
    expect((await copyState(source, target)).review_versions).toBe(10);
  });
});
