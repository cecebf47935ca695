/**
 * The one owner of the SQLite file: WAL (readers never block the writer), a busy timeout
 * (a second process waits instead of failing), migrations, and mode 0600 from the first byte.
 * An existing file is checked from a read-only connection before anything writes to it (a
 * read-write connection checkpoints its WAL into the file even when it only read), and a file
 * that fails the check is refused.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, fstatSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { sqliteFault, storageError, toStorageError } from './faults.js';
import { migrations } from './migrations.js';
import { nowIso } from './now.js';
import { SqliteStateDb } from './sqlite-handle.js';

/** The raw better-sqlite3 connection (SQLite-only work inside src/state/). */
type Connection = Database.Database;

export interface OpenDbOptions {
  /** How long a statement waits for another process's write lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** Now, for the once-a-day check of big files (tests). */
  now?: () => number;
  /** Files up to this size are quick-checked on every open (default `quickCheckEveryOpenBytes`). */
  quickCheckMaxBytes?: number;
}

export const defaultBusyTimeoutMs = 10_000;
/**
 * Files up to this size get `PRAGMA quick_check` on every open (measured on a 103 MB state
 * file: 0.41 s with the file in the page cache, 6.7 s cold on a busy disk; at most ~130 ms
 * here). Bigger files get it once a day; their header (magic, page size, truncation) is
 * checked on every open, which costs 1 ms.
 */
export const quickCheckEveryOpenBytes = 32 * 1024 * 1024;
const quickCheckIntervalMs = 24 * 3600_000;
const quickCheckKey = 'state:quick-check-passed-at';

export function openDb(path: string, opts: OpenDbOptions = {}): SqliteStateDb {
  if (path === ':memory:') return new SqliteStateDb(setUp(new Database(':memory:'), opts));
  try {
    return new SqliteStateDb(openFile(path, opts), path);
  } catch (err) {
    throw toStorageError(err, path) ?? err;
  }
}

/**
 * A private in-memory copy of the state file (dry runs): checked like `openDb`, read through a
 * read-only connection, so the file is never written and nothing is left on disk on any exit.
 */
export function openDbCopy(path: string, opts: OpenDbOptions = {}): SqliteStateDb {
  if (fileSize(path) <= 0) return openDb(':memory:', opts);
  try {
    checkBeforeWriting(path, opts);
    const source = new Database(path, { readonly: true, fileMustExist: true });
    let image: Buffer;
    try {
      image = source.serialize();
    } finally {
      source.close();
    }
    // An image in WAL format cannot be opened in memory: mark it as a rollback-journal file.
    image[18] = 1;
    image[19] = 1;
    return new SqliteStateDb(setUp(new Database(image), opts), path);
  } catch (err) {
    throw toStorageError(err, path) ?? err;
  }
}

