/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, that any CI log reader
 * understands, after vitest's own summary. Whatever makes vitest exit non-zero (a failed
 * test, a file that did not load, an unhandled error between tests) counts as failed.
 */
import type { SerializedError } from 'vitest';
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';
import { leftInTempDir } from './temp-guard.js';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A file that failed to load has no tests but is a failure all the same.
      if (m.state() === 'failed' && [...m.children.allTests()].length === 0) failed++;
    }
    failed += unhandledErrors.length;
    if (reason !== 'passed' && failed === 0) failed = 1;
    // test/temp-guard.ts fails the run when tests leave temp entries: count that here too.
    const left = leftInTempDir() ?? [];
    if (left.length > 0) failed++;
    const note = left.length > 0 ? ` (temp folder: ${left.length} entries left by the tests)` : '';
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped${note}\n`);
  }
}
