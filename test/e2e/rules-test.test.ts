/**
 * `asodesk-omni rules test`: the built binary on a JSON review from stdin and on a stored
 * review (after a sync), as a table and as `--json`; bad input is a usage error (exit 2).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RulesTestResult } from '../../src/engine/rules-test.js';
import { worldApps, type World } from '../../src/emulators/world.js';
import { ensureBuilt, runCli } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';
import { syncOnce, testWorld } from '../helpers/world.js';

let world: World;

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);

afterEach(async () => {
  await world.stop();
});

async function rulesWorld(): Promise<World> {
  world = await testWorld({ dir: tempDir() });
  world.config.routing = [
    {
      name: 'crash',
      when: { ratings: [1, 2], match: ['crash', '/вылета\\p{L}*/'] },
      then: { groupId: 2, priority: 'high', labels: ['urgent'] },
    },
    { name: 'worse', when: { ratingChange: { direction: 'down', atLeast: 2 } }, then: { priority: 'critical' } },
    { name: 'low', when: { ratings: [1] }, then: { staffId: 1 } },
  ];
  world.config.drafts = { templates: [{ rule: 'crash', text: 'Sorry {{author}}, a fix for {{version}} is coming.' }] };
  world.saveConfig();
  return world;
}

describe('asodesk-omni rules test', () => {
  it('a JSON review on stdin: which rules fire, first match wins, the case fields and the draft', async () => {
    await rulesWorld();
    const review = { app: 'android', rating: 1, text: 'It crash on start', author: 'Ann', appVersion: '3.1' };
    const table = await runCli(['rules', 'test', '-c', world.configPath], { input: JSON.stringify(review) });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('#0 crash: ✓ decides');
    expect(table.stdout).toContain('#1 worse: ✗ no rating change: the review is new');
    expect(table.stdout).toContain('#2 low: ✓ (matches, but an earlier rule decides)');
    expect(table.stdout).toMatch(/group\s+2\npriority\s+high\nstaff\s+\(unassigned\)\nlabels\s+urgent/);
    expect(table.stdout).toContain('Sorry Ann, a fix for 3.1 is coming.');

    const json = await runCli(['rules', 'test', '--json', '-c', world.configPath], {
      input: JSON.stringify({ ...review, text: 'Стало хуже', rating: 2, previousRating: 5 }),
    });
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as RulesTestResult;
    expect(result).toMatchObject({
      decidedBy: 'worse',
      groupId: null,
      priority: 'critical',
      staffId: null,
      labels: [],
      draft: null,
      review: { app: 'android', rating: 2, previousRating: 5, kind: 'edit' },
    });
    expect(result.rules.map((r) => r.matched)).toEqual([false, true, false]);
  });

  it('a stored review by its key', async () => {
    await rulesWorld();
    world.appStore.addReview(worldApps.ios.appId, {
      rating: 1,
      title: 'Плохо',
      body: 'Постоянно вылетает',
      reviewerNickname: 'ivan',
      territory: 'RUS',
    });
    await syncOnce(world);
    const key = world.omnidesk.cases()[0]!.userCustomId!;
    const r = await runCli(['rules', 'test', '--json', '--review', key, '-c', world.configPath, '--db', world.dbPath]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ decidedBy: 'crash', groupId: 2, review: { key, kind: 'new' } });

    const missing = await runCli([
      'rules',
      'test',
      '--review',
      'app-store:1:nope',
      '-c',
      world.configPath,
      '--db',
      world.dbPath,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No review app-store:1:nope in the state file');
  });

  it('bad input names the field and exits 2', async () => {
    await rulesWorld();
    const bad = await runCli(['rules', 'test', '-c', world.configPath], { input: '{"app":"android","rating":9}' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('field "rating"');
    const unknownApp = await runCli(['rules', 'test', '-c', world.configPath], { input: '{"app":"web","rating":1}' });
    expect(unknownApp.code).toBe(2);
    expect(unknownApp.stderr).toContain('No app "web" in the config');
  });
});

describe('config check --online with routing rules', () => {
  it('checks every group and staff id against the Omnidesk account: unknown ones are exit 3, named', async () => {
    await rulesWorld();
    const ok = await runCli(['config', 'check', '--online', '-c', world.configPath]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('✓ Omnidesk routing: 3 rule(s): every group and staff id exists');

    world.config.routing = [
      { name: 'a', then: { groupId: 2 } },
      { name: 'b', then: { groupId: 99, staffId: 1 } },
      { name: 'c', then: { staffId: 404 } },
    ];
    world.config.drafts = { templates: [] };
    world.saveConfig();
    const bad = await runCli(['config', 'check', '--online', '-c', world.configPath]);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toContain('routing.1.then.groupId: no active group 99 (groups: 1 Support, 2 Escalations)');
    expect(bad.stdout).toContain('routing.2.then.staffId: no active staff member 404');
  });
});
