/**
 * The state on PostgreSQL with the built binary against the emulators: `state migrate` moves a
 * SQLite state that `sync` made into an empty database (counts verified, the URL never printed
 * unmasked), and a `sync` on it creates no case twice; and the whole loop from scratch on
 * PostgreSQL: `sync` creates the cases, `serve-hook` publishes an agent's reply. Lean on
 * purpose: one server for the run, a fresh database per test, a few reviews.
 */
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/commands/status/collect.js';
import type { MigrateResult } from '../../src/commands/state/migrate.js';
import { startWorld, type World } from '../../src/emulators/world.js';
import { openDb } from '../../src/state/db.js';
import { acquireLock } from '../../src/state/lock.js';
import { freshPgDatabase } from '../helpers/pg.js';
import { hasPython, runInPty } from '../helpers/pty.js';
import { ensureBuilt, killAllStarted, runCli, startCli, type CliProcess, type CliResult } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

let world: World | undefined;

beforeAll(ensureBuilt, 120_000);
afterEach(async () => {
  killAllStarted();
  await world?.stop();
  world = undefined;
});

async function worldWithReviews(): Promise<World> {
  world = await startWorld({ dir: tempDir() });
  world.googlePlay.addReview('com.acme.reviews', { authorName: 'Ann', text: 'It crashes on start', starRating: 1 });
  world.googlePlay.addReview('com.acme.reviews', { authorName: 'Bob', text: 'Fine', starRating: 4 });
  world.rustore.addComment('ru.acme.reviews', { commentText: 'Не открывается', appRating: 2, userName: 'Иван' });
  world.saveConfig();
  return world;
}

/** What a run printed must not hold the URL or its password (a password-less server has none). */
function expectNoSecret(r: CliResult, url: string): void {
  const printed = r.stdout + r.stderr;
  expect(printed).not.toContain(url);
  const password = decodeURIComponent(new URL(url).password);
  if (password) expect(printed).not.toContain(password);
}

const masked = (url: string): string => {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString().replace('%2A%2A%2A', '***');
};

async function printed(p: CliProcess, re: RegExp): Promise<RegExpExecArray> {
  let m: RegExpExecArray | null = null;
  await waitFor(
    () => {
      if (p.child.exitCode !== null) throw new Error(`exited ${p.child.exitCode}:\n${p.stdout()}\n${p.stderr()}`);
      m = re.exec(p.stdout());
      return m !== null;
    },
    60_000,
    String(re),
  );
  return m!;
}