function openFile(path: string, opts: OpenDbOptions): Connection {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (err) {
    // A recursive mkdir on a read-only mount reports ENOENT: any failure here means "cannot create".
    throw storageError('unwritable', 'state', path, (err as NodeJS.ErrnoException).code ?? 'mkdir', '', err);
  }
  const size = fileSize(path);
  if (size < 0) createPrivate(path);
  // SQLite gives the -wal and -shm files the main file's mode, so they are 0600 from creation
  // too; files made by older versions (or by hand) are tightened, before the check's
  // read-only connection creates a -shm.
  for (const file of [path, `${path}-wal`, `${path}-shm`]) tighten(file);
  const checked = size > 0 && checkBeforeWriting(path, opts);
  const db = new Database(path, { fileMustExist: true });
  try {
    setUp(db, opts);
    if (checked && size > (opts.quickCheckMaxBytes ?? quickCheckEveryOpenBytes)) {
      db.prepare(
        'INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      ).run(quickCheckKey, new Date(now(opts)).toISOString(), nowIso());
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function setUp(db: Connection, opts: OpenDbOptions): Connection {
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? defaultBusyTimeoutMs}`);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // FULL: WAL with NORMAL already survives a kill -9; FULL also keeps the row that says "sent"
  // through a power loss, where losing it would mean sending a case or a reply twice.
  db.pragma('synchronous = FULL');
  migrate(db);
  return db;
}

const now = (opts: OpenDbOptions): number => (opts.now ?? Date.now)();

/** Size in bytes, or -1 when there is no file. */
function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return -1;
    throw err;
  }
}

/** An empty file is a valid empty database; creating it ourselves fixes its mode before SQLite writes a byte. */
function createPrivate(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

function tighten(file: string): void {
  try {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  } catch {
    // Missing, or owned by another user who let us write it: SQLite says if it cannot be used.
  }
}

const sqliteMagic = Buffer.from('SQLite format 3\0', 'latin1');

/** O(1) look at the header: the SQLite magic, a valid page size, and no truncation. */
function probeHeader(path: string): void {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(100);
  let size: number;
  let read: number;
  try {
    size = fstatSync(fd).size;
    read = readSync(fd, head, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  const damaged = (detail: string): never => {
    throw storageError('corrupt', 'state', path, 'SQLITE_NOTADB', detail);
  };
  if (read < 100 || !head.subarray(0, 16).equals(sqliteMagic))
    damaged('not an SQLite database: the file does not start with the SQLite header');
  const raw = head.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0)
    damaged(`the header gives an impossible page size (${raw})`);
  if (size % pageSize !== 0) damaged(`truncated: ${size} bytes is not a whole number of ${pageSize}-byte pages`);
  // The page count in the header is valid only when its "version-valid-for" matches the change counter.
  const pages = head.readUInt32BE(28);
  if (pages > 0 && head.readUInt32BE(24) === head.readUInt32BE(92) && size < pages * pageSize) {
    damaged(`truncated: the header counts ${pages} pages, the file holds ${size / pageSize}`);
  }
}

/**
 * Refuses a damaged or too-new file before any read-write connection exists. Returns whether
 * `quick_check` ran (it runs on every open of a small file, daily on a big one).
 */
function checkBeforeWriting(path: string, opts: OpenDbOptions): boolean {
  probeHeader(path);
  const ro = new Database(path, { readonly: true, fileMustExist: true });
  try {
    ro.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? defaultBusyTimeoutMs}`);
    let version: number;
    try {
      version = ro.pragma('user_version', { simple: true }) as number;
    } catch (err) {
      // A rollback journal left by a crash (a file not yet in WAL mode) needs a writer to roll
      // it back first; the read-write open does that, and SQLite checks pages as it reads them.
      if (err instanceof Database.SqliteError && err.code === 'SQLITE_READONLY_ROLLBACK') return false;
      throw err;
    }
    if (version > migrations.length) {
      throw storageError(
        'newer-schema',
        'state',
        path,
        'user_version',
        `schema ${version}; this version knows ${migrations.length}`,
      );
    }
    if (fileSize(path) > (opts.quickCheckMaxBytes ?? quickCheckEveryOpenBytes) && !quickCheckDue(ro, opts))
      return false;
    let rows: Array<{ quick_check: string }>;
    try {
      rows = ro.pragma('quick_check(5)') as Array<{ quick_check: string }>;
    } catch (err) {
      // A page too damaged to list problems for: SQLITE_CORRUPT instead of rows.
      if (err instanceof Database.SqliteError && sqliteFault(err.code) === 'corrupt')
        throw storageError('corrupt', 'state', path, err.code, `PRAGMA quick_check: ${err.message}`, err);
      throw err;
    }
    const problems = rows.map((r) => r.quick_check).filter((t) => t !== 'ok');
    if (problems.length > 0) {
      const text = problems.join('; ').replace(/\s*\n\s*/g, '; ');
      throw storageError(
        'corrupt',
        'state',
        path,
        'quick_check',
        `PRAGMA quick_check: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`,
      );
    }
    return true;
  } finally {
    ro.close();
  }
}

function quickCheckDue(ro: Connection, opts: OpenDbOptions): boolean {
  try {
    const row = ro.prepare('SELECT value FROM cursors WHERE name = ?').get(quickCheckKey) as
      { value: string } | undefined;
    return !row || !(now(opts) - Date.parse(row.value) < quickCheckIntervalMs);
  } catch {
    return true;
  }
}

export function migrate(db: Connection): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw storageError(
      'newer-schema',
      'state',
      db.name,
      'user_version',
      `schema ${current}; this version knows ${migrations.length}`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

export { nowIso };
