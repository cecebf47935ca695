/**
 * `asodesk-omni init`: the wizard on a terminal, or `--non-interactive` from flags, env vars
 * and `--from`. The work is in interactive.ts / non-interactive.ts and the steps.
 */
import { ExitCode, NeedsInputError, UserError, type ExitCodeValue } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { InitOptions } from './options.js';
import { interactiveInit } from './interactive.js';
import { messagesFor } from './messages.js';
import { nonInteractiveInit } from './non-interactive.js';
import { detectLang } from './questions.js';

export async function initCommand(ctx: CommandContext, opts: InitOptions): Promise<ExitCodeValue> {
  if (opts.lang !== undefined && opts.lang !== 'en' && opts.lang !== 'ru')
    throw new UserError(`--lang must be en or ru, not "${opts.lang}"`, ExitCode.usage);
  if (opts.nonInteractive) return nonInteractiveInit(ctx, opts);
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    const t = messagesFor(detectLang(opts.lang, ctx.env));
    throw new NeedsInputError(t.nonInteractive.noTerminal, t.nonInteractive.noTerminalHint);
  }
  return interactiveInit(ctx, opts);
}
