/**
 * Temp folders for tests, always removed: when the test that made one ends, or (made in a
 * hook or at file level) when the test file ends (`removeTempDirs`, run by test/setup-temp.ts).
 * test/temp-guard.ts fails the run if anything is left in the temp folder anyway.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

const created = new Set<string>();

function remove(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  created.delete(dir);
}

/** A temp folder removed after the current test, or after the file when made outside a test. */
export function tempDir(prefix = 'asodesk-omni-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.add(dir);
  try {
    onTestFinished(() => remove(dir));
  } catch {
    // Not inside a test (beforeAll, describe): removeTempDirs takes it at the end of the file.
  }
  return dir;
}

/** Removes every folder made by tempDir in this test file that is still there. */
export function removeTempDirs(): void {
  for (const dir of [...created]) remove(dir);
}
