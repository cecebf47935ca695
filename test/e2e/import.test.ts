/**
 * `asodesk-omni import` as the binary runs it: the shipped sample delivered against the emulator
 * world (exit 0, the summary), and the exit code 2 with the missing column named.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../src/emulators/world.js';
import { ensureBuilt, repoRoot, runCli } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

let world: World | undefined;

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);

afterEach(async () => {
  await world?.stop();
  world = undefined;
});

describe('asodesk-omni import', () => {
  it('imports the sample export (exit 0) and refuses a file without a needed column (exit 2)', async () => {
    const dir = tempDir();
    world = await startWorld({ dir });
    const sample = join(repoRoot, 'fixtures/import/rustore-reviews-ru.acme.reviews.csv');
    const ok = await runCli(['import', sample, '--app', 'rustore', '--config', world.configPath]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('app rustore: 3 case(s) created, 0 updated, 0 known already, 0 failed');
    expect(world.omnidesk.cases()).toHaveLength(3);

    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'ID,Comment Last Update Date,Comment Text\n1,2026-07-01 10:00:00,Hi\n');
    const refused = await runCli(['import', bad, '--app', 'rustore', '--config', world.configPath]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error: bad.csv: the RuStore Console review export lacks the column "App Rating"');
    expect(refused.stderr).toContain('hint: Pass the file exactly as the console exported it');

    const usage = await runCli(['import', sample, '--config', world.configPath]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '--app <id>' not specified");
  });
});
