/**
 * Copies a whole state from one StateDb to another (SQLite → PostgreSQL when moving to a
 * server, or back), through the StateDb interface only, so either side may be either dialect.
 * Both must be opened (and so migrated) by this version: their schemas are then the same.
 *
 * The copy is one transaction on the target (a failure leaves it empty) and reads the source
 * inside one transaction too (a consistent snapshot; it also holds the source's write lock, so
 * nothing changes it meanwhile). Tables are copied in the order the migrations create them,
 * which is safe for references (a table can only refer to an earlier one), in batches of
 * multi-row INSERTs, by key order (keyset pages, not OFFSET, where a table has a key). Ids are
 * kept; PostgreSQL identity sequences are moved past them afterwards. The row count of every
 * table is compared at the end.
 */
import { ExitCode, UserError } from '../errors.js';
import type { SqlValue, StateDb } from './handle.js';
import { migrations } from './migrations.js';

export interface CopyProgress {
  table: string;
  /** Rows of this table copied so far. */
  copied: number;
  /** Rows of this table in the source. */
  total: number;
}

export interface CopyOptions {
  onProgress?: (p: CopyProgress) => void;
  /** Rows per INSERT (fewer when a table has many columns: bound parameters are limited). */
  batchRows?: number;
}

/** Row counts per table, in copy order. */
export type CopyCounts = Record<string, number>;

interface TableInfo {
  name: string;
  /** Primary key columns (keyset order); empty for a table without one. */
  key: string[];
  /** The AUTOINCREMENT column, if any (a PostgreSQL identity column). */
  identity?: string;
}

/**
 * The state's tables as the migrations create them, read from their text so a new table is
 * copied without anyone remembering to list it.
 */
export function stateTables(steps: readonly string[] = migrations): TableInfo[] {
  const tables: TableInfo[] = [];
  for (const step of steps) {
    const sql = step.replace(/--[^\n]*/g, '');
    for (const m of sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)\s*\(([\s\S]*?)\);/gi)) {
      const name = m[1]!;
      const body = m[2]!;
      const info: TableInfo = { name, key: [] };
      const inline = /^\s*(\w+)\s+\w+[^,\n]*\bPRIMARY KEY\b/im.exec(body);
      const composite = /\bPRIMARY KEY\s*\(([^)]*)\)/i.exec(body);
      if (composite) info.key = composite[1]!.split(',').map((c) => c.trim());
      else if (inline) info.key = [inline[1]!];
      const auto = /^\s*(\w+)\s+INTEGER PRIMARY KEY AUTOINCREMENT/im.exec(body);
      if (auto) info.identity = auto[1]!;
      tables.push(info);
    }
  }
  return tables;
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/** Bound parameters per statement: below SQLite's 32766 and PostgreSQL's 65535. */
const maxParams = 30_000;

type Row = Record<string, SqlValue>;

export async function copyState(from: StateDb, to: StateDb, opts: CopyOptions = {}): Promise<CopyCounts> {
  const tables = stateTables();
  const batchRows = Math.max(1, opts.batchRows ?? 500);
  return to.transaction(() =>
    from.transaction(async () => {
      for (const t of tables) {
        const n = (await to.value<number>(`SELECT COUNT(*) FROM ${quote(t.name)}`)) ?? 0;
        if (n > 0) {
          throw new UserError(
            `The target state ${to.location} is not empty (${t.name} has ${n} rows); nothing was copied.`,
            ExitCode.usage,
            'Copy into a new, empty state (a new database or file); the copy never merges into existing data.',
          );
        }
      }
      const counts: CopyCounts = {};
      for (const t of tables) {
        const total = (await from.value<number>(`SELECT COUNT(*) FROM ${quote(t.name)}`)) ?? 0;
        let copied = 0;
        let after: Row | undefined;
        while (copied < total) {
          const rows = await page(from, t, batchRows, copied, after);
          if (rows.length === 0) break;
          await insertRows(to, t.name, rows, batchRows);
          copied += rows.length;
          after = rows[rows.length - 1];
          opts.onProgress?.({ table: t.name, copied, total });
        }
        counts[t.name] = copied;
      }
      if (to.dialect === 'postgres') {
        for (const t of tables) {
          if (!t.identity) continue;
          // Next id past the largest copied (or 1): `is_called = false` makes it the next value.
          await to.value(
            `SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT MAX(${quote(t.identity)}) FROM ${quote(t.name)}), 0) + 1, false)`,
            [t.name, t.identity],
          );
        }
      }
      for (const t of tables) {
        const there = (await to.value<number>(`SELECT COUNT(*) FROM ${quote(t.name)}`)) ?? 0;
        const here = (await from.value<number>(`SELECT COUNT(*) FROM ${quote(t.name)}`)) ?? 0;
        if (there !== here || there !== counts[t.name]) {
          throw new Error(
            `Copying the state: ${t.name} has ${here} rows in the source but ${there} in the target after the copy; the copy was rolled back.`,
          );
        }
      }
      return counts;
    }),
  );
}

/** The next rows of `t` after `after` (by key), or at `offset` for a table without a key. */
async function page(from: StateDb, t: TableInfo, limit: number, offset: number, after?: Row): Promise<Row[]> {
  const name = quote(t.name);
  if (t.key.length === 0) {
    // No key (api_usage): every column orders it; rows equal in all columns are interchangeable.
    const first = await from.get<Row>(`SELECT * FROM ${name} LIMIT 1`);
    const order = Object.keys(first ?? {})
      .map(quote)
      .join(', ');
    return from.all<Row>(`SELECT * FROM ${name} ORDER BY ${order} LIMIT ? OFFSET ?`, [limit, offset]);
  }
  const keys = t.key.map(quote).join(', ');
  if (!after) return from.all<Row>(`SELECT * FROM ${name} ORDER BY ${keys} LIMIT ?`, [limit]);
  const marks = t.key.map(() => '?').join(', ');
  return from.all<Row>(`SELECT * FROM ${name} WHERE (${keys}) > (${marks}) ORDER BY ${keys} LIMIT ?`, [
    ...t.key.map((k) => after[k] ?? null),
    limit,
  ]);
}

async function insertRows(to: StateDb, table: string, rows: readonly Row[], batchRows: number): Promise<void> {
  const columns = Object.keys(rows[0]!);
  const perInsert = Math.max(1, Math.min(batchRows, Math.floor(maxParams / columns.length)));
  const head = `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES `;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += perInsert) {
    const chunk = rows.slice(i, i + perInsert);
    const params: SqlValue[] = [];
    for (const row of chunk) for (const c of columns) params.push(row[c] ?? null);
    await to.run(head + chunk.map(() => tuple).join(', '), params);
  }
}
