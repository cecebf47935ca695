import type { Command } from 'commander';
import type { WithContext } from '../context.js';
import type { SyncOptions } from './sync.js';

export function registerSync(program: Command, withContext: WithContext): void {
  program
    .command('sync')
    .description('pull new and edited reviews, create or update Omnidesk cases, flush pending replies')
    .option('--dry-run', 'show what would be sent; send nothing, change nothing')
    .option('--app <id...>', 'only these apps (their `id` in the config)')
    .option('--poll-replies', 'also look for new agent replies in Omnidesk (when no webhook can reach serve-hook)')
    .option('--full', 'read every review the stores offer instead of stopping at known ones')
    .option(
      '--metrics-file <path>',
      "write the run's figures for node_exporter's textfile collector (Prometheus format)",
    )
    .addHelpText('after', '\nCron: */5 * * * * asodesk-omni sync --quiet')
    .action(
      withContext(async (ctx, opts: SyncOptions) => {
        const { syncCommand } = await import('./sync.js');
        return syncCommand(ctx, opts);
      }),
    );
}
