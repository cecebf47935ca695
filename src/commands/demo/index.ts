import type { Command } from 'commander';
import type { WithContext } from '../context.js';
import type { DemoOptions } from './demo.js';

export function registerDemo(program: Command, withContext: WithContext): void {
  program
    .command('demo')
    .description('run the whole loop on local emulators: reviews in, cases, an agent reply, published')
    .option('--keep', 'keep the emulators running afterwards (Ctrl-C to stop)')
    .option('--dir <path>', 'folder for the demo config and database (default: a temporary folder)')
    .action(
      withContext(async (ctx, opts: DemoOptions) => {
        const { demoCommand } = await import('./demo.js');
        return demoCommand(ctx, opts);
      }),
    );
}