describe('state migrate', () => {
  it('copies a synced SQLite state into PostgreSQL; a sync there creates no case twice', async () => {
    const w = await worldWithReviews();
    const local = ['--config', w.configPath, '--db', w.dbPath];
    const sync = await runCli(['sync', ...local]);
    expect(sync.code, sync.stderr).toBe(0);
    const cases = w.omnidesk.cases().length;
    expect(cases).toBe(3);
    const pg = await freshPgDatabase();

    // A sync holding the run lock of the SQLite state (this process, alive): 75, the holder named.
    const held = openDb(w.dbPath);
    const lock = await acquireLock(held, 'sync');
    const locked = await runCli(['state', 'migrate', '--to', pg.url, ...local]);
    await lock.release();
    await held.close();
    expect(locked.code, locked.stderr).toBe(75);
    expect(locked.stderr).toContain(`pid ${process.pid}`);
    expectNoSecret(locked, pg.url);

    const migrated = await runCli(['state', 'migrate', '--to', pg.url, ...local]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expectNoSecret(migrated, pg.url);
    expect(migrated.stdout).toContain(`to ${masked(pg.url)}:`);
    expect(migrated.stdout).toMatch(/^ {2}reviews +3$/m);
    expect(migrated.stdout).toMatch(/^ {2}deliveries +3$/m);
    // The run lock of the copy stays behind: nobody would ever release it in the target.
    expect(migrated.stdout).toMatch(/^ {2}locks +0$/m);
    expect(migrated.stdout).toContain('Verified');
    // The state's owner (a cursor row) went with the tables.
    expect(migrated.stdout).toContain('channel cch1');
    expect(migrated.stdout).toContain('ASODESK_OMNI_STATE_URL');
    // Not a TTY: a plain line per copied table on stderr.
    expect(migrated.stderr).toContain('copied reviews: 3 rows');

    // Into the same database again: refused, nothing merged.
    const again = await runCli(['state', 'migrate', '--to', pg.url, '--json', ...local]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('not empty');
    expectNoSecret(again, pg.url);

    // --json: the counts per table, as a script reads them, and nothing on stderr.
    const other = await freshPgDatabase();
    // The URL also set for after the move (as docs/scale-out.md does it) is the target, not a source.
    const json = await runCli(['state', 'migrate', '--to', other.url, '--json', ...local], {
      env: { ASODESK_OMNI_STATE_URL: other.url },
    });
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).toBe('');
    const result = JSON.parse(json.stdout) as MigrateResult;
    expect(result).toMatchObject({
      from: w.dbPath,
      to: masked(other.url),
      verified: true,
      owner: { channel: 'cch1' },
      tables: { reviews: 3, deliveries: 3, locks: 0 },
    });
    expect(Object.keys(result.tables)).toContain('answer_edits');
    expectNoSecret(json, other.url);

    // The same install on PostgreSQL (the URL from the environment): the known reviews are
    // not delivered again; a new one is.
    w.googlePlay.addReview('com.acme.reviews', { authorName: 'Cid', text: 'Dark mode please', starRating: 3 });
    const onPg = { env: { ASODESK_OMNI_STATE_URL: pg.url } };
    const next = await runCli(['sync', '--config', w.configPath], onPg);
    expect(next.code, next.stderr).toBe(0);
    expectNoSecret(next, pg.url);
    expect(w.omnidesk.cases()).toHaveLength(cases + 1);

    const status = await runCli(['status', '--json', '--config', w.configPath, '--state', pg.url]);
    expect(status.code, status.stderr).toBe(0);
    expectNoSecret(status, pg.url);
    const report = JSON.parse(status.stdout) as StatusReport;
    const android = report.apps.find((a) => a.id === 'android')!;
    expect(android.lastSync).toMatchObject({ outcome: 'ok', at: expect.any(String) });
    // Cases of the SQLite run and of this one, counted from the PostgreSQL state.
    expect(android.casesCreated).toBe(3);
    expect(report.apps.find((a) => a.id === 'rustore')!.casesCreated).toBe(1);
  });

  it.skipIf(!hasPython())('shows its progress on a terminal, the URL masked', async () => {
    const w = await worldWithReviews();
    const local = ['--config', w.configPath, '--db', w.dbPath];
    expect((await runCli(['sync', ...local])).code).toBe(0);
    const pg = await freshPgDatabase();
    const r = await runInPty(['state', 'migrate', '--to', pg.url, ...local], [{ expect: 'Verified' }], {
      dir: w.dir,
    });
    expect(r.error).toBeNull();
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('Copying reviews: 3 of 3 rows');
    expectNoSecret({ code: 0, signal: null, stdout: r.output, stderr: '', ms: 0 }, pg.url);
  });

  it('refuses, exit 2, a --to that is not a PostgreSQL URL, a missing SQLite file, and a PostgreSQL source', async () => {
    const dir = tempDir();
    const db = join(dir, 'state.db');
    const config = join(dir, 'config.json');
    const bad = await runCli([
      'state',
      'migrate',
      '--to',
      'mysql://u:secret-pass-12345@h/db',
      '-c',
      config,
      '--db',
      db,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--to');
    expect(bad.stderr).not.toContain('secret-pass-12345');

    const url = 'postgres://asodesk:db-password-98765@db.internal:5432/asodesk';
    const missing = await runCli(['state', 'migrate', '--to', url, '-c', config, '--db', db]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`no SQLite state file at ${db}`);
    expect(missing.stderr).not.toContain('db-password-98765');

    const fromPg = await runCli(['state', 'migrate', '--to', url, '-c', config, '--db', db], {
      env: { ASODESK_OMNI_STATE_URL: 'postgres://other:other-password-4321@db2.internal/asodesk' },
    });
    expect(fromPg.code).toBe(2);
    expect(fromPg.stderr).toContain('another PostgreSQL state (postgres://other:***@db2.internal/asodesk)');
    expect(fromPg.stderr + fromPg.stdout).not.toContain('other-password-4321');

    const noTo = await runCli(['state', 'migrate', '-c', config, '--db', db]);
    expect(noTo.code).toBe(2);
    expect(noTo.stderr).toContain('--to');
  });
});

describe('the whole loop on PostgreSQL', () => {
  it('sync creates the cases, serve-hook publishes an agent reply, the state shows it published', async () => {
    world = await startWorld({ dir: tempDir() });
    const w = world;
    w.googlePlay.addReview('com.acme.reviews', { authorName: 'Ann', text: 'It crashes on start', starRating: 1 });
    w.saveConfig();
    const pg = await freshPgDatabase();
    const onPg = ['--config', w.configPath, '--state', pg.url];

    const sync = await runCli(['sync', ...onPg]);
    expect(sync.code, sync.stderr).toBe(0);
    expectNoSecret(sync, pg.url);
    const [created] = w.omnidesk.cases();
    expect(w.omnidesk.cases()).toHaveLength(1);

    const hook = startCli(['serve-hook', '--port', '0', ...onPg]);
    const base = (await printed(hook, /Listening on (http:\/\/\S+)\/omnidesk\/webhook/))[1]!;
    w.omnidesk.setChannelWebhook('cch1', `${base}/omnidesk/webhook/${w.config.webhook!.secret!}`);
    expect((await w.omnidesk.addStaffReply(created!.caseId, 'Fixed in 3.2.1, thanks')).webhookStatus).toBe(200);
    await waitFor(() => w.googlePlay.replies('com.acme.reviews').length === 1, 60_000, 'the answer in Google Play');
    expect(w.googlePlay.replies('com.acme.reviews')[0]!.text).toContain('Fixed in 3.2.1');

    let report: StatusReport | undefined;
    await waitFor(
      async () => {
        const status = await runCli(['status', '--json', ...onPg]);
        report = JSON.parse(status.stdout) as StatusReport;
        return report.replies.published === 1;
      },
      60_000,
      'the reply published in the PostgreSQL state',
    );
    expect(report!.replies).toMatchObject({ published: 1, pending: 0, failed: 0 });
    hook.child.kill('SIGTERM');
    const stopped = await hook.exited;
    expect(stopped.code).toBe(0);
    expectNoSecret(stopped, pg.url);
  });
});
