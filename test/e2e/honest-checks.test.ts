/**
 * What a new user meets when something is missing or the environment is odd: a config that
 * is not there or cannot deliver, a service that does not answer, a failed sync in `status`,
 * an old Node, a closed pipe, a mistyped option, completion, `demo --json`.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startWorld } from '../../src/emulators/world.js';
import { refusingPort, withRefusedLoopback } from '../helpers/ports.js';
import { hasPython, runInPty } from '../helpers/pty.js';
import { ensureBuilt, repoRoot, runCli } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

beforeAll(ensureBuilt, 120_000);

const bin = join(repoRoot, 'bin/asodesk-omni.js');

function sh(
  script: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      'bash',
      ['-c', script],
      { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('honest checks', () => {
  it('config check on a missing file exits 3 and says how to make one', async () => {
    const dir = tempDir();
    const r = await runCli(['config', 'check', '-c', join(dir, 'nothing.json')]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('no config file here');
    expect(r.stdout).toContain('asodesk-omni init');
    expect(r.stdout).not.toContain('valid');
  });

  it('a config that cannot deliver is incomplete: config check and sync exit 3, naming what is missing and the init step', async () => {
    const dir = tempDir();
    const path = join(dir, 'config.json');
    writeFileSync(
      path,
      JSON.stringify({ omnidesk: { subdomain: 'acme', staffEmail: 'a@acme.test', apiKey: 'key-123456' } }),
    );
    const check = await runCli(['config', 'check', '-c', path]);
    expect(check.code).toBe(3);
    expect(check.stdout).toContain('valid, but incomplete');
    for (const field of ['omnidesk.channel', 'omnidesk.caseFieldId', 'apps'])
      expect(check.stdout).toContain(`! ${field}:`);
    expect(check.stdout).toContain('step 2: Custom channel and webhook, step 3: Apps');
    const json = JSON.parse((await runCli(['config', 'check', '--json', '-c', path])).stdout) as {
      ok: boolean;
      complete: boolean;
      missing: { path: string }[];
    };
    expect(json).toMatchObject({ ok: false, complete: false });
    expect(json.missing.map((m) => m.path)).toEqual(['omnidesk.channel', 'omnidesk.caseFieldId', 'apps']);

    const sync = await runCli(['sync', '-c', path, '--db', join(dir, 'state.db')]);
    expect(sync.code).toBe(3);
    expect(sync.stderr).toContain('is incomplete: nothing can be delivered yet');
    expect(sync.stderr).toContain('omnidesk.channel: no custom channel chosen');
    expect(sync.stderr).toMatch(/hint: Run `asodesk-omni init --config \S+` to finish it/);
    // Each error once.
    expect(sync.stderr.split('is incomplete').length).toBe(2);
  });

  it('config check --online: a service that does not answer is exit 5 (try again), a refused key exit 3', async () => {
    const dir = tempDir();
    const world = await startWorld({ dir });
    await world.stop();
    // Everything (the config and the Google key's token URI) points at a port that refuses.
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')))
      writeFileSync(join(dir, name), withRefusedLoopback(readFileSync(join(dir, name), 'utf8')), { mode: 0o600 });
    const unreachable = (JSON.parse(readFileSync(world.configPath, 'utf8')) as { omnidesk: { baseUrl: string } })
      .omnidesk.baseUrl;
    const r = await runCli(['config', 'check', '--online', '-c', world.configPath]);
    expect(r.code, r.stdout + r.stderr).toBe(5);
    expect(r.stdout).toContain('could not be reached');
    expect(unreachable).toBe(`http://127.0.0.1:${refusingPort}`);

    const dir2 = tempDir();
    const live = await startWorld({ dir: dir2 });
    try {
      live.config.omnidesk = { ...live.config.omnidesk!, apiKey: 'wrong-key-123456' };
      live.saveConfig();
      const refused = await runCli(['config', 'check', '--online', '-c', live.configPath]);
      expect(refused.code).toBe(3);
      expect(refused.stdout).toMatch(/✗ Omnidesk: .*API key/);
    } finally {
      await live.stop();
    }
  }, 90_000);

  it('a refused key read from ./.env says it came from there', async () => {
    const dir = tempDir();
    const live = await startWorld({ dir });
    try {
      const { apiKey: _drop, ...omnidesk } = live.config.omnidesk!;
      live.config.omnidesk = omnidesk;
      live.saveConfig();
      writeFileSync(join(dir, '.env'), 'ASODESK_OMNI_OMNIDESK_API_KEY=wrong-key-from-dotenv\n');
      const r = await runCli(['config', 'check', '--online', '-c', live.configPath], { cwd: dir });
      expect(r.code).toBe(3);
      expect(r.stdout).toContain(`Note: ASODESK_OMNI_OMNIDESK_API_KEY came from ${join(dir, '.env')}`);
      expect(r.stdout).not.toContain('wrong-key-from-dotenv');
    } finally {
      await live.stop();
    }
  }, 60_000);

  it('status exits 5 when an app\'s last sync failed, and says so instead of "never"', async () => {
    const dir = tempDir();
    const world = await startWorld({ dir });
    try {
      world.googlePlay.removeServiceAccount('reviews@acme-demo.iam.gserviceaccount.com');
      const sync = await runCli(['sync', '-c', world.configPath]);
      expect(sync.code).toBe(5);
      const status = await runCli(['status', '-c', world.configPath]);
      expect(status.code).toBe(5);
      expect(status.stdout).toMatch(/android[\s\S]*last sync\s+\S+ \(.*ago\) failed/);
      const json = await runCli(['status', '--json', '-c', world.configPath]);
      expect(json.code).toBe(5);
    } finally {
      await world.stop();
    }
  }, 60_000);
});

describe('errors a person reads', () => {
  it('init against an address that does not answer names the address (localhost:PORT is an address, not a subdomain)', async () => {
    const dir = tempDir();
    const r = await runCli(
      [
        'init',
        '--non-interactive',
        '--config',
        join(dir, 'c.json'),
        '--subdomain',
        'localhost:1',
        '--email',
        'a@b.test',
        '--channel',
        'cch1',
        '--app',
        'rustore:ru.a.b',
      ],
      {
        env: { ASODESK_OMNI_OMNIDESK_API_KEY: 'key-123456' },
      },
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Omnidesk: .*\(http:\/\/localhost:1\)/);
    expect(r.stderr).not.toContain('ENOTFOUND');
  }, 60_000);

  it('a config with comments: not valid JSON, with the line and column, and why', async () => {
    const dir = tempDir();
    const path = join(dir, 'config.json');
    writeFileSync(path, '{\n  "omnidesk": {\n    // my account\n    "subdomain": "acme"\n  }\n}\n');
    const r = await runCli(['config', 'show', '-c', path]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('is not valid JSON (line 3, column 5)');
    expect(r.stderr).toContain('comments (// or #) are not allowed');
  });

  it.skipIf(!hasPython())(
    'on a terminal a failed app is named once, in the summary (not also in the log)',
    async () => {
      const dir = tempDir();
      const world = await startWorld({ dir });
      try {
        world.googlePlay.removeServiceAccount('reviews@acme-demo.iam.gserviceaccount.com');
        const r = await runInPty(['sync', '-c', world.configPath], [{ expect: 'result: partial' }], {
          dir,
          timeoutSec: 60,
        });
        expect(r.error, r.output).toBeNull();
        expect(r.exitCode).toBe(5);
        expect(r.output.split('refused the service-account key').length, r.output).toBe(2);
      } finally {
        await world.stop();
      }
    },
    90_000,
  );
});

describe('the environment', () => {
  it('an old Node is told which one is needed before anything loads (exit 78)', async () => {
    const fake = "data:text/javascript,Object.defineProperty(process.versions,'node',{value:'18.19.0'})";
    const r = await sh(`"${process.execPath}" --import "${fake}" "${bin}" --help`);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('asodesk-omni needs Node.js 20.17 or newer; this is Node.js 18.19.0.');
    expect(r.stderr).not.toContain('bug');
  });

  it('demo | head -3 ends quietly; demo --json prints one JSON object', async () => {
    const dir = tempDir();
    const piped = await sh(
      `set -o pipefail; "${process.execPath}" "${bin}" demo --dir "${join(dir, 'piped')}" | head -3`,
    );
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout.split('\n').filter((l) => l !== '')).toHaveLength(2);
    expect(piped.stderr).not.toMatch(/EPIPE|unexpected error/);

    const json = await runCli(['demo', '--json', '--dir', join(dir, 'json')]);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      ok: boolean;
      firstSync: { outcome: string };
      emulators: Record<string, string>;
    };
    expect(parsed.ok).toBe(true);
    expect(parsed.firstSync.outcome).toBe('ok');
    expect(Object.keys(parsed.emulators)).toContain('rustorePublic');
  }, 90_000);

  it('an unknown option is one short error and a pointer to --help, not the whole help', async () => {
    const r = await runCli(['sync', '--dry-rnu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: unknown option '--dry-rnu'");
    expect(r.stderr).toContain('(add --help for usage)');
    expect(r.stderr).not.toContain('Options:');
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
  });

  it('completion for bash completes commands, subcommands and options', async () => {
    const dir = tempDir();
    const script = join(dir, 'c.sh');
    const gen = await runCli(['completion', 'bash']);
    expect(gen.code).toBe(0);
    writeFileSync(script, gen.stdout);
    const r = await sh(
      `source "${script}"; COMP_WORDS=(asodesk-omni config ch); COMP_CWORD=2; _asodesk_omni; echo "\${COMPREPLY[*]}"; COMP_WORDS=(asodesk-omni init --omnidesk); COMP_CWORD=2; _asodesk_omni; echo "\${COMPREPLY[*]}"`,
    );
    expect(r.stdout.split('\n')).toEqual(['check', '--omnidesk-url', '']);
    const zsh = await runCli(['completion', 'zsh']);
    expect(zsh.stdout.startsWith('#compdef asodesk-omni')).toBe(true);
    expect((await runCli(['completion', 'fish'])).code).toBe(2);
  });
});
