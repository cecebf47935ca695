/**
 * The README's first ten minutes, step by step, with the built binary: `demo --keep` (the
 * emulators stay up and it prints a ready `init`), that `init` without questions against them,
 * then `sync`, `serve-hook` and `status` on the config it wrote.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, killAllStarted, runCli, startCli, type CliProcess } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

beforeAll(ensureBuilt, 120_000);
afterEach(killAllStarted);

/** Waits (bounded, generous: CI is loaded) until the process has printed `text`. */
async function waitFor(p: CliProcess, text: string | RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = p.stdout();
    if (typeof text === 'string' ? out.includes(text) : text.test(out)) return out;
    if (p.child.exitCode !== null)
      throw new Error(`exited ${p.child.exitCode} before printing ${String(text)}:\n${out}\n${p.stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}:\n${out}\n${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `VAR=value asodesk-omni init …` → env and the arguments after the program (no quoting: temp paths have no spaces). */
function parseCommand(line: string): { env: Record<string, string>; args: string[] } {
  const words = line.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0]!)) {
    const [k, ...v] = words.shift()!.split('=');
    env[k!] = v.join('=');
  }
  // `asodesk-omni` or `node bin/asodesk-omni.js`.
  const start = words.findIndex((w) => w === 'init');
  return { env, args: words.slice(start) };
}

describe('the first ten minutes (README)', () => {
  it('demo --keep → the printed init against its emulators → sync → serve-hook → status', async () => {
    const dir = tempDir();
    const demo = startCli(['demo', '--keep', '--dir', join(dir, 'demo')]);
    const shown = await waitFor(demo, /The same without questions:\n {2}(.+)\n/);
    const interactive = /Try `init` against these emulators[^\n]*\n {2}(.+)\n/.exec(shown)![1]!;
    expect(interactive).toMatch(
      / init --config \S+ --omnidesk-url http:\/\/127\.0\.0\.1:\d+ --app-store-url http:\/\/127\.0\.0\.1:\d+/,
    );
    // The demo's credentials are printed as they are (they open only the emulators).
    expect(shown).toContain('API key: omni-test-key-0001');
    const line = /The same without questions:\n {2}(.+)\n/.exec(shown)![1]!;
    const { env, args } = parseCommand(line);
    expect(env.ASODESK_OMNI_OMNIDESK_API_KEY).toBe('omni-test-key-0001');
    const configPath = args[args.indexOf('--config') + 1]!;

    const init = await runCli(args, { env });
    expect(init.code, init.stdout + init.stderr).toBe(0);
    expect(init.stdout).toContain('✓ case field cf_1 found.');
    expect(init.stdout).toMatch(/✓ App Store Connect accepted[\s\S]*✓ Google Play accepted[\s\S]*✓ RuStore accepted/);
    const written = JSON.parse(readFileSync(configPath, 'utf8')) as {
      omnidesk: { baseUrl: string };
      stores: { rustore: { publicBaseUrl: string } };
      apps: { id: string }[];
    };
    expect(written.omnidesk.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(written.stores.rustore.publicBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(written.apps.map((a) => a.id)).toEqual(['ios-1000000001', 'acme-reviews', 'acme-reviews-2']);

    const check = await runCli(['config', 'check', '--online', '--config', configPath], { env });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain(`${configPath}: valid`);

    const sync = await runCli(['sync', '--config', configPath], { env });
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);

    const hook = startCli(['serve-hook', '--config', configPath, '--port', '0'], { env });
    const listening = await waitFor(hook, /Listening on (http:\/\/\S+)\/omnidesk\/webhook/);
    const base = /Listening on (http:\/\/\S+)\/omnidesk\/webhook/.exec(listening)![1]!;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    hook.child.kill('SIGTERM');
    await hook.exited;

    const status = await runCli(['status', '--json', '--config', configPath], { env });
    expect(status.code, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout) as { apps: { id: string; lastSync: { outcome: string } }[] };
    expect(report.apps.map((a) => [a.id, a.lastSync.outcome])).toEqual([
      ['ios-1000000001', 'ok'],
      ['acme-reviews', 'ok'],
      ['acme-reviews-2', 'ok'],
    ]);

    demo.child.kill('SIGINT');
    const end = await demo.exited;
    expect(end.code).toBe(0);
    expect(existsSync(join(dir, 'demo', 'config.json'))).toBe(true);
  }, 180_000);
});
