import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '../../../src/log.js';

/** A logger that keeps its JSON lines for assertions instead of printing them. */
export function captureLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const logger = new Logger({ level: 'debug', format: 'json', sink: { write: (l) => out.push(l) } });
  return { logger, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** A clock that only moves when the code under test waits: pacing becomes exact and instant. */
export function fakeClock(start = Date.parse('2026-09-20T00:00:00Z')): {
  now: () => number;
  wait: (ms: number) => Promise<void>;
  waits: number[];
} {
  let t = start;
  const waits: number[] = [];
  return {
    now: () => t,
    wait: async (ms) => {
      waits.push(ms);
      t += ms;
    },
    waits,
  };
}

export function fixture(...parts: string[]): unknown {
  return JSON.parse(readFileSync(join(import.meta.dirname, '../../../fixtures/public', ...parts), 'utf8'));
}
