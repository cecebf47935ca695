/**
 * Runs the built CLI under a real pseudo-terminal (python3's pty module, driven by
 * pty-driver.py; no node-pty here): each step waits for its text on the screen before typing.
 * Asynchronous, so emulators in the test process keep answering. Call `ensureBuilt()` first.
 */
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const bin = resolve(import.meta.dirname, '../../bin/asodesk-omni.js');
const driver = resolve(import.meta.dirname, 'pty-driver.py');

export const keys = { enter: '\r', down: '\x1b[B', up: '\x1b[A', space: ' ', ctrlC: '\x03' } as const;

export interface PtyStep {
  /** Text to wait for on the screen, after the previous match (ANSI escapes stripped). */
  expect: string;
  /** Keys to type once it shows. */
  send?: string;
}

export interface PtyResult {
  exitCode: number;
  /** The screen output, escapes stripped. */
  output: string;
  /** Why the driver stopped early (a text that never came), or null. */
  error: string | null;
}

export function hasPython(): boolean {
  try {
    execFileSync('python3', ['-c', 'import pty, termios, fcntl'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function runInPty(
  args: readonly string[],
  steps: readonly PtyStep[],
  opts: { dir: string; env?: Record<string, string>; timeoutSec?: number },
): Promise<PtyResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('ASODESK_OMNI_') && k !== 'NO_COLOR' && k !== 'FORCE_COLOR') env[k] = v;
  const childEnv = { ...env, LANG: 'C.UTF-8', LC_ALL: '', ...opts.env };
  const script = join(opts.dir, 'pty-script.json');
  writeFileSync(
    script,
    JSON.stringify({
      argv: [process.execPath, bin, ...args],
      env: childEnv,
      cwd: opts.dir,
      timeout: opts.timeoutSec ?? 15,
      steps,
    }),
  );
  return new Promise((done, fail) => {
    // The driver's own env is the clean one too: it passes it on to the program.
    execFile(
      'python3',
      [driver, script],
      { env: childEnv, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err) return fail(new Error(`pty driver failed: ${err.message}\n${stderr}`));
        done(JSON.parse(stdout) as PtyResult);
      },
    );
  });
}
