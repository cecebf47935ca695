/**
 * `asodesk-omni status` after real syncs of the binary against the emulator world: counts,
 * sources, quotas, the Google Play window warning, crashed runs, and the exit codes.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectStatus, type StatusReport } from '../../src/commands/status/collect.js';
import { configSchema } from '../../src/config/schema.js';
import { startWorld, type World } from '../../src/emulators/world.js';
import { openDb } from '../../src/state/db.js';
import { ensureBuilt, runCli } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

let world: World | undefined;

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);

afterEach(async () => {
  await world?.stop();
  world = undefined;
});

async function status(configPath: string): Promise<StatusReport> {
  const r = await runCli(['status', '--json', '--config', configPath]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusReport;
}

describe('asodesk-omni status', () => {
  it('reflects a sync: per app source, counts, deliveries, quotas; then a crashed run and the Play window', async () => {
    const dir = tempDir();
    world = await startWorld({ dir, withoutCredentials: ['rustore'] });
    world.appStore.addReview('1000000001', {
      rating: 1,
      title: 'Вылетает',
      body: 'Приложение вылетает при запуске',
      reviewerNickname: 'ivan_p',
      territory: 'RUS',
    });
    world.appStore.addReview('1000000001', {
      rating: 5,
      title: '最高',
      body: 'とても使いやすい',
      reviewerNickname: 'yuki',
      territory: 'JPN',
    });
    world.googlePlay.addReview('com.acme.reviews', {
      authorName: 'Ann',
      text: 'Crashes\tIt crashes on start',
      starRating: 2,
      reviewerLanguage: 'en',
    });
    world.rustorePublic.addReview('ru.acme.reviews', {
      firstName: 'Мария',
      appRating: 3,
      commentText: 'Долго грузится',
    });

    const before = await status(world.configPath);
    expect(before.databaseExists).toBe(false);
    expect(before.lastRun).toBeNull();
    expect(before.warnings).toContain('No sync has run yet (no state database): run `asodesk-omni sync`.');

    const sync = await runCli(['sync', '--config', world.configPath]);
    expect(sync.code, sync.stderr).toBe(0);
    const after = await status(world.configPath);
    expect(after.lastRun).toMatchObject({ command: 'sync', outcome: 'ok' });
    const byId = Object.fromEntries(after.apps.map((a) => [a.id, a]));
    expect(byId.ios).toMatchObject({
      source: 'api',
      credentials: 'set',
      repliesNeedCredentials: false,
      reviewsSeen: 2,
      casesCreated: 2,
      editsDelivered: 0,
      deliveries: { pending: 0, failed: 0 },
      lastSync: { outcome: 'ok', error: null },
    });
    expect(byId.android).toMatchObject({
      source: 'api',
      reviewsSeen: 1,
      casesCreated: 1,
      quota: { getPerHour: 200, postPerDay: 2000, postLeftToday: 2000 },
    });
    expect(byId.android!.quota!.getLeftThisHour).toBeLessThan(200);
    expect(byId.rustore).toMatchObject({
      source: 'public',
      credentials: 'missing',
      repliesNeedCredentials: true,
      reviewsSeen: 1,
      casesCreated: 1,
    });

    // An edit reaches the same case: counted as an edit delivered.
    const ivan = world.appStore.reviews('1000000001').find((r) => r.reviewerNickname === 'ivan_p')!;
    world.appStore.editReview(ivan.id, { rating: 4, body: 'Исправили, спасибо' });
    expect((await runCli(['sync', '--full', '--config', world.configPath])).code).toBe(0);
    expect((await status(world.configPath)).apps.find((a) => a.id === 'ios')).toMatchObject({
      casesCreated: 2,
      editsDelivered: 1,
    });

    // A run killed midway (no finish, its process gone) and a Google Play pull 6 days old.
    const db = openDb(join(dir, 'asodesk-omni.db'));
    db.sqlite.prepare("INSERT INTO runs (command, started_at) VALUES ('sync', ?)").run(new Date().toISOString());
    db.sqlite
      .prepare(
        "INSERT OR REPLACE INTO locks (name, pid, host, token, acquired_at, heartbeat_at) VALUES ('sync', 999999, ?, 't', ?, ?)",
      )
      .run(hostname(), new Date().toISOString(), new Date().toISOString());
    db.sqlite
      .prepare("UPDATE app_state SET last_complete_pull_at = ? WHERE app_key = 'google-play:com.acme.reviews'")
      .run(new Date(Date.now() - 6 * 86_400_000).toISOString());
    db.closeSync();
    const crashed = await status(world.configPath);
    expect(crashed.lastRun).toMatchObject({ outcome: 'crashed', finishedAt: null });
    expect(crashed.apps.find((a) => a.id === 'android')!.warnings.join('\n')).toContain(
      'the last complete Google Play pull was 6 days ago',
    );

    const text = await runCli(['status', '--config', world.configPath]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/last run: sync #\d+ started .*: crashed \(the process ended without finishing/);
    expect(text.stdout).toContain('source        public (replies need credentials)');
    expect(text.stdout).toMatch(/reviews seen {2}2\s+cases created 2\s+edits delivered 1/);
    expect(text.stdout).toMatch(/quota\s+\d+\/200 reads left this hour, 2000\/2000 replies left today/);
  }, 60_000);

  it('counts replies per app by exact app key, and shows a run still holding the lock as running', async () => {
    const db = openDb(':memory:');
    const at = new Date().toISOString();
    for (const [id, key, state] of [
      [1, 'google-play:com.acme.app:r1', 'published'],
      [2, 'google-play:com.acme.app2:r2', 'failed'],
      [3, 'google-play:com.acme.app2:r3', 'refused'],
      [4, null, 'refused'],
    ] as const) {
      db.sqlite
        .prepare(
          'INSERT INTO replies (message_id, case_id, review_key, text, state, received_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?)',
        )
        .run(id, key, 'hi', state, at, at);
    }
    db.sqlite.prepare("INSERT INTO runs (command, started_at) VALUES ('sync', ?)").run(at);
    db.sqlite
      .prepare("INSERT INTO locks (name, pid, host, token, acquired_at, heartbeat_at) VALUES ('sync', ?, ?, 't', ?, ?)")
      .run(process.pid, hostname(), at, at);
    const config = configSchema.parse({
      apps: [
        { id: 'a', store: 'google-play', appId: 'com.acme.app' },
        { id: 'b', store: 'google-play', appId: 'com.acme.app2', source: 'public' },
      ],
    });
    const report = await collectStatus(config, { configPath: '/x/config.json', dbPath: ':memory:' }, db);
    expect(report.lastRun).toMatchObject({ outcome: 'running' });
    expect(report.apps.map((a) => [a.id, a.source, a.replies.published, a.replies.failed, a.replies.refused])).toEqual([
      ['a', 'public', 1, 0, 0],
      ['b', 'public', 0, 1, 1],
    ]);
    expect(report.apps[1]!.warnings).toContain('1 reply(ies) failed to publish: see the notes in their cases');
    expect(report.replies).toMatchObject({ published: 1, failed: 1, refused: 2 });
    db.closeSync();
  });

  it('exits 3 when there is no config', async () => {
    const r = await runCli(['status', '--config', join(tempDir(), 'nope.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('No config at');
    expect(r.stderr).toContain('asodesk-omni init');
  });
});
