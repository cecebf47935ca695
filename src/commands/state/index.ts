import type { Command } from 'commander';
import type { WithContext } from '../context.js';

export function registerState(program: Command, withContext: WithContext): void {
  const state = program
    .command('state')
    .description('the SQLite state file: a cache of what Omnidesk and the stores know');
  state
    .command('rebuild')
    .description(
      'rebuild the review → case map, answers and cursors from Omnidesk and the stores (after a restore or a move)',
    )
    .action(
      withContext(async (ctx) => {
        const { rebuildCommand } = await import('./rebuild.js');
        return rebuildCommand(ctx);
      }),
    );
}
