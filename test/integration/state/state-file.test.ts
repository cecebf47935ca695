/**
 * Faults of the state file, each met for real: a damaged or truncated file, a foreign write
 * lock, a full disk and a read-only mount (tmpfs in a private mount namespace), files created
 * 0600, and dry runs that leave nothing behind. Every fault gets one message naming the path
 * and the fix, and a documented exit code; none says "This is a bug".
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
  truncateSync,
  mkdirSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../../src/emulators/world.js';
import { ExitCode, StorageError } from '../../../src/errors.js';
import { openDb, openDbCopy } from '../../../src/state/db.js';
import { stateFileError } from '../../../src/state/faults.js';
import { acquireLock } from '../../../src/state/lock.js';
import { bin, distDb, mountNamespace, nodeLine, runShell, sections } from '../../helpers/fs-faults.js';
import { ensureBuilt, killAllStarted, runCli, startCli } from '../../helpers/spawn.js';
import { tempDir } from '../../helpers/temp.js';

const modeSpy = join(import.meta.dirname, '../../helpers/mode-spy.mjs');
const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);
const noBug = (stderr: string): void => {
  expect(stderr).not.toMatch(/bug|unexpected error/i);
};

let world: World | undefined;
beforeAll(ensureBuilt, 120_000);
afterEach(async () => {
  killAllStarted();
  await world?.stop();
  world = undefined;
});

/** A state file with rows, left by a process killed with its WAL still holding the last writes. */
function killedWriter(path: string): void {
  const r = spawnSync(process.execPath, [
    '--input-type=module',
    '-e',
    `
    const { openDb } = await import(${JSON.stringify(distDb)});
    const db = openDb(process.argv[1]).sqlite;
    const put = db.prepare('INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?)');
    db.transaction(() => { for (let i = 0; i < 400; i++) put.run('k' + i, 'v'.repeat(300), 'now'); })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    put.run('after-checkpoint', 'in the WAL only', 'now');
    process.kill(process.pid, 'SIGKILL');`,
    path,
  ]);
  expect(r.signal).toBe('SIGKILL');
  expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
}

