import type { Command } from 'commander';
import type { WithContext } from '../../cli.js';

export interface InitOptions {
  lang?: string;
  nonInteractive?: boolean;
  from?: string;
}

export function registerInit(program: Command, withContext: WithContext): void {
  program
    .command('init')
    .description('connect Omnidesk, apps, filters and store keys step by step (run again to edit)')
    .option('--lang <lang>', 'language of the wizard: en or ru (default from LANG)')
    .option('--non-interactive', 'take everything from flags, env vars or --from; exit 4 naming what is missing')
    .option('--from <file>', 'JSON file with the settings (same shape as the config file)')
    .action(
      withContext(async (ctx, opts: InitOptions) => {
        const { initCommand } = await import('./init.js');
        return initCommand(ctx, opts);
      }),
    );
}
