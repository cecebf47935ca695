import { UserError, type ExitCodeValue } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { InitOptions } from './index.js';

export async function initCommand(_ctx: CommandContext, _opts: InitOptions): Promise<ExitCodeValue> {
  throw new UserError('not built yet');
}
