/**
 * `asodesk-omni report`: the built binary on a seeded state file (test/helpers/report-seed.ts)
 * as a table, `--json` and `--csv`; agents named from the Omnidesk emulator's staff list (an
 * id it does not have is shown as the id); bad flags are usage errors (exit 2) that say why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplyReport } from '../../src/engine/reply-report.js';
import type { World } from '../../src/emulators/world.js';
import { ensureBuilt, runCli } from '../helpers/spawn.js';
import { seedReportHistory } from '../helpers/report-seed.js';
import { tempDir } from '../helpers/temp.js';
import { testWorld } from '../helpers/world.js';

let world: World;
let args: string[];

beforeAll(async () => {
  await ensureBuilt();
  world = await testWorld({ dir: tempDir() });
  await (await seedReportHistory(world.dbPath)).close();
  args = ['report', '-c', world.configPath, '--db', world.dbPath];
}, 120_000);

afterAll(async () => {
  await world.stop();
});

describe('asodesk-omni report', () => {
  it('a table by app by default, with a total row', async () => {
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Replies report \(all time\)/);
    expect(r.stdout).toMatch(/Acme iOS\s+3\s+2\s+3\.0 h\s+4\.5 h\s+2\s+0\s+1\s+1 \(50%\)\s+\+3\.0/);
    expect(r.stdout).toMatch(/Acme Android\s+3\s+2\s+1\.0 h\s+2\.0 h\s+1\s+1\s+0\s+1 \(100%\)\s+-2\.0/);
    expect(r.stdout).toMatch(/total\s+6\s+4\s+1\.5 h\s+3\.0 h\s+3\s+1\s+1\s+2 \(67%\)\s+\+0\.5/);
  });

  it('--by agent --json: names from Omnidesk’s staff list, an unknown staff id as the id', async () => {
    const r = await runCli([...args, '--by', 'agent', '--json', '--since', '2026-03-01']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as ReplyReport;
    expect(report.rows.map((x) => [x.group, x.label, x.reviewsIn, x.answered])).toEqual([
      ['1', 'Anna Admin', 2, 2],
      ['7', 'staff 7', 1, 1],
      ['auto', 'automatic reply', 1, 1],
      ['none', '(not answered)', 1, 0],
    ]);
    expect(report).toMatchObject({ by: 'agent', since: '2026-03-01T00:00:00.000Z', apps: null });
    expect(report.total).toMatchObject({ reviewsIn: 5, medianFirstAnswerSeconds: 5400, meanRatingChange: 0.5 });
  });

  it('--csv --app --by week', async () => {
    const r = await runCli([...args, '--csv', '--app', 'android', '--by', 'week']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'group,label,reviewsIn,answered,medianFirstAnswerSeconds,medianPublicationSeconds,published,rejected,tooLong,withPublishedAnswer,ratingChanged,ratingUp,ratingDown,ratingChangedShare,meanRatingChange',
      '2026-W11,2026-W11,3,2,3600,7200,1,1,0,1,1,0,1,1,-2',
      'total,total,3,2,3600,7200,1,1,0,1,1,0,1,1,-2',
    ]);
  });

  it('Omnidesk not reachable: agents shown by id, a warning says why, exit 0', async () => {
    const dir = tempDir();
    const other = await testWorld({ dir });
    await (await seedReportHistory(other.dbPath)).close();
    await other.stop();
    const r = await runCli(['report', '-c', other.configPath, '--db', other.dbPath, '--by', 'agent']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('agents are shown by their Omnidesk staff id');
    expect(r.stdout).toMatch(/staff 1\s+2\s+2/);
  });

  it.each([
    [
      ['--by', 'month'],
      "option '--by <group>' argument 'month' is invalid. Allowed choices are app, store, agent, week.",
    ],
    [['--since', 'last week'], '--since "last week" is not a date.'],
    [['--app', 'nope'], 'Unknown app id(s): nope.'],
    [['--csv', '--json'], '--csv and --json cannot be used together.'],
    [['--since'], "option '--since <date>' argument missing"],
  ])('%j → exit 2 with a clear message', async (flags, message) => {
    const r = await runCli([...args, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });
});
