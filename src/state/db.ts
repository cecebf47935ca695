/**
 * The one owner of the SQLite file: WAL (readers never block the writer), a busy timeout
 * (a second process waits instead of failing), migrations, and mode 0600.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations } from './migrations.js';

export type Db = Database.Database;

export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  // FULL: WAL with NORMAL already survives a kill -9; FULL also keeps the row that says "sent"
  // through a power loss, where losing it would mean sending a case or a reply twice.
  db.pragma('synchronous = FULL');
  cacheStatements(db);
  migrate(db);
  if (path !== ':memory:') {
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      if (existsSync(file)) chmodSync(file, 0o600);
    }
  }
  return db;
}

/**
 * Statements are prepared once per connection: the state classes prepare on every call, and
 * compiling the SQL each time was a tenth of a large sync's CPU. A statement handed out again
 * gets its row mode reset, since callers set `pluck()` on it.
 */
function cacheStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      cache.set(sql, stmt);
    } else if (stmt.reader) {
      stmt.raw(false).pluck(false).expand(false);
    }
    return stmt;
  }) as Db['prepare'];
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`The state database was written by a newer asodesk-omni (schema ${current}); upgrade asodesk-omni.`);
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}
