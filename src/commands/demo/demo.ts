import { UserError, type ExitCodeValue } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { DemoOptions } from './index.js';

export async function demoCommand(_ctx: CommandContext, _opts: DemoOptions): Promise<ExitCodeValue> {
  throw new UserError('not built yet');
}
