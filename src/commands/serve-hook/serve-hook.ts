import { UserError, type ExitCodeValue } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { ServeHookOptions } from './index.js';

export async function serveHookCommand(_ctx: CommandContext, _opts: ServeHookOptions): Promise<ExitCodeValue> {
  throw new UserError('not built yet');
}
