/**
 * Bad input reaching the real CLI: a broken config ends with exit 3 and the field named; a key
 * file of the wrong kind, or a credential the service no longer accepts, fails its own app
 * with a message naming the setting or the key, while the other apps are delivered (exit 5).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppReport, SyncReport } from '../../src/engine/report.js';
import { ExitCode } from '../../src/errors.js';
import type { World } from '../../src/emulators/world.js';
import { ensureBuilt, killAllStarted, runCli, type CliResult } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';
import { ChaosWorld, testDir, type AppName } from './chaos-world.js';

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);
afterAll(() => killAllStarted());

function expectNoCrash(r: CliResult): void {
  expect(r.stderr).not.toMatch(/unexpected error|This is a bug|\n\s+at /);
}

describe('a broken config: exit 3, the field named', () => {
  const valid = {
    omnidesk: { subdomain: 'acme', staffEmail: 'admin@example.test', apiKey: 'k-0123456789', channel: 'cch1' },
    apps: [{ id: 'ios', store: 'app-store', appId: '1000000001' }],
  };
  const cases: [string, string | object, RegExp][] = [
    ['not JSON', '{"omnidesk": {"subdomain": "acme",', /is not valid JSON/],
    [
      'a rating out of range',
      { ...valid, apps: [{ ...valid.apps[0], filters: { ratings: [7] } }] },
      /apps\.0\.filters\.ratings\.0: /,
    ],
    [
      'a misspelt field',
      { ...valid, omnidesk: { ...valid.omnidesk, apikey: 'x' } },
      /omnidesk: unknown field\(s\): apikey/,
    ],
    [
      'an App Store app id that is a bundle id',
      { ...valid, apps: [{ id: 'ios', store: 'app-store', appId: 'com.acme.ios' }] },
      /apps\.0\.appId: the App Store app id is the number/,
    ],
    [
      'a short webhook secret',
      { ...valid, webhook: { secret: 'short' } },
      /webhook\.secret: must be at least 128 random bits/,
    ],
    ['a wrong type', { ...valid, sync: { concurrency: 'four' } }, /sync\.concurrency: /],
  ];

  it.each(cases)('%s', async (_name, content, message) => {
    const dir = testDir();
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, typeof content === 'string' ? content : JSON.stringify(content));
    const r = await runCli(['sync', '-c', configPath, '--db', join(dir, 'state.db')], { cwd: dir });
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('hint: ');
    expectNoCrash(r);
  });
});

describe('bad key files and refused credentials: that app fails, the others are delivered', () => {
  let chaos: ChaosWorld;
  let world: World;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('asodesk-omni-chaos-');
    chaos = await ChaosWorld.start({ dir, seed: 5 });
    world = chaos.world;
  });
  afterAll(async () => {
    await world.stop();
  });

  /** One sync with a new review per app; the named app must fail with `message`, the others deliver. */
  async function syncExpectingOnly(app: AppName, message: RegExp): Promise<void> {
    for (const a of ['ios', 'android', 'rustore'] as const) chaos.addReview(a);
    const r = await runCli(['sync', '--json', '-c', world.configPath, '--db', world.dbPath], { cwd: world.dir });
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(ExitCode.partialFailure);
    const report = JSON.parse(r.stdout) as SyncReport;
    const byApp = new Map<string, AppReport>(report.apps.map((a) => [a.app, a]));
    expect(byApp.get(app)).toMatchObject({ outcome: 'failed', created: 0 });
    expect(byApp.get(app)!.errors.join('\n')).toMatch(message);
    for (const other of report.apps.filter((a) => a.app !== app))
      expect(other, other.errors.join('\n')).toMatchObject({ outcome: 'ok', created: expect.any(Number) as unknown });
    for (const other of report.apps.filter((a) => a.app !== app)) expect(other.created).toBeGreaterThan(0);
  }

  function withKeyFile(file: string, content: string, run: () => Promise<void>): () => Promise<void> {
    return async () => {
      const path = join(world.dir, file);
      const original = readFileSync(path, 'utf8');
      writeFileSync(path, content);
      try {
        await run();
      } finally {
        writeFileSync(path, original);
      }
    };
  }

  it(
    'an App Store .p8 that is an RSA key',
    withKeyFile(
      'AuthKey_DEMOKEY123.p8',
      generateKeyPairSync('rsa', { modulusLength: 1024 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      () => syncExpectingOnly('ios', /stores\.appStore\.privateKeyPath: the key is rsa, not an EC key/),
    ),
  );

  it(
    'a Google JSON key that is an OAuth client, not a service account',
    withKeyFile(
      'google-service-account.json',
      JSON.stringify({
        installed: { client_id: '1234.apps.googleusercontent.com', client_secret: 'GOCSPX-not-a-service-account' },
      }),
      () =>
        syncExpectingOnly(
          'android',
          /stores\.googlePlay\.serviceAccountPath: the service-account key is malformed: field "client_email"/,
        ),
    ),
  );

  it(
    'a RuStore key file holding garbage',
    withKeyFile('rustore-private-key.txt', 'paste your key here\n', () =>
      syncExpectingOnly('rustore', /stores\.rustore\.privateKey.*not a DER private key/),
    ),
  );

  it('a key path that is a folder', async () => {
    const stores = world.config.stores!;
    const original = stores.rustore!.privateKeyPath;
    const folder = join(world.dir, 'keys-folder');
    mkdirSync(folder, { recursive: true });
    stores.rustore!.privateKeyPath = folder;
    world.saveConfig();
    try {
      await syncExpectingOnly('rustore', /stores\.rustore\.privateKeyPath: the file .*keys-folder cannot be read/);
    } finally {
      stores.rustore!.privateKeyPath = original;
      world.saveConfig();
    }
  });

  it('an App Store key id the service no longer knows (revoked key)', async () => {
    const stores = world.config.stores!;
    const original = stores.appStore!.keyId;
    stores.appStore!.keyId = 'REVOKED999';
    world.saveConfig();
    try {
      await syncExpectingOnly('ios', /App Store Connect: the API key REVOKED999 was refused/);
    } finally {
      stores.appStore!.keyId = original;
      world.saveConfig();
    }
  });

  it('a RuStore key id deleted in the Console', async () => {
    const stores = world.config.stores!;
    const original = stores.rustore!.keyId;
    stores.rustore!.keyId = '999999';
    world.saveConfig();
    try {
      await syncExpectingOnly('rustore', /RuStore: the API key 999999 or its token was refused/);
    } finally {
      stores.rustore!.keyId = original;
      world.saveConfig();
    }
  });

  it('a Google service account deleted (its key revoked)', async () => {
    world.googlePlay.removeServiceAccount('reviews@acme-demo.iam.gserviceaccount.com');
    await syncExpectingOnly(
      'android',
      /Google refused the service-account key of reviews@acme-demo\.iam\.gserviceaccount\.com/,
    );
  });

  it('the Omnidesk API key revoked: every app fails to deliver, nothing is lost once it is fixed', async () => {
    world.googlePlay.addApp('unused'); // (the Google account stays deleted: android keeps failing)
    const omnidesk = world.config.omnidesk!;
    const original = omnidesk.apiKey;
    omnidesk.apiKey = 'omni-revoked-key-0000';
    world.saveConfig();
    const before = world.omnidesk.cases().length;
    chaos.addReview('ios');
    chaos.addReview('rustore');
    const r = await runCli(['sync', '--json', '-c', world.configPath, '--db', world.dbPath], { cwd: world.dir });
    expectNoCrash(r);
    expect(r.code).toBe(ExitCode.partialFailure);
    const report = JSON.parse(r.stdout) as SyncReport;
    for (const app of report.apps.filter((a) => a.app !== 'android'))
      expect(app.errors.join('\n')).toMatch(/Omnidesk: the API key is wrong or was deleted/);
    // Said once per app, not once per review.
    for (const app of report.apps)
      expect(app.errors.filter((e) => e.includes('Omnidesk')).length).toBeLessThanOrEqual(1);
    expect(world.omnidesk.cases()).toHaveLength(before);

    omnidesk.apiKey = original;
    world.saveConfig();
    const fixed = await runCli(['sync', '--json', '-c', world.configPath, '--db', world.dbPath], { cwd: world.dir });
    const after = JSON.parse(fixed.stdout) as SyncReport;
    expect(after.apps.find((a) => a.app === 'ios')).toMatchObject({ outcome: 'ok', created: 1 });
    expect(after.apps.find((a) => a.app === 'rustore')).toMatchObject({ outcome: 'ok', created: 1 });
    expect(world.omnidesk.cases()).toHaveLength(before + 2);
  });
});
