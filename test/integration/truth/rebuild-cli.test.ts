/** `asodesk-omni state rebuild` end to end (in this process, through the CLI's main). */
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { ChaosWorld, testDir } from '../../chaos/chaos-world.js';
import { omnideskWrites, syncWith } from './helpers.js';

async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => (
    out.push(String(chunk)),
    true
  )) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return { code: await main([process.execPath, 'asodesk-omni', ...args]), stdout: out.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = err;
  }
}

describe('state rebuild', () => {
  it('reads the cases back, creates none, and the next sync goes on from there', async () => {
    const dir = testDir();
    const chaos = await ChaosWorld.start({ dir, seed: 21, omnidesk: { requestsPerMinute: 1_000_000 } });
    const { world } = chaos;
    try {
      chaos.seed(3);
      await syncWith(world, world.dbPath);
      for (const f of [world.dbPath, `${world.dbPath}-wal`, `${world.dbPath}-shm`]) rmSync(f, { force: true });
      const writes = omnideskWrites(world);
      const { code, stdout } = await cli(['state', 'rebuild', '--json', '-c', world.configPath, '--db', world.dbPath]);
      expect(code).toBe(0);
      const report = JSON.parse(stdout) as {
        casesIndexed: number;
        sync: { outcome: string; apps: { created: number; reconciled: number }[] };
      };
      expect(report.casesIndexed).toBe(9);
      expect(report.sync.outcome).toBe('ok');
      expect(report.sync.apps.reduce((n, a) => n + a.created, 0)).toBe(0);
      expect(report.sync.apps.reduce((n, a) => n + a.reconciled, 0)).toBe(9);
      expect(omnideskWrites(world)).toBe(writes);
      chaos.churn(2, { newReviews: true });
      await syncWith(world, world.dbPath);
      chaos.expectConverged();
    } finally {
      await world.stop();
    }
  }, 60_000);
});
