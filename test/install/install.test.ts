/**
 * The package as npm ships it: `npm pack` holds `dist/` (built by `prepare`), and the tarball
 * installs globally into a temporary prefix, where `asodesk-omni --help` and `demo` work.
 *
 * Dependencies come from the npm cache (`--prefer-offline`: the registry only for what is not
 * cached). Install scripts are skipped and better-sqlite3's native binding is copied from this
 * checkout's node_modules: its install script would download a prebuilt binary from GitHub or
 * compile one (minutes), and that step is better-sqlite3's, not ours.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

beforeAll(ensureBuilt, 120_000);

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('ASODESK_OMNI_') && !k.startsWith('npm_')),
    );
    execFile(
      cmd,
      args,
      {
        cwd: opts.cwd ?? repoRoot,
        env: { ...env, NO_COLOR: '1', ...opts.env },
        timeout: 170_000,
        maxBuffer: 32 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('install from the packed tarball', () => {
  it('npm pack ships dist/; a global install into a temp prefix runs --help and demo', async () => {
    const dir = tempDir('asodesk-omni-install-');
    // Scripts skipped: `ensureBuilt` has built dist/ (what `prepare` does in a clean clone).
    const pack = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir]);
    expect(pack.code, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path);
    for (const f of ['bin/asodesk-omni.js', 'dist/cli.js', 'fixtures/demo/reviews.json', 'package.json', 'README.md'])
      expect(files).toContain(f);
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);

    const prefix = join(dir, 'prefix');
    const tarball = join(dir, info!.filename);
    const install = await run(
      npm,
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        tarball,
        '--prefer-offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--loglevel',
        'error',
      ],
      { cwd: dir },
    );
    expect(install.code, install.stderr).toBe(0);
    const installed = join(prefix, 'lib', 'node_modules', 'asodesk-omni');
    cpSync(
      join(repoRoot, 'node_modules', 'better-sqlite3', 'build'),
      join(installed, 'node_modules', 'better-sqlite3', 'build'),
      { recursive: true },
    );
    // No dev dependency came along.
    expect(readdirSync(join(installed, 'node_modules')).some((d) => d === 'vitest' || d === 'typescript')).toBe(false);

    const exe = join(prefix, 'bin', 'asodesk-omni');
    expect(existsSync(exe)).toBe(true);
    const help = await run(exe, ['--help'], { cwd: dir });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
    const demo = await run(exe, ['demo', '--dir', join(dir, 'demo')], {
      cwd: dir,
      env: { PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` },
    });
    expect(demo.code, demo.stdout + demo.stderr).toBe(0);
    expect(demo.stdout).toContain('sync again: nothing new, nothing sent twice');
    // Installed on PATH: the suggested commands use the name.
    expect(demo.stdout).toMatch(/asodesk-omni status --config /);
  }, 180_000);
});
