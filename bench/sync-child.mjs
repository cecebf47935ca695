// The built CLI (`dist/`) run as the benchmark's child: the same `main` that bin/ runs, plus,
// on the way out, this process's own CPU time and peak RSS written to BENCH_STATS_FILE.
// Plain JS on purpose: a TypeScript loader here would be measured along with the CLI.
import { writeFileSync } from 'node:fs';
import { main } from '../dist/cli.js';
import { commitCounts } from '../dist/state/sqlite-handle.js';

const started = performance.now();
const code = await main(process.argv);
const usage = process.resourceUsage();
if (process.env.BENCH_STATS_FILE) {
  writeFileSync(
    process.env.BENCH_STATS_FILE,
    JSON.stringify({
      code,
      mainMs: performance.now() - started,
      cpuUserMs: usage.userCPUTime / 1000,
      cpuSystemMs: usage.systemCPUTime / 1000,
      // maxRSS is in kilobytes (VmHWM).
      peakRssMb: usage.maxRSS / 1024,
      // SQLite commits that wrote something: disk-synced, and lazy (safe from a kill, not a power loss).
      syncedCommits: commitCounts.synced,
      lazyCommits: commitCounts.lazy,
    }),
  );
}
process.exit(code);
