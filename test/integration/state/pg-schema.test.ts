/**
 * The PostgreSQL migrations build the same schema as the SQLite ones: tables, columns (name,
 * integer or text, NOT NULL), primary keys, unique constraints and indexes. A migration added
 * to one side only fails here.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/errors.js';
import { migrations } from '../../../src/state/migrations.js';
import type { PgStateDb } from '../../../src/state/postgres/pg-handle.js';
import { openPgState, pgMigrations, schemaVersionTable } from '../../../src/state/postgres/migrations.js';
import { freshPgDatabase } from '../../helpers/pg.js';

interface TableShape {
  columns: string[];
  primaryKey: string[];
  unique: string[];
  indexes: string[];
}
type Schema = Record<string, TableShape>;

const affinity = (declared: string): string =>
  /INT/i.test(declared) ? 'integer' : /TEXT/i.test(declared) ? 'text' : declared;

function sqliteSchema(): Schema {
  const db = new Database(':memory:');
  try {
    for (const step of migrations) db.exec(step);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[];
    const schema: Schema = {};
    for (const table of tables) {
      const cols = db.pragma(`table_info(${table})`) as Array<{
        name: string;
        type: string;
        notnull: number;
        pk: number;
      }>;
      const indexList = db.pragma(`index_list(${table})`) as Array<{
        name: string;
        unique: number;
        origin: string;
        partial: number;
      }>;
      const colsOf = (index: string): string =>
        (db.pragma(`index_info(${index})`) as Array<{ name: string }>).map((c) => c.name).join(',');
      schema[table] = {
        // SQLite lets a non-integer PRIMARY KEY hold NULL; the data never does, PostgreSQL forbids it.
        columns: cols.map((c) => `${c.name} ${affinity(c.type)}${c.notnull || c.pk ? ' not null' : ''}`),
        primaryKey: cols
          .filter((c) => c.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((c) => c.name),
        unique: indexList
          .filter((i) => i.origin === 'u')
          .map((i) => colsOf(i.name))
          .sort(),
        indexes: indexList
          .filter((i) => i.origin === 'c')
          .map((i) => `${i.name}(${colsOf(i.name)})${i.unique ? ' unique' : ''}${i.partial ? ' partial' : ''}`)
          .sort(),
      };
    }
    return schema;
  } finally {
    db.close();
  }
}

async function pgSchema(db: PgStateDb): Promise<Schema> {
  const tables = await db.column<string>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> ? ORDER BY table_name`,
    [schemaVersionTable],
  );
  const schema: Schema = {};
  for (const table of tables) {
    const cols = await db.all<{ name: string; type: string; nullable: string }>(
      `SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`,
      [table],
    );
    const constraint = (kind: string): Promise<string[]> =>
      db.column<string>(
        `SELECT string_agg(a.attname, ',' ORDER BY k.n)
           FROM pg_constraint c
           CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
          WHERE c.conrelid = to_regclass(?) AND c.contype = ?
          GROUP BY c.oid ORDER BY 1`,
        [table, kind],
      );
    const indexes = await db.column<string>(
      `SELECT i.relname || '(' || string_agg(a.attname, ',' ORDER BY k.n) || ')'
              || CASE WHEN x.indisunique THEN ' unique' ELSE '' END
              || CASE WHEN x.indpred IS NOT NULL THEN ' partial' ELSE '' END
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
         JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
        WHERE x.indrelid = to_regclass(?)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        GROUP BY i.relname, x.indisunique, x.indpred IS NOT NULL ORDER BY 1`,
      [table],
    );
    schema[table] = {
      columns: cols.map(
        (c) =>
          `${c.name} ${affinity(c.type === 'bigint' || c.type === 'integer' ? 'INT' : c.type)}${c.nullable === 'NO' ? ' not null' : ''}`,
      ),
      primaryKey: ((await constraint('p'))[0] ?? '').split(',').filter(Boolean),
      unique: await constraint('u'),
      indexes,
    };
  }
  return schema;
}

const open: PgStateDb[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
});

async function openFresh(url: string): Promise<PgStateDb> {
  const db = await openPgState(url);
  open.push(db);
  return db;
}

describe('PostgreSQL schema', () => {
  it('has one step per SQLite migration', () => {
    expect(pgMigrations.length).toBe(migrations.length);
  });

  it('matches the SQLite schema table by table', async () => {
    const { url } = await freshPgDatabase();
    const db = await openFresh(url);
    const expected = sqliteSchema();
    expect(Object.keys(expected).length).toBeGreaterThan(10);
    expect(await pgSchema(db)).toEqual(expected);
  });

  it('records each step, and a second open changes nothing', async () => {
    const { url } = await freshPgDatabase();
    const first = await openFresh(url);
    const steps = await first.column<number>(`SELECT version FROM ${schemaVersionTable} ORDER BY version`);
    expect(steps).toEqual(migrations.map((_, i) => i + 1));
    await openFresh(url);
    expect(await first.value(`SELECT COUNT(*) FROM ${schemaVersionTable}`)).toBe(migrations.length);
  });

  it('migrates once when two processes open a new database at the same time', async () => {
    const { url } = await freshPgDatabase();
    const [a] = await Promise.all([openFresh(url), openFresh(url), openFresh(url)]);
    expect(await a.column<number>(`SELECT version FROM ${schemaVersionTable} ORDER BY version`)).toEqual(
      migrations.map((_, i) => i + 1),
    );
  });

  it('refuses a database written by a newer version', async () => {
    const { url } = await freshPgDatabase();
    const db = await openFresh(url);
    await db.run(`INSERT INTO ${schemaVersionTable} (version, applied_at) VALUES (?, ?)`, [
      migrations.length + 1,
      new Date().toISOString(),
    ]);
    const err = await openPgState(url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).fault).toBe('newer-schema');
    expect((err as StorageError).message).toContain(
      `schema ${migrations.length + 1}; this version knows ${migrations.length}`,
    );
    expect((err as StorageError).message).not.toContain(new URL(url).password);
  });
});