/** Another process holding the write lock (an open write transaction) until its stdin ends; prints a line once it holds it. */
function holdWriteLock(path: string): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    const { default: Database } = await import(${JSON.stringify(join(import.meta.dirname, '../../../node_modules/better-sqlite3/lib/index.js'))});
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    db.prepare("INSERT INTO cursors (name, value, updated_at) VALUES ('held', 'x', 'now')").run();
    process.stdout.write('held\\n');
    process.stdin.resume();
    process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); });`,
      path,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
}

const minimalConfig = (dir: string): string => {
  const path = join(dir, 'config.json');
  // Complete enough to deliver, so that sync gets as far as opening the state file.
  const omnidesk = { subdomain: 'acme', staffEmail: 'a@acme.test', apiKey: 'k-123', channel: 'cch1', caseFieldId: 1 };
  writeFileSync(
    path,
    JSON.stringify({ omnidesk, apps: [{ id: 'notes', store: 'google-play', appId: 'com.acme.notes' }] }),
  );
  return path;
};

describe('a damaged state file is refused and never written to', () => {
  const damages: Array<[string, (path: string) => void, RegExp]> = [
    [
      'a page overwritten (quick_check)',
      (p) => {
        // A leaf of the rows written last: in the main file only, not in the WAL.
        const fd = openSync(p, 'r+');
        writeSync(fd, Buffer.alloc(100, 0xff), 0, 100, (statSync(p).size / 4096 - 3) * 4096);
        closeSync(fd);
      },
      /PRAGMA quick_check: (.*Tree \d+ page \d+|database disk image is malformed)/,
    ],
    [
      'truncated mid-page',
      (p) => truncateSync(p, statSync(p).size - 1000),
      /truncated: \d+ bytes is not a whole number/,
    ],
    [
      'truncated at a page boundary',
      (p) => truncateSync(p, 4096 * 8),
      /truncated: the header counts \d+ pages, the file holds 8/,
    ],
    [
      'not a database at all',
      (p) => writeFileSync(p, 'these are not the bytes you are looking for\n'.repeat(200)),
      /not an SQLite database/,
    ],
  ];

  it.each(damages)('%s: exit 74 naming the path, the file and its WAL unchanged', async (_name, damage, detail) => {
    const dir = tempDir();
    const db = join(dir, 'state.db');
    killedWriter(db);
    damage(db);
    const before = [sha(db), sha(`${db}-wal`)];

    const err = (() => {
      try {
        openDb(db).closeSync();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ fault: 'corrupt', path: db, exitCode: ExitCode.storage });
    expect((err as StorageError).message).toMatch(detail);

    const config = minimalConfig(dir);
    for (const args of [['sync'], ['sync', '--dry-run'], ['status']]) {
      const r = await runCli([...args, '--config', config, '--db', db]);
      expect(r.code, r.stderr).toBe(ExitCode.storage);
      expect(r.stderr).toContain(`The state file ${db} is damaged`);
      expect(r.stderr).toMatch(detail);
      expect(r.stderr).toContain(`mv ${db} ${db}.damaged`);
      expect(r.stderr).toContain('restore a backup');
      expect(r.stderr).toContain('asodesk-omni state rebuild');
      noBug(r.stderr);
    }
    expect([sha(db), sha(`${db}-wal`)]).toEqual(before);
  });

  it('a healthy file left by a killed run passes the check and opens with its WAL rows', () => {
    const dir = tempDir();
    const db = join(dir, 'state.db');
    killedWriter(db);
    const opened = openDb(db);
    expect(opened.sqlite.prepare("SELECT value FROM cursors WHERE name = 'after-checkpoint'").pluck().get()).toBe(
      'in the WAL only',
    );
    opened.closeSync();
  });
});

describe('a write lock held past the busy timeout', () => {
  it('exit 75, naming the process that holds it', async () => {
    const dir = tempDir();
    const db = join(dir, 'state.db');
    openDb(db).closeSync();
    const holder = holdWriteLock(db);
    try {
      await once(holder.stdout!, 'data');
      const conn = openDb(db, { busyTimeoutMs: 50 });
      let thrown: unknown;
      try {
        await acquireLock(conn, 'sync');
      } catch (e) {
        thrown = e;
      } finally {
        conn.closeSync();
      }
      const err = stateFileError(thrown, db);
      expect(err).toMatchObject({ fault: 'busy', exitCode: ExitCode.locked });
      expect(err!.message).toContain(`The state file ${db} is locked by another process`);
      if (existsSync('/proc/locks')) expect(err!.message).toContain(`pid ${holder.pid} (node`);
      expect(err!.hint).toContain('try again later');
    } finally {
      holder.stdin!.end();
      await once(holder, 'close');
    }
  });
});

describe('a foreign write lock through the CLI', () => {
  it('sync waits the 10 s busy timeout, then exits 75 naming the holder (no "bug")', async () => {
    const dir = tempDir();
    world = await startWorld({ dir });
    openDb(world.dbPath).closeSync();
    const holder = holdWriteLock(world.dbPath);
    try {
      await once(holder.stdout!, 'data');
      const r = await runCli(['sync', '--config', world.configPath, '--db', world.dbPath]);
      expect(r.code, r.stderr).toBe(ExitCode.locked);
      expect(r.stderr).toContain(`The state file ${world.dbPath} is locked by another process`);
      if (existsSync('/proc/locks')) expect(r.stderr).toContain(`pid ${holder.pid} (node`);
      noBug(r.stderr);
      expect(world.omnidesk.cases()).toHaveLength(0);
    } finally {
      holder.stdin!.end();
      await once(holder, 'close');
    }
  }, 60_000);
});

describe('full disk and read-only mount (tmpfs in a private mount namespace)', () => {
  it('disk full: exit 74 naming the path; nothing damaged; after freeing space the next sync works', async (ctx) => {
    const ns = mountNamespace();
    if ('unavailable' in ns) {
      console.warn(`skipped: ${ns.unavailable}`);
      ctx.skip();
      return;
    }
    const dir = tempDir();
    world = await startWorld({ dir });
    for (let i = 0; i < 60; i++)
      world.googlePlay.addReview('com.acme.reviews', {
        authorName: `User ${i}`,
        text: `Review ${i} ${'long text '.repeat(150)}`,
        starRating: 1 + (i % 5),
        reviewerLanguage: 'en',
      });
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    const db = join(mnt, 'state.db');
    const sync = `node '${bin}' --config '${world.configPath}' --db '${db}' sync 2>&1`;
    const r = await runShell(
      ns.unshare,
      [
        `mount -t tmpfs -o size=16m tmpfs '${mnt}' || exit 90`,
        nodeLine(`(await import(${JSON.stringify(distDb)})).openDb(process.argv[1]).close();`, db),
        // Leave 40 KB: the -shm takes 32 KB, the WAL gets about two pages.
        nodeLine(
          `import { statfsSync, writeFileSync } from 'node:fs'; const s = statfsSync(process.argv[1]); writeFileSync(process.argv[1] + '/filler', Buffer.alloc(Math.max(0, s.bavail * s.bsize - 40960)));`,
          mnt,
        ),
        'echo "### full"',
        sync,
        'echo "### exit $?"',
        'echo "### check"',
        nodeLine(
          `const { default: D } = await import(${JSON.stringify(join(import.meta.dirname, '../../../node_modules/better-sqlite3/lib/index.js'))}); console.log(new D(process.argv[1], { readonly: true }).pragma('quick_check', { simple: true }));`,
          db,
        ),
        `rm '${mnt}/filler'`,
        'echo "### freed"',
        sync,
        'echo "### exit $?"',
      ].join('\n'),
    );
    const out = sections(r.stdout);
    expect(out.get('full'), r.stdout + r.stderr).toMatchObject({ exit: ExitCode.storage });
    expect(out.get('full')!.text).toContain(`The disk holding the state file ${db} is full (SQLITE_FULL)`);
    expect(out.get('full')!.text).toContain(`df -h ${mnt}`);
    noBug(out.get('full')!.text);
    expect(out.get('check')!.text.trim()).toBe('ok');
    expect(out.get('freed'), out.get('freed')?.text).toMatchObject({ exit: ExitCode.ok });
    expect(world.omnidesk.cases().length).toBeGreaterThanOrEqual(60);
  });

  it('read-only: the state file, a new state path and the config folder each say what to do (exit 74)', async (ctx) => {
    const ns = mountNamespace();
    if ('unavailable' in ns) {
      console.warn(`skipped: ${ns.unavailable}`);
      ctx.skip();
      return;
    }
    const dir = tempDir();
    world = await startWorld({ dir });
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    const db = join(mnt, 'state', 'state.db');
    const fresh = join(mnt, 'new', 'state.db');
    const config = join(mnt, 'conf', 'config.json');
    const r = await runShell(
      ns.unshare,
      [
        `mount -t tmpfs -o size=1m tmpfs '${mnt}' || exit 90`,
        nodeLine(`(await import(${JSON.stringify(distDb)})).openDb(process.argv[1]).close();`, db),
        `mount -o remount,ro '${mnt}' || exit 91`,
        'echo "### existing"',
        `node '${bin}' --config '${world.configPath}' --db '${db}' sync 2>&1`,
        'echo "### exit $?"',
        'echo "### status"',
        `node '${bin}' --config '${world.configPath}' --db '${db}' status 2>&1`,
        'echo "### exit $?"',
        'echo "### fresh"',
        `node '${bin}' --config '${world.configPath}' --db '${fresh}' sync 2>&1`,
        'echo "### exit $?"',
        'echo "### config"',
        `ASODESK_OMNI_OMNIDESK_API_KEY=k-123 node '${bin}' init --non-interactive --offline --subdomain acme --email a@acme.test --channel cch1 --public-url https://hooks.example.com --app google-play:com.acme.notes --config '${config}' 2>&1`,
        'echo "### exit $?"',
      ].join('\n'),
    );
    const out = sections(r.stdout);
    for (const [name, path] of [
      ['existing', db],
      ['fresh', fresh],
    ] as const) {
      const s = out.get(name);
      expect(s, r.stdout + r.stderr).toMatchObject({ exit: ExitCode.storage });
      expect(s!.text).toContain(`The state file ${path} cannot be written`);
      expect(s!.text).toContain('mounted read-only');
      expect(s!.text).toContain('--db / ASODESK_OMNI_DB');
      noBug(s!.text);
    }
    // Even reading a WAL database needs its -shm file, which a read-only mount cannot hold.
    expect(out.get('status'), out.get('status')?.text).toMatchObject({ exit: ExitCode.storage });
    expect(out.get('status')!.text).toContain(`The state file ${db} cannot be written`);
    const c = out.get('config')!;
    expect(c, c.text).toMatchObject({ exit: ExitCode.storage });
    expect(c.text).toContain(`The config file ${config} cannot be written`);
    expect(c.text).toContain('--config / ASODESK_OMNI_CONFIG');
    noBug(c.text);
  });
});

