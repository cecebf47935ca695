import { describe, expect, it } from 'vitest';
import { defaultMaxConnections } from '../../../src/server/hook-server.js';
import { isBusy, retryBusy, StateBusyError } from '../../../src/state/retry-busy.js';

const limits = (soft: string): string =>
  `Limit                     Soft Limit           Hard Limit           Units\nMax processes             63431                63431                processes\nMax open files            ${soft}                20000                files\n`;

describe('defaultMaxConnections', () => {
  it('stays below the soft descriptor limit, at most 4096', () => {
    expect(defaultMaxConnections(limits('1024'))).toBe(896);
    expect(defaultMaxConnections(limits('20000'))).toBe(4096);
    expect(defaultMaxConnections(limits('100'))).toBe(16);
    expect(defaultMaxConnections(limits('unlimited'))).toBe(4096);
    expect(defaultMaxConnections('no such line')).toBe(1000);
  });
});

describe('retryBusy (fake clock)', () => {
  const busy = (): Error => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

  function clock(): { now: () => number; sleep: (ms: number) => Promise<void>; pauses: number[] } {
    let t = 0;
    const pauses: number[] = [];
    return { now: () => t, sleep: async (ms) => void (pauses.push(ms), (t += ms)), pauses };
  }

  it('retries a busy step with growing pauses until it succeeds, telling once', async () => {
    const c = clock();
    let calls = 0;
    let told = 0;
    const result = await retryBusy(
      () => {
        calls += 1;
        if (calls < 5) throw busy();
        return 'done';
      },
      { deadlineMs: 10_000, now: c.now, sleep: c.sleep, onBusy: () => (told += 1) },
    );
    expect(result).toBe('done');
    expect(c.pauses).toEqual([10, 20, 40, 80]);
    expect(told).toBe(1);
  });

  it('gives up at the deadline with StateBusyError; other errors pass through at once', async () => {
    const c = clock();
    const err = await retryBusy(
      () => {
        throw busy();
      },
      { deadlineMs: 1_000, now: c.now, sleep: c.sleep },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateBusyError);
    expect(isBusy(err)).toBe(true);
    expect(c.pauses.reduce((a, b) => a + b, 0)).toBe(1_000);
    expect(Math.max(...c.pauses)).toBeLessThanOrEqual(250);
    const other = new Error('disk I/O error');
    await expect(
      retryBusy(
        () => {
          throw other;
        },
        { deadlineMs: 1_000, now: c.now, sleep: c.sleep },
      ),
    ).rejects.toBe(other);
    expect(isBusy(Object.assign(new Error('x'), { code: 'SQLITE_BUSY_SNAPSHOT' }))).toBe(true);
    expect(isBusy(Object.assign(new Error('x'), { code: 'SQLITE_IOERR' }))).toBe(false);
  });
});
