/** Run reports are pruned by age, but the last run of each command and its last successful one stay. */
import { describe, expect, it } from 'vitest';
import { Runs } from '../../../src/state/runs.js';
import { backends } from '../../helpers/backends.js';

describe.each(backends)('run reports on %s', (_backend, open) => {
  it('older runs go; the last run and the last successful run of each command stay', async () => {
    const db = await open();
    const add = async (command: string, day: number, outcome: string): Promise<void> => {
      const at = `2026-11-${String(day).padStart(2, '0')}T12:00:00.000Z`;
      await db.run('INSERT INTO runs (command, started_at, finished_at, outcome, report_json) VALUES (?, ?, ?, ?, ?)', [
        command,
        at,
        at,
        outcome,
        JSON.stringify({ day }),
      ]);
    };
    await add('sync', 1, 'ok');
    await add('sync', 2, 'ok'); // the last successful sync: kept although old
    await add('sync', 3, 'failed');
    await add('sync', 4, 'failed'); // the last sync: kept
    await add('import', 1, 'partial'); // the only import: kept
    await add('import', 2, 'partial');
    const runs = new Runs(db);
    expect(await runs.prune('2026-11-10T00:00:00.000Z')).toBe(3);
    const left = await db.all<{ command: string; started_at: string }>(
      'SELECT command, started_at FROM runs ORDER BY command, started_at',
    );
    expect(left.map((r) => `${r.command} ${r.started_at.slice(8, 10)}`)).toEqual(['import 02', 'sync 02', 'sync 04']);
    // Recent runs are all kept.
    await add('sync', 20, 'ok');
    await add('sync', 21, 'ok');
    expect(await runs.prune('2026-11-10T00:00:00.000Z')).toBe(2);
    expect(await db.value<number>('SELECT COUNT(*) FROM runs')).toBe(3);
  });
});
