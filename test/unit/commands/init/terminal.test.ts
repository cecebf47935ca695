/** Terminal behaviour without a terminal: the progress line's switches and the swallowed keys during checks. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isPromptExit, swallowKeys } from '../../../../src/commands/init/prompts.js';
import { progressEnabled, startProgress } from '../../../../src/commands/progress.js';

function fakeTty(): NodeJS.ReadStream & { rawCalls: boolean[] } {
  const s = new PassThrough() as unknown as NodeJS.ReadStream & { rawCalls: boolean[] };
  Object.assign(s, { isTTY: true, isRaw: false, rawCalls: [] as boolean[] });
  s.setRawMode = (mode: boolean) => {
    s.rawCalls.push(mode);
    Object.assign(s, { isRaw: mode });
    return s;
  };
  return s;
}

describe('progress and keys on a terminal', () => {
  it('progress only on a terminal, never with --quiet or --json', () => {
    expect(progressEnabled({ quiet: false, json: false }, { isTTY: true })).toBe(true);
    expect(progressEnabled({ quiet: true, json: false }, { isTTY: true })).toBe(false);
    expect(progressEnabled({ quiet: false, json: true }, { isTTY: true })).toBe(false);
    expect(progressEnabled({ quiet: false, json: false }, { isTTY: false })).toBe(false);
    const written: string[] = [];
    const stream = { isTTY: false, write: (t: string) => written.push(t) } as unknown as NodeJS.WriteStream;
    startProgress({ quiet: false, json: false }, 'Checking', stream).stop();
    expect(written).toEqual([]);
  });

  it('keys typed while a check runs are dropped; the terminal mode is restored', async () => {
    const tty = fakeTty();
    const result = await swallowKeys(async () => {
      tty.write('yes\r');
      await new Promise((r) => setImmediate(r));
      return 42;
    }, tty);
    expect(result).toBe(42);
    expect(tty.read()).toBeNull();
    expect(tty.rawCalls).toEqual([true, false]);
  });

  it('Ctrl-C during a check stops the wizard like Ctrl-C in a prompt', async () => {
    const tty = fakeTty();
    const err = await swallowKeys(
      () =>
        new Promise((r) => {
          tty.write('\x03');
          setTimeout(r, 10_000).unref();
        }),
      tty,
    ).catch((e: unknown) => e);
    expect(isPromptExit(err)).toBe(true);
  });
});
