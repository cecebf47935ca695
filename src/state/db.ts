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
  migrate(db);
  if (path !== ':memory:') {
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      if (existsSync(file)) chmodSync(file, 0o600);
    }
  }
  return db;
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
