/**
 * A one-line progress indicator on stderr, only on a terminal and never with `--quiet` or
 * `--json` (cron and scripts see nothing). Colour follows chalk (NO_COLOR, FORCE_COLOR).
 */
import chalk from 'chalk';
import type { CommandContext } from './context.js';

export interface Progress {
  update(text: string): void;
  stop(): void;
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function progressEnabled(
  ctx: Pick<CommandContext, 'quiet' | 'json'>,
  stream: { isTTY?: boolean } = process.stderr,
): boolean {
  return stream.isTTY === true && !ctx.quiet && !ctx.json;
}

export function startProgress(
  ctx: Pick<CommandContext, 'quiet' | 'json'>,
  text: string,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (!progressEnabled(ctx, stream)) return { update: () => {}, stop: () => {} };
  let current = text;
  let i = 0;
  const started = Date.now();
  const draw = (): void => {
    const secs = Math.floor((Date.now() - started) / 1000);
    stream.write(
      `\r\x1b[K${chalk.cyan(frames[i++ % frames.length]!)} ${current}…${secs >= 2 ? chalk.dim(` ${secs} s`) : ''}`,
    );
  };
  draw();
  const timer = setInterval(draw, 120);
  timer.unref();
  return {
    update: (t) => {
      current = t;
      draw();
    },
    stop: () => {
      clearInterval(timer);
      stream.write('\r\x1b[K');
    },
  };
}
