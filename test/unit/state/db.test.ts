/**
 * The state file's open path: the bounded quick check of big files, and the mapping of SQLite
 * and file-system errors to one StorageError per fault (path, what happened, what to do).
 * Real faults (full disk, read-only mount, foreign lock) are in test/integration/state/.
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { SyncEngine } from '../../../src/engine/sync-engine.js';
import { ExitCode, StorageError } from '../../../src/errors.js';
import { memoryLogger } from '../../../src/log.js';
import { openDb } from '../../../src/state/db.js';
import { isStorageFault, sqliteFault, stateFileError, toStorageError } from '../../../src/state/faults.js';
import { FakeHelpdesk, FakeStore, makeReview } from '../../helpers/fakes.js';
import { tempDir } from '../../helpers/temp.js';

const require = createRequire(import.meta.url);

function filled(path: string): void {
  const db = openDb(path);
  const put = db.sqlite.prepare('INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?)');
  db.sqlite.transaction(() => {
    for (let i = 0; i < 400; i++) put.run(`k${i}`, 'v'.repeat(300), 'now');
  })();
  db.closeSync();
}

/** Damage only quick_check sees: the header stays valid. */
function damageLeaf(path: string): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(100, 0xff), 0, 100, (statSync(path).size / 4096 - 3) * 4096);
  closeSync(fd);
}

const refused = (open: () => void): unknown => {
  try {
    open();
  } catch (err) {
    return err;
  }
  return undefined;
};

describe('the quick check of a big file is bounded: once a day, the header on every open', () => {
  it('checks on the first open, skips within 24 h, and refuses the damage on the next daily check', () => {
    const path = join(tempDir(), 'state.db');
    filled(path);
    const t0 = Date.parse('2026-12-01T00:00:00Z');
    const big = { quickCheckMaxBytes: 0 };
    openDb(path, { ...big, now: () => t0 }).closeSync();
    damageLeaf(path);
    // Within the day the damage goes unseen (the documented bound) ...
    openDb(path, { ...big, now: () => t0 + 3600_000 }).closeSync();
    // ... a small file (the default threshold) is checked on every open ...
    expect(refused(() => openDb(path, { now: () => t0 + 3600_000 }))).toMatchObject({ fault: 'corrupt' });
    // ... and the big one at its next daily check.
    const err = refused(() => openDb(path, { ...big, now: () => t0 + 25 * 3600_000 }));
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ fault: 'corrupt', path, exitCode: ExitCode.storage });
  });
});

describe('a file left by a crash is not mistaken for a damaged one', () => {
  it('a hot rollback journal (a file not in WAL mode yet) is rolled back by the read-write open', () => {
    const path = join(tempDir(), 'state.db');
    const r = spawnSync(process.execPath, [
      '-e',
      `
      const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new Database(process.argv[1]);
      db.pragma('journal_mode = DELETE');
      db.pragma('cache_size = 10');
      db.exec('CREATE TABLE t (x)');
      db.exec('BEGIN');
      for (let i = 0; i < 3000; i++) db.prepare('INSERT INTO t VALUES (?)').run('z'.repeat(500));
      process.kill(process.pid, 'SIGKILL');`,
      path,
    ]);
    expect(r.signal).toBe('SIGKILL');
    expect(existsSync(`${path}-journal`)).toBe(true);
    const db = openDb(path);
    expect(db.sqlite.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(0);
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    db.closeSync();
    expect(existsSync(`${path}-journal`)).toBe(false);
  });
});

describe('faults become one message each', () => {
  const path = '/var/lib/asodesk-omni/state.db';
  const cases: Array<[string, string, string, RegExp, RegExp, number]> = [
    [
      'SQLITE_FULL',
      'database or disk is full',
      'full',
      /disk holding the state file \/var\/lib\/asodesk-omni\/state\.db is full/,
      /Free space/,
      ExitCode.storage,
    ],
    [
      'SQLITE_CORRUPT',
      'database disk image is malformed',
      'corrupt',
      /state file .* is damaged/,
      /restore a backup.*state rebuild/,
      ExitCode.storage,
    ],
    ['SQLITE_NOTADB', 'file is not a database', 'corrupt', /is damaged/, /state\.db\.damaged/, ExitCode.storage],
    [
      'SQLITE_READONLY',
      'attempt to write a readonly database',
      'unwritable',
      /cannot be written \(SQLITE_READONLY\)/,
      /--db \/ ASODESK_OMNI_DB/,
      ExitCode.storage,
    ],
    [
      'SQLITE_CANTOPEN',
      'unable to open database file',
      'unwritable',
      /cannot be written/,
      /writable path/,
      ExitCode.storage,
    ],
    [
      'SQLITE_BUSY',
      'database is locked',
      'busy',
      /locked by another process.*busy timeout/,
      /try again later/,
      ExitCode.locked,
    ],
    [
      'SQLITE_IOERR_WRITE',
      'disk I/O error',
      'io',
      /Reading or writing the state file .* failed \(SQLITE_IOERR_WRITE/,
      /restore a backup/,
      ExitCode.storage,
    ],
  ];
  it.each(cases)('%s', (code, text, fault, message, hint, exit) => {
    const err = stateFileError(new Database.SqliteError(text, code), path);
    expect(err).toMatchObject({ fault, path, exitCode: exit });
    expect(err!.message).toMatch(message);
    expect(err!.hint).toMatch(hint);
    expect(`${err!.message} ${err!.hint}`).not.toMatch(/bug/i);
  });

  it('SQL mistakes and constraint violations stay bugs; errno faults of the config say --config', () => {
    expect(sqliteFault('SQLITE_CONSTRAINT_UNIQUE')).toBeUndefined();
    expect(sqliteFault('SQLITE_ERROR')).toBeUndefined();
    expect(stateFileError(new Database.SqliteError('no such table: x', 'SQLITE_ERROR'), path)).toBeUndefined();
    expect(stateFileError(Object.assign(new Error('EACCES'), { code: 'EACCES' }), path)).toBeUndefined();
    const config = toStorageError(
      Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }),
      '/etc/asodesk-omni/config.json',
      'config',
    );
    expect(config).toMatchObject({ fault: 'unwritable', exitCode: ExitCode.storage });
    expect(config!.message).toContain('The config file /etc/asodesk-omni/config.json cannot be written (EACCES)');
    expect(config!.hint).toContain('--config / ASODESK_OMNI_CONFIG');
  });

  it('the engine stops at a storage fault instead of reporting the app as failed and going on', async () => {
    const config = configSchema.parse({
      omnidesk: { subdomain: 'acme', staffEmail: 'a@acme.test', apiKey: 'key-123456', channel: 'cch1' },
      apps: [{ id: 'a', store: 'google-play', appId: 'com.acme.a' }],
    });
    const store = new FakeStore('google-play');
    store.reviews.push(makeReview({ store: 'google-play', appId: 'com.acme.a' }));
    store.failNext = new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
    const db = openDb(':memory:');
    const services = {
      helpdesk: new FakeHelpdesk(),
      sourceFor: () => ({ connector: store, credentialsMissing: false }),
      replyConnector: () => store,
    };
    const run = new SyncEngine({ db, config, services, logger: memoryLogger() }).run();
    await expect(run).rejects.toSatisfy(isStorageFault);
    // The run lock was released on the way out.
    expect(db.sqlite.prepare('SELECT COUNT(*) FROM locks').pluck().get()).toBe(0);
    db.closeSync();
  });
});
