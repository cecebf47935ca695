/**
 * vitest globalSetup: the whole run gets its own temp folder (TMPDIR, inherited by the test
 * workers and by every CLI they spawn), and the run fails when anything is left in it at the
 * end, naming what. The machine's shared temp folder is never counted, so other runs on the
 * same machine cannot make this pass or fail.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runDirVar = 'ASODESK_TEST_RUN_TMPDIR';

/**
 * Entries allowed to stay until the end of the run (the run folder is removed then): tsx's
 * compile cache, made by the tests that start the CLI from source; SQLite's own transient
 * files (`etilqs_…`), which it unlinks right after opening: one survives only when a chaos test
 * SIGKILLs a process in that instant, which no code of ours can prevent.
 */
const allowed: readonly RegExp[] = [/^tsx-\d+$/, /^etilqs_/];

/** What the tests left in this run's temp folder (undefined when the guard is not set up). */
export function leftInTempDir(): string[] | undefined {
  const dir = process.env[runDirVar];
  if (!dir) return undefined;
  try {
    return readdirSync(dir)
      .filter((name) => !allowed.some((re) => re.test(name)))
      .sort();
  } catch {
    return undefined;
  }
}

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'asodesk-omni-test-run-'));
  process.env.TMPDIR = dir;
  process.env[runDirVar] = dir;
  return () => {
    const left = leftInTempDir() ?? [];
    rmSync(dir, { recursive: true, force: true });
    if (left.length === 0) return;
    process.stderr.write(
      `\ntemp-guard: FAILED: the tests left ${left.length} entries in the temp folder (each test must remove what it creates):\n  ${left.join('\n  ')}\n`,
    );
    process.exitCode = 1;
  };
}
