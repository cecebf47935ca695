import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startWorld } from '../../src/emulators/world.js';
import { ensureBuilt, runCli } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

/** `config show` prints the effective config as JSON; these tests read only the API key. */
const shownConfig = (stdout: string) => JSON.parse(stdout) as { omnidesk: { apiKey?: unknown } };

describe('the asodesk-omni binary', () => {
  beforeAll(ensureBuilt, 120_000);

  it('--help lists the commands, examples and exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const word of [
      'init',
      'sync',
      'serve-hook',
      'status',
      'demo',
      'config',
      'Examples:',
      'Exit codes:',
      '75',
      ' 74  the state file',
    ])
      expect(r.stdout).toContain(word);
  });

  it('wrong usage exits 2', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['sync', '--no-such-flag'])).code).toBe(2);
  });

  it('config check names the bad field and exits 3', async () => {
    const dir = tempDir();
    const path = join(dir, 'config.json');
    writeFileSync(
      path,
      JSON.stringify({
        omnidesk: { subdomain: 'acme', staffEmail: 'not-mail' },
        apps: [{ id: 'x', store: 'google-play', appId: 'com.x.y', filters: { ratings: [6] } }],
      }),
    );
    const r = await runCli(['config', 'check', '-c', path]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('omnidesk.staffEmail');
    expect(r.stdout).toContain('apps.0.filters.ratings.0');
    const json = await runCli(['config', 'check', '-c', path, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      problems: expect.arrayContaining([expect.objectContaining({ path: 'omnidesk.staffEmail' })]),
    });
  });

  it('config show never prints a secret, from the file or the environment', async () => {
    const dir = tempDir();
    const path = join(dir, 'config.json');
    writeFileSync(
      path,
      JSON.stringify({
        omnidesk: { subdomain: 'acme', staffEmail: 'a@acme.test', apiKey: 'file-secret-key-123' },
        webhook: { secret: 'webhook-secret-0123456789abcdef' },
      }),
    );
    const r = await runCli(['config', 'show', '-c', path], {
      env: { ASODESK_OMNI_RUSTORE_PRIVATE_KEY: 'env-secret-private-key-xyz', ASODESK_OMNI_RUSTORE_KEY_ID: '7' },
    });
    expect(r.code).toBe(0);
    for (const secret of ['file-secret-key-123', 'webhook-secret-0123456789abcdef', 'env-secret-private-key-xyz']) {
      expect(r.stdout + r.stderr).not.toContain(secret);
    }
    expect(shownConfig(r.stdout).omnidesk.apiKey).toBe('***');
  });

  it('the PostgreSQL state URL is a secret: config show and config path print it masked', async () => {
    const dir = tempDir();
    const path = join(dir, 'config.json');
    const fileUrl = 'postgres://asodesk:file-db-password-123@db.internal:5432/asodesk';
    writeFileSync(
      path,
      JSON.stringify({
        omnidesk: { subdomain: 'acme', staffEmail: 'a@acme.test', apiKey: 'file-secret-key-123' },
        state: { url: fileUrl },
      }),
    );
    const show = await runCli(['config', 'show', '-c', path]);
    expect(show.code).toBe(0);
    expect(show.stdout + show.stderr).not.toContain('file-db-password-123');
    expect((JSON.parse(show.stdout) as { state: { url: string } }).state.url).toBe('***');
    const flagUrl = 'postgres://asodesk:flag-db-password-456@db.internal:5432/asodesk';
    const shown = await runCli(['config', 'path', '-c', path, '--json', '--state', flagUrl]);
    expect(shown.code).toBe(0);
    expect(shown.stdout + shown.stderr).not.toContain('flag-db-password-456');
    expect(JSON.parse(shown.stdout)).toMatchObject({ stateUrl: 'postgres://asodesk:***@db.internal:5432/asodesk' });
  });

  it('reads secrets from a .env in the working directory', async () => {
    const dir = tempDir();
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify({ omnidesk: { subdomain: 'acme', staffEmail: 'a@acme.test' } }));
    writeFileSync(join(dir, '.env'), 'ASODESK_OMNI_OMNIDESK_API_KEY=from-dotenv-key-123\n');
    const withEnv = await runCli(['config', 'show', '-c', path], { cwd: dir });
    expect(shownConfig(withEnv.stdout).omnidesk.apiKey).toBe('***');
    expect(withEnv.stdout).not.toContain('from-dotenv-key-123');
    const without = await runCli(['config', 'show', '-c', path]);
    expect(shownConfig(without.stdout).omnidesk.apiKey).toBeUndefined();
  });

  it('sync without a config says to run init and exits 3', async () => {
    const dir = tempDir();
    const r = await runCli(['sync', '-c', join(dir, 'none.json'), '--db', join(dir, 'db')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('asodesk-omni init');
  });

  it('sync runs against the emulators: JSON report on stdout, logs on stderr, exit 0', async () => {
    const dir = tempDir();
    const world = await startWorld({ dir });
    try {
      world.googlePlay.addReview('com.acme.reviews', {
        authorName: 'Ann',
        text: 'Nice\tReally nice app',
        starRating: 5,
        reviewerLanguage: 'en',
      });
      const r = await runCli(['sync', '--json', '-c', world.configPath, '--db', world.dbPath]);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as { outcome: string; apps: { app: string; created: number }[] };
      expect(report.outcome).toBe('ok');
      expect(report.apps.find((a) => a.app === 'android')?.created).toBe(1);
      const again = await runCli(['sync', '-c', world.configPath, '--db', world.dbPath]);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/android\s+api\s+1\s+0\s+0\s+0\s+0/);
      expect(world.omnidesk.cases()).toHaveLength(1);
    } finally {
      await world.stop();
    }
  });

  it('a failing app gives the partial-failure exit code 5 and a summary', async () => {
    const dir = tempDir();
    const world = await startWorld({ dir });
    try {
      world.googlePlay.removeServiceAccount('reviews@acme-demo.iam.gserviceaccount.com');
      world.rustore.addComment('ru.acme.reviews', { commentText: 'Работает' });
      const r = await runCli(['sync', '-c', world.configPath, '--db', world.dbPath]);
      expect(r.code).toBe(5);
      expect(r.stdout).toMatch(/android: error: .*service account/i);
      expect(world.omnidesk.cases()).toHaveLength(1);
    } finally {
      await world.stop();
    }
  });
});