describe('no permission (file modes; root ignores them, the read-only mount test covers root)', () => {
  it('an existing file in a folder the user may not write, and a new path there: exit 74 each', async (ctx) => {
    if (process.getuid?.() === 0 || process.platform === 'win32') {
      console.warn(
        'skipped: running as root, which file modes do not stop (the read-only mount test covers this case)',
      );
      ctx.skip();
      return;
    }
    const dir = tempDir();
    world = await startWorld({ dir });
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    const db = join(locked, 'state.db');
    openDb(db).closeSync();
    chmodSync(db, 0o400);
    chmodSync(locked, 0o500);
    try {
      for (const path of [db, join(locked, 'new', 'state.db')]) {
        const r = await runCli(['sync', '--config', world.configPath, '--db', path]);
        expect(r.code, r.stderr).toBe(ExitCode.storage);
        expect(r.stderr).toContain(`The state file ${path} cannot be written`);
        expect(r.stderr).toContain('may not write');
        noBug(r.stderr);
      }
    } finally {
      chmodSync(locked, 0o700);
    }
  });
});

describe('files are 0600 from their first byte', () => {
  it('the database, -wal and -shm, as SQLite creates them (a write limit stops the process right after)', () => {
    const dir = tempDir();
    const db = join(dir, 'state.db');
    // umask 022 would give 0644 to a file created with the default mode; `ulimit -f` makes
    // the first big write fail (EFBIG), so nothing after creation (no chmod) ever runs.
    // The spy sees the mode of what node:fs creates at the open itself, before a chmod could.
    const log = join(tempDir(), 'created.json');
    const script = `umask 022; ulimit -f 16; MODE_SPY_LOG='${log}' ${nodeLine(`try { (await import(${JSON.stringify(distDb)})).openDb(process.argv[1]); console.log('opened'); } catch (e) { console.log('failed', e.name); }`, db)}`;
    const r = spawnSync(
      'bash',
      ['-c', script.replace('node --input-type', `node --import '${modeSpy}' --input-type`)],
      { encoding: 'utf8' },
    );
    expect(r.stdout, r.stderr).toContain('failed StorageError');
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['state.db', 'state.db-shm', 'state.db-wal']);
    for (const f of files) expect(`${f} ${mode(join(dir, f))}`).toBe(`${f} 600`);
    const created = JSON.parse(readFileSync(log, 'utf8')) as Array<{ path: string; mode: number }>;
    expect(
      created.filter((c) => c.path.startsWith(dir)).map((c) => `${c.path} ${(c.mode & 0o777).toString(8)}`),
    ).toEqual([`${db} 600`]);
  });

  it('an old 0644 file and its WAL are tightened before they are used', () => {
    const dir = tempDir();
    const db = join(dir, 'state.db');
    killedWriter(db);
    spawnSync('chmod', ['0644', db, `${db}-wal`, `${db}-shm`]);
    const conn = openDb(db);
    for (const f of [db, `${db}-wal`, `${db}-shm`]) expect(mode(f)).toBe('600');
    conn.closeSync();
  });

  it('the config file written by init: every file is created 0600 (seen at open by a spy on node:fs)', async () => {
    const dir = tempDir();
    const config = join(dir, 'conf', 'config.json');
    const log = join(dir, 'created.json');
    const r = spawnSync(
      'bash',
      [
        '-c',
        `umask 022; ASODESK_OMNI_OMNIDESK_API_KEY=k-123 MODE_SPY_LOG='${log}' node --import '${modeSpy}' '${bin}' init --non-interactive --offline --subdomain acme --email a@acme.test --channel cch1 --public-url https://hooks.example.com --app google-play:com.acme.notes --config '${config}'`,
      ],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(r.status, r.stderr).toBe(0);
    const created = JSON.parse(readFileSync(log, 'utf8')) as Array<{ path: string; mode: number }>;
    const mine = created.filter((c) => c.path.startsWith(dir));
    expect(
      mine.some((c) => c.path.startsWith(config)),
      JSON.stringify(created),
    ).toBe(true);
    for (const c of mine) expect(`${c.path} ${(c.mode & 0o777).toString(8)}`).toBe(`${c.path} 600`);
    expect(mode(config)).toBe('600');
  });
});

