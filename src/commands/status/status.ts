import { UserError, type ExitCodeValue } from '../../errors.js';
import type { CommandContext } from '../context.js';

export async function statusCommand(_ctx: CommandContext): Promise<ExitCodeValue> {
  throw new UserError('not built yet');
}
