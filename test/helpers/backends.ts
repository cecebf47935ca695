/**
 * The state backends as test parameters: `describe.each(backends)('… (%s)', (_name, open) => …)`
 * runs a block once on SQLite and once on PostgreSQL. `open()` gives a fresh, migrated, empty
 * state, closed (and on PostgreSQL dropped) when the test ends; made in a hook, when the file
 * ends.
 *
 * PostgreSQL: the migrations run once per test file, into a template database; each state is a
 * `CREATE DATABASE … TEMPLATE` copy of it (a file copy on the server, much cheaper than running
 * every migration step again), opened with `openPgState` as a command would open it (its
 * migration check finds nothing to do; the holder liveness is attached).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, onTestFinished } from 'vitest';
import { openDb } from '../../src/state/db.js';
import type { StateDb, StateDialect } from '../../src/state/handle.js';
import { PgLiveness } from '../../src/state/postgres/leases.js';
import { openPgState } from '../../src/state/postgres/migrations.js';
import type { PgStateDb } from '../../src/state/postgres/pg-handle.js';
import type { SqliteStateDb } from '../../src/state/sqlite-handle.js';
import { admin, pgServerUrl, withDatabase } from './pg.js';

export type OpenState = () => Promise<StateDb>;

const opened = new Set<StateDb>();
const closeAtEnd = new Map<StateDb, () => Promise<void>>();
const databases = new Set<string>();
let template: Promise<string> | undefined;

async function dropDatabase(name: string): Promise<void> {
  databases.delete(name);
  // WITH (FORCE): a failed test may have left a session (a lease, a liveness lock) open.
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
}

/** Closes `db` when the current test ends, or (outside a test) when the file ends. */
function closeLater(db: StateDb, after?: () => Promise<void>): void {
  opened.add(db);
  const done = async (): Promise<void> => {
    if (!opened.delete(db)) return;
    await db.close();
    await after?.();
  };
  try {
    onTestFinished(done);
  } catch {
    // Made in a hook: closed in afterAll.
  }
  closeAtEnd.set(db, done);
}
afterAll(async () => {
  for (const done of [...closeAtEnd.values()]) await done();
  closeAtEnd.clear();
  for (const name of [...databases]) await dropDatabase(name);
});

/** A migrated database no session stays connected to (a template must have none). */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const name = `tmpl_${randomBytes(6).toString('hex')}`;
    await admin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
    databases.add(name);
    const db = await openPgState(withDatabase(pgServerUrl(), name));
    await db.close();
    return name;
  })();
  return template;
}

/** A new PostgreSQL database holding the migrated, empty state (dropped at the end of the file at the latest). */
export async function freshPgState(): Promise<{ name: string; url: string }> {
  const from = await migratedTemplate();
  const name = `t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)} TEMPLATE ${c.escapeIdentifier(from)}`));
  databases.add(name);
  return { name, url: withDatabase(pgServerUrl(), name) };
}

/** Another handle on the same PostgreSQL state (a second process, a replica), closed with the test. */
export async function openPgAgain(url: string): Promise<PgStateDb> {
  const db = await openPgState(url);
  closeLater(db);
  return db;
}

export async function openSqliteState(): Promise<SqliteStateDb> {
  const db = openDb(':memory:');
  closeLater(db);
  return Promise.resolve(db);
}

export async function openPostgresState(): Promise<PgStateDb> {
  const { name, url } = await freshPgState();
  const db = await openPgState(url);
  // The database goes with the state: dropped once its handle is closed.
  closeLater(db, () => dropDatabase(name));
  return db;
}

export const backends: [StateDialect, OpenState][] = [
  ['sqlite', openSqliteState],
  ['postgres', openPostgresState],
];

/**
 * Makes `holder` (`pid@host#start` of a process elsewhere) a live claim holder for the rest of
 * the test: on PostgreSQL its liveness session lock is taken (as that process would hold it);
 * SQLite cannot see other hosts and takes their holders for alive anyway. Returns what the
 * holder's death looks like: its session ends.
 */
export async function liveHolder(db: StateDb, holder: string): Promise<{ die(): Promise<void> }> {
  if (db.dialect !== 'postgres') return { die: () => Promise.resolve() };
  const liveness = await PgLiveness.start(db as PgStateDb, holder);
  let dead = false;
  const die = async (): Promise<void> => {
    if (dead) return;
    dead = true;
    await liveness.close();
  };
  try {
    onTestFinished(die);
  } catch {
    // Outside a test: the session ends with the database at the end of the file.
  }
  return { die };
}
