import type { Command } from 'commander';
import type { WithContext } from '../context.js';

export function registerStatus(program: Command, withContext: WithContext): void {
  program
    .command('status')
    .description('per app: last sync, reviews seen, cases, replies pending or failed, warnings, quotas')
    .action(
      withContext(async (ctx) => {
        const { statusCommand } = await import('./status.js');
        return statusCommand(ctx);
      }),
    );
}
