/**
 * Turns what SQLite and the file system say about our files into one StorageError per fault,
 * naming the path, what happened and what to do. Anything else is left alone (a real bug
 * still says so).
 */
import type Database from 'better-sqlite3';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import { StorageError, type StorageFault } from '../errors.js';

export type FileRole = 'state' | 'config';

const loadModule = createRequire(import.meta.url);

/**
 * `instanceof SqliteError` without loading the native driver on start-up (the CLI's error
 * handler imports this file); only an Error can be one, and an error path can afford the load.
 */
function isSqliteError(err: unknown): err is InstanceType<typeof Database.SqliteError> {
  if (!(err instanceof Error)) return false;
  const driver = loadModule('better-sqlite3') as typeof Database;
  return err instanceof driver.SqliteError;
}

const errnoFaults: Readonly<Record<string, StorageFault>> = {
  EACCES: 'unwritable',
  EPERM: 'unwritable',
  EROFS: 'unwritable',
  ENOTDIR: 'unwritable',
  EISDIR: 'unwritable',
  ENOSPC: 'full',
  EDQUOT: 'full',
  EFBIG: 'full',
  EIO: 'io',
};

/** The fault a SQLite result code stands for; undefined for SQL errors, constraints and bugs. */
export function sqliteFault(code: string): StorageFault | undefined {
  if (code === 'SQLITE_FULL') return 'full';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM')
    return 'unwritable';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code === 'SQLITE_PROTOCOL') return 'busy';
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_NOLFS') return 'io';
  return undefined;
}

