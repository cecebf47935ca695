/**
 * Real file-system faults for tests, without manual setup: a tiny tmpfs in a private mount
 * namespace (`unshare -m` as root, `unshare -rm` in a user namespace otherwise) for "disk full"
 * and "read-only", gone with the child process; `ulimit -f` for a write that fails right
 * after a file was created. When the system allows neither, `unavailable` says why and the
 * test skips with that reason printed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './spawn.js';
import { tempDir } from './temp.js';

export const bin = join(repoRoot, 'bin/asodesk-omni.js');
export const distDb = join(repoRoot, 'dist/state/db.js');

let probed: { unshare: string[] } | { unavailable: string } | undefined;

/** How to run a shell script in its own mount namespace where tmpfs can be mounted. */
export function mountNamespace(): { unshare: string[] } | { unavailable: string } {
  if (probed) return probed;
  const dir = tempDir('asodesk-omni-probe-');
  const tried: string[] = [];
  for (const unshare of [
    ['unshare', '-m'],
    ['unshare', '-rm'],
  ]) {
    const r = spawnSync(unshare[0]!, [...unshare.slice(1), 'sh', '-c', `mount -t tmpfs -o size=64k tmpfs '${dir}'`], {
      encoding: 'utf8',
    });
    if (r.status === 0) return (probed = { unshare });
    tried.push(`${unshare.join(' ')}: ${(r.error?.message ?? r.stderr).trim() || `exit ${r.status}`}`);
  }
  return (probed = { unavailable: `no mount namespace with tmpfs here (${tried.join('; ')})` });
}

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runShell(
  argv: readonly string[],
  script: string,
  env: Record<string, string> = {},
): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, [...argv.slice(1), 'sh', '-c', script], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

/**
 * Sections of a script's output: each `echo "### name"` starts one, `echo "### exit $?"`
 * records the exit code of the command before it.
 */
export function sections(stdout: string): Map<string, { text: string; exit: number | undefined }> {
  const result = new Map<string, { text: string; exit: number | undefined }>();
  let current: { text: string; exit: number | undefined } | undefined;
  for (const line of stdout.split('\n')) {
    const exit = /^### exit (\d+)$/.exec(line);
    if (exit && current) current.exit = Number(exit[1]);
    else if (line.startsWith('### ')) result.set(line.slice(4), (current = { text: '', exit: undefined }));
    else if (current) current.text += line + '\n';
  }
  return result;
}

/** A `node -e` (ES module) line for scripts: `code` sees argv as `process.argv.slice(1)`. */
export function nodeLine(code: string, ...args: string[]): string {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return `node --input-type=module -e ${quote(code)} ${args.map(quote).join(' ')}`;
}
