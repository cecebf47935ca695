/**
 * No secret leaves the config file: a full `sync --verbose` (with retries and errors on the
 * way), `serve-hook --verbose` publishing a reply that came by webhook, and `sync
 * --poll-replies --verbose`; then every line they printed, every report, and the raw bytes of
 * the SQLite files (db, -wal, -shm) are searched for the key material used in the run: the
 * Omnidesk API key and its Basic header, each private key (PEM lines, Base64 DER), the webhook
 * secret, the signed grants sent for tokens, and the access tokens the emulators issued.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worldStaff, type World } from '../../src/emulators/world.js';
import { ensureBuilt, killAllStarted, runCli, startCli } from '../helpers/spawn.js';
import { ChaosWorld, testDir } from './chaos-world.js';

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);
afterAll(() => killAllStarted());

/** Substrings that must never appear, each with a name for the failure message. */
function keyMaterial(world: World): Map<string, string> {
  const found = new Map<string, string>();
  const add = (name: string, value: string | undefined): void => {
    if (value && value.length >= 12) found.set(value, name);
  };
  const read = (path: string | undefined): string => (path ? readFileSync(path, 'utf8') : '');
  const stores = world.config.stores!;
  add('Omnidesk API key', worldStaff.apiKey);
  add('Omnidesk Basic header', Buffer.from(`${worldStaff.email}:${worldStaff.apiKey}`).toString('base64'));
  add('webhook secret', world.config.webhook!.secret);
  const pems: [string, string][] = [
    ['App Store .p8', read(stores.appStore!.privateKeyPath)],
    [
      'Google private key',
      (JSON.parse(read(stores.googlePlay!.serviceAccountPath)) as { private_key: string }).private_key,
    ],
  ];
  for (const [name, pem] of pems) {
    const body = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
    body.forEach((line, i) => add(`${name} line ${i + 1}`, line));
    add(`${name} body`, body.join(''));
  }
  const ruKey = read(stores.rustore!.privateKeyPath).trim();
  add('RuStore key (Base64 DER)', ruKey);
  // Any 40-character window of it, as a log line wrapped or cut at random would show.
  for (let i = 0; i + 40 <= ruKey.length; i += 40) add(`RuStore key chars ${i}…`, ruKey.slice(i, i + 40));
  return found;
}

/** Grants and tokens seen on the wire, read from the emulators (the client never prints them, we check). */
function issuedCredentials(world: World): Map<string, string> {
  const found = new Map<string, string>();
  for (const r of world.googlePlay.server.requests.filter((q) => q.path === '/token')) {
    const assertion = new URLSearchParams(r.body).get('assertion');
    if (assertion) found.set(assertion, 'Google signed grant (JWT assertion)');
  }
  for (const r of world.rustore.server.requests.filter((q) => q.path.startsWith('/public/auth'))) {
    const signature = (JSON.parse(r.body || '{}') as { signature?: string }).signature;
    if (signature) found.set(signature, 'RuStore signed timestamp');
  }
  // The emulators keep the tokens they issued in private maps; tests may look.
  const tokens = (e: unknown): string[] => [...(e as { tokens: Map<string, unknown> }).tokens.keys()];
  for (const t of tokens(world.googlePlay)) found.set(t, 'Google access token');
  for (const t of tokens(world.rustore)) found.set(t, 'RuStore access token (JWE)');
  return found;
}

function leaks(haystack: string, where: string, secrets: Map<string, string>): string[] {
  return [...secrets].filter(([value]) => haystack.includes(value)).map(([, name]) => `${name} in ${where}`);
}

describe('secrets never leave the config', () => {
  it('not in any output, report, or byte of the database', async () => {
    const chaos = await ChaosWorld.start({ dir: testDir(), seed: 11 });
    const { world } = chaos;
    try {
      chaos.seed(4);
      const outputs: [string, string][] = [];
      const args = (...extra: string[]): string[] => [
        ...extra,
        '--verbose',
        '-c',
        world.configPath,
        '--db',
        world.dbPath,
      ];

      // A run with failures on the way: retries and error lines get logged too.
      // The first case request reads the channel (find before create): it passes ('slow' by 0 ms).
      world.omnidesk.server.setFaults({ next: ['slow', '503', 'malformed'], slowMs: 0, pathPrefix: '/api/cases' });
      world.googlePlay.server.setFaults({ next: ['500'], pathPrefix: '/androidpublisher' });
      const first = await runCli(args('sync', '--json'), { cwd: world.dir });
      outputs.push(['sync stdout', first.stdout], ['sync stderr', first.stderr]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toContain('"level":"debug"');

      const hook = startCli(args('serve-hook', '--port', '0'), { cwd: world.dir });
      const deadline = Date.now() + 15_000;
      let base: string | undefined;
      while (!base) {
        base = /Listening on (http:\/\/[^/\s]+)/.exec(hook.stdout())?.[1];
        if (Date.now() > deadline || hook.child.exitCode !== null)
          throw new Error(`serve-hook did not start: ${hook.stderr()}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      world.omnidesk.setChannelWebhook('cch1', `${base}/omnidesk/webhook/${world.config.webhook!.secret}`);
      const byWebhook = [
        await chaos.reply(chaos.reviews.find((l) => l.app === 'android')),
        await chaos.reply(chaos.reviews.find((l) => l.app === 'rustore')),
      ];
      const until = Date.now() + 10_000;
      while (byWebhook.some((r) => !world.omnidesk.messages(r!.caseId).some((m) => m.note)) && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      hook.child.kill('SIGTERM');
      const served = await hook.exited;
      outputs.push(['serve-hook stdout', served.stdout], ['serve-hook stderr', served.stderr]);
      expect(served.code, served.stderr).toBe(0);

      world.omnidesk.setChannelWebhook('cch1', undefined);
      await chaos.reply(chaos.reviews.find((l) => l.app === 'ios'));
      const polled = await runCli(args('sync', '--poll-replies'), { cwd: world.dir });
      outputs.push(['poll stdout', polled.stdout], ['poll stderr', polled.stderr]);
      expect(polled.code, polled.stderr).toBe(0);
      chaos.expectConverged();

      const secrets = new Map([...keyMaterial(world), ...issuedCredentials(world)]);
      const kinds = new Set([...secrets.values()].map((n) => n.replace(/ (line|chars) .*$/, '')));
      // What we look for is really there to look for.
      for (const kind of [
        'Omnidesk API key',
        'webhook secret',
        'App Store .p8',
        'Google private key',
        'RuStore key (Base64 DER)',
        'Google access token',
        'RuStore access token (JWE)',
        'Google signed grant (JWT assertion)',
        'RuStore signed timestamp',
      ]) {
        expect(kinds, kind).toContain(kind);
      }

      const found: string[] = [];
      for (const [where, text] of outputs) found.push(...leaks(text, where, secrets));
      for (const suffix of ['', '-wal', '-shm']) {
        const path = world.dbPath + suffix;
        if (!existsSync(path)) continue;
        // latin1 keeps every byte as one character, so ASCII secrets are found wherever they sit.
        found.push(...leaks(readFileSync(path).toString('latin1'), `state.db${suffix}`, secrets));
      }
      expect(found).toEqual([]);
      // And the database did record the run (we searched something real).
      expect(readFileSync(world.dbPath).length).toBeGreaterThan(10_000);
    } finally {
      await world.stop();
    }
  }, 60_000);
});