describe('dry runs leave nothing behind', () => {
  it('sync --dry-run changes nothing and leaves the temp folder as it was (also when the state file is new)', async () => {
    const dir = tempDir();
    const tmp = tempDir('asodesk-omni-dry-tmp-');
    world = await startWorld({ dir });
    world.googlePlay.addReview('com.acme.reviews', {
      authorName: 'Ann',
      text: 'Crashes',
      starRating: 2,
      reviewerLanguage: 'en',
    });
    const first = await runCli(['sync', '--dry-run', '--config', world.configPath, '--db', world.dbPath], {
      env: { TMPDIR: tmp },
    });
    expect(first.code, first.stderr).toBe(ExitCode.ok);
    expect(existsSync(world.dbPath)).toBe(false);
    expect((await runCli(['sync', '--config', world.configPath, '--db', world.dbPath])).code).toBe(ExitCode.ok);
    world.googlePlay.addReview('com.acme.reviews', {
      authorName: 'Bob',
      text: 'Slow',
      starRating: 3,
      reviewerLanguage: 'en',
    });
    const cases = world.omnidesk.cases().length;
    const before = sha(world.dbPath);
    const dry = await runCli(['sync', '--dry-run', '--config', world.configPath, '--db', world.dbPath], {
      env: { TMPDIR: tmp },
    });
    expect(dry.code, dry.stderr).toBe(ExitCode.ok);
    expect(sha(world.dbPath)).toBe(before);
    expect(world.omnidesk.cases().length).toBe(cases);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('a dry run stopped by SIGTERM mid-request leaves nothing either', async () => {
    const dir = tempDir();
    const tmp = tempDir('asodesk-omni-dry-tmp-');
    world = await startWorld({ dir });
    const hang: Server = createServer(() => {
      // Never answers: the run is stopped while it waits.
    });
    hang.listen(0, '127.0.0.1');
    await once(hang, 'listening');
    const connected = once(hang, 'connection');
    try {
      expect((await runCli(['sync', '--config', world.configPath, '--db', world.dbPath])).code).toBe(ExitCode.ok);
      const address = hang.address();
      if (!address || typeof address === 'string') throw new Error('no address');
      world.config.stores = {
        ...world.config.stores,
        googlePlay: { ...world.config.stores?.googlePlay, baseUrl: `http://127.0.0.1:${address.port}` },
      };
      world.saveConfig();
      const cli = startCli(['sync', '--dry-run', '--config', world.configPath, '--db', world.dbPath], {
        env: { TMPDIR: tmp },
      });
      await connected;
      cli.child.kill('SIGTERM');
      const r = await cli.exited;
      expect(r.signal ?? r.code).toBeTruthy();
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      hang.close();
    }
  });

  it('openDbCopy reads a file killed mid-run through its WAL and never writes it', () => {
    const dir = tempDir();
    const db = join(dir, 'state.db');
    killedWriter(db);
    const before = [sha(db), sha(`${db}-wal`)];
    const copy = openDbCopy(db);
    expect(copy.sqlite.prepare("SELECT value FROM cursors WHERE name = 'after-checkpoint'").pluck().get()).toBe(
      'in the WAL only',
    );
    copy.sqlite.prepare("INSERT INTO cursors (name, value, updated_at) VALUES ('dry', 'x', 'now')").run();
    copy.closeSync();
    expect([sha(db), sha(`${db}-wal`)]).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(['state.db', 'state.db-shm', 'state.db-wal']);
  });
});
