import { UserError, type ExitCodeValue } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { SyncOptions } from './index.js';

export async function syncCommand(_ctx: CommandContext, _opts: SyncOptions): Promise<ExitCodeValue> {
  throw new UserError('not built yet');
}
