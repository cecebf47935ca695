/**
 * The built CLI (`bin/asodesk-omni.js` → `dist/`) as a child process, for tests that kill it,
 * race two of them or read what a real run prints. `dist/` is rebuilt first when a source file
 * is newer than it (once per machine at a time: a lock folder keeps parallel workers from
 * building together), so `vitest run test/chaos` tests the current source, not an old build.
 */
import { execFileSync, spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const repoRoot = resolve(import.meta.dirname, '../..');
const bin = join(repoRoot, 'bin/asodesk-omni.js');
const distEntry = join(repoRoot, 'dist/cli.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  return existsSync(distEntry) && statSync(distEntry).mtimeMs >= newestMtime(join(repoRoot, 'src'));
}

/** Builds `dist/` when it is missing or older than `src/`. */
export async function ensureBuilt(): Promise<void> {
  if (isFresh()) return;
  const lock = join(tmpdir(), 'asodesk-omni-build.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another worker builds; a lock older than two minutes belongs to a dead one.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmdirSync(lock);
      if (Date.now() > deadline) throw new Error('timed out waiting for another build of dist/');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (isFresh()) return;
    try {
      execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
        cwd: repoRoot,
        stdio: 'pipe',
      });
    } catch (err) {
      // tsc emits despite type errors (others' work in progress); only a missing entry is fatal.
      if (!existsSync(distEntry)) throw err;
    }
  } finally {
    rmdirSync(lock);
  }
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

export interface CliProcess {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<CliResult>;
}

export interface CliOptions {
  /** Working folder (a `.env` there would be read); default the OS temp folder. */
  cwd?: string | undefined;
  /** Extra env vars; the ASODESK_OMNI_* of the test runner are never passed on. */
  env?: Record<string, string> | undefined;
  /** Written to the program's stdin, which is then closed (default: no stdin). */
  input?: string | undefined;
}

const running = new Set<ChildProcess>();

/** Starts `asodesk-omni <args>`; call `ensureBuilt()` once before. */
export function startCli(args: readonly string[], opts: CliOptions = {}): CliProcess {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('ASODESK_OMNI_')),
  );
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? tmpdir(),
    env: { ...env, NO_COLOR: '1', ...opts.env },
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
  if (opts.input !== undefined) child.stdin?.end(opts.input);
  running.add(child);
  const started = performance.now();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  const stdout = (): string => Buffer.concat(out).toString('utf8');
  const stderr = (): string => Buffer.concat(err).toString('utf8');
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    // `close` (not `exit`): every byte written to stdout/stderr has been read by then.
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout: stdout(), stderr: stderr(), ms: performance.now() - started });
    });
  });
  return { child, pid: child.pid!, stdout, stderr, exited };
}

export function runCli(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  return startCli(args, opts).exited;
}

/** SIGKILLs every child still running (for afterEach). */
export function killAllStarted(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  running.clear();
}
