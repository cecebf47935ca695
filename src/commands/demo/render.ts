/** Terminal output of the demo: headings, indented blocks, a small table. Colour only on a TTY (chalk decides). */
import chalk from 'chalk';
import type { SyncReport } from '../../engine/report.js';

export interface Printer {
  line(text?: string): void;
  heading(n: number | string, text: string): void;
  block(text: string, indent?: number): void;
}

export function printer(out: (text: string) => void): Printer {
  return {
    line: (text = '') => out(text),
    heading: (n, text) => out(`\n${chalk.bold(`${typeof n === 'number' ? `${n}.` : n} ${text}`)}`),
    block: (text, indent = 3) => {
      const pad = ' '.repeat(indent);
      out(
        text
          .split('\n')
          .map((l) => (l === '' ? l : pad + l))
          .join('\n'),
      );
    },
  };
}

/** Cuts a line to `max` characters (code points, so emoji and CJK are never split). */
export function cut(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const fmt = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, widths[i]! - [...c].length))))
      .join('  ')
      .trimEnd();
  return [chalk.dim(fmt(header)), ...rows.map(fmt)].join('\n');
}

export function totals(report: SyncReport): { created: number; updated: number; fetched: number; failed: number } {
  const sum = (pick: (a: SyncReport['apps'][number]) => number): number => report.apps.reduce((n, a) => n + pick(a), 0);
  return {
    created: sum((a) => a.created),
    updated: sum((a) => a.updated),
    fetched: sum((a) => a.fetched),
    failed: sum((a) => a.failed),
  };
}

export const ok = (text: string): string => `${chalk.green('✓')} ${text}`;
export const bad = (text: string): string => `${chalk.red('✗')} ${text}`;
export const dim = (text: string): string => chalk.dim(text);