function faultOf(err: unknown): { fault: StorageFault; code: string } | undefined {
  if (isSqliteError(err)) {
    const fault = sqliteFault(err.code);
    return fault ? { fault, code: err.code } : undefined;
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (err instanceof Error && typeof code === 'string' && errnoFaults[code]) return { fault: errnoFaults[code], code };
  return undefined;
}

/**
 * True for an error that means the state file cannot be used (a StorageError, or SQLite's own
 * I/O, lock or corruption error): the engine stops instead of carrying on with the next app.
 */
export function isStorageFault(err: unknown): boolean {
  return err instanceof StorageError || (isSqliteError(err) && sqliteFault(err.code) !== undefined);
}

/** For the CLI: a SQLite error that escaped a command is about the state file at `dbPath`. */
export function stateFileError(err: unknown, dbPath: string): StorageError | undefined {
  if (err instanceof StorageError) return err;
  return isSqliteError(err) ? toStorageError(err, dbPath) : undefined;
}

/** Why `path` (or the nearest folder above it) cannot be written, as far as the OS tells. */
function writeProblem(path: string): string {
  const targets: string[] = [];
  for (let p = path; targets.at(-1) !== p; p = dirname(p)) targets.push(p);
  for (const target of targets) {
    try {
      statSync(target);
    } catch {
      continue;
    }
    try {
      accessSync(target, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EROFS') return `the file system holding ${target} is mounted read-only`;
      if (code === 'EACCES' || code === 'EPERM')
        return `the user running asodesk-omni (uid ${process.getuid?.() ?? '?'}) may not write ${target}`;
    }
  }
  return 'the operating system refused to write it';
}

/**
 * Other processes holding a write lock on the file or its -wal/-shm (Linux /proc/locks; empty
 * elsewhere). Readers hold read locks only, so they are not named. Only the pid and program
 * name: a command line may carry secrets.
 */
export function lockHolders(path: string): string[] {
  let table: string;
  const inodes = new Set<string>();
  try {
    table = readFileSync('/proc/locks', 'utf8');
    for (const f of [path, `${path}-wal`, `${path}-shm`]) {
      try {
        inodes.add(String(statSync(f).ino));
      } catch {
        // not there
      }
    }
  } catch {
    return [];
  }
  const pids = new Set<number>();
  for (const line of table.split('\n')) {
    // "1: POSIX  ADVISORY  WRITE 4242 08:01:1234567 0 EOF" (waiters have "->" after the id)
    const m = /\sWRITE\s+(\d+)\s+[0-9a-f]+:[0-9a-f]+:(\d+)\s/.exec(line);
    if (m && inodes.has(m[2]!) && Number(m[1]) !== process.pid) pids.add(Number(m[1]));
  }
  return [...pids].sort((a, b) => a - b).map((pid) => `pid ${pid} (${programOf(pid)})`);
}

function programOf(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const name = basename(argv[0] ?? '');
    // The script a node process runs, when it looks like a path (never an option or inline code).
    const script =
      name === 'node' ? argv.slice(1).find((a) => /^[\w./@-]{1,200}$/.test(a) && !a.startsWith('-')) : undefined;
    if (!script) return name || '?';
    const sub = argv.slice(2).find((a) => ['sync', 'serve-hook', 'status', 'demo', 'init'].includes(a));
    return `node ${basename(script)}${sub ? ` ${sub}` : ''}`;
  } catch {
    return '?';
  }
}

function describe(
  fault: StorageFault,
  role: FileRole,
  path: string,
  code: string,
  detail: string,
): { message: string; hint: string } {
  const file = role === 'state' ? `state file ${path}` : `config file ${path}`;
  const elsewhere = role === 'state' ? '--db / ASODESK_OMNI_DB' : '--config / ASODESK_OMNI_CONFIG';
  switch (fault) {
    case 'unwritable':
      return {
        message: `The ${file} cannot be written (${code}): ${writeProblem(path)}.`,
        hint:
          role === 'state'
            ? `Make the file and its folder writable for that user (SQLite creates ${basename(path)}-wal and -shm beside it; a read-only mount must be remounted read-write), or point ${elsewhere} at a writable path.`
            : `Make the folder ${dirname(path)} writable for that user, or choose another config path with ${elsewhere}.`,
      };
    case 'full':
      return {
        message: `The disk holding the ${file} is full (${code}); the write that failed was rolled back.`,
        hint: `Free space on that disk (see \`df -h ${dirname(path)}\`), then run the command again; the next run carries on from the last saved step.`,
      };
    case 'corrupt':
      return {
        message: `The ${file} is damaged (${detail || code}); asodesk-omni does not write to a damaged file.`,
        hint: `Move it aside with its -wal and -shm files (mv ${path} ${path}.damaged) and restore a backup, or rebuild it from Omnidesk with \`asodesk-omni state rebuild\`.`,
      };
    case 'busy':
      return {
        message: `The ${file} is locked by another process and stayed locked past the busy timeout (${code}). Holding it: ${detail || 'not known (no lock information on this system)'}.`,
        hint: `Another asodesk-omni (sync, serve-hook) or a sqlite3 shell is writing to it; try again later. If nothing should be running, find it with \`fuser ${path} ${path}-wal\`.`,
      };
    case 'io':
      return {
        message: `Reading or writing the ${file} failed (${code}${detail ? `: ${detail}` : ''}).`,
        hint: `Check the disk and file system holding it (dmesg, df, \`ulimit -f\`); run the command again, and if it keeps failing, move the file aside and restore a backup.`,
      };
    case 'newer-schema':
      return {
        message: `The ${file} was written by a newer asodesk-omni (${detail}).`,
        hint: 'Upgrade asodesk-omni, or point --db at another state file.',
      };
  }
}

export function storageError(
  fault: StorageFault,
  role: FileRole,
  path: string,
  code: string,
  detail = '',
  cause?: unknown,
): StorageError {
  const { message, hint } = describe(fault, role, path, code, detail);
  return new StorageError(fault, path, message, hint, { cause });
}

/** The StorageError for `err` about `path`, or undefined when `err` is not a file fault. */
export function toStorageError(err: unknown, path: string, role: FileRole = 'state'): StorageError | undefined {
  if (err instanceof StorageError) return err;
  const f = faultOf(err);
  if (!f) return undefined;
  let detail = '';
  if (f.fault === 'busy' && role === 'state') detail = lockHolders(path).join(', ');
  else if (f.fault === 'corrupt' && err instanceof Error) detail = err.message;
  else if (f.fault === 'io' && err instanceof Error) detail = err.message;
  return storageError(f.fault, role, path, f.code, detail, err);
}
