import type { Command } from 'commander';
import type { WithContext } from '../context.js';

export function registerConfig(program: Command, withContext: WithContext): void {
  const config = program.command('config').description('inspect and validate the configuration');
  config
    .command('check')
    .description('validate the config; name each bad field and how to fix it (exit 3 when invalid)')
    .option('--online', 'also check each credential against its live API')
    .action(
      withContext(async (ctx, opts: { online?: boolean }) => {
        const { configCheck } = await import('./config.js');
        return configCheck(ctx, { online: Boolean(opts.online) });
      }),
    );
  config
    .command('show')
    .description('print the effective config, secrets redacted')
    .action(
      withContext(async (ctx) => {
        const { configShow } = await import('./config.js');
        return configShow(ctx);
      }),
    );
  config
    .command('path')
    .description('print where the config and the state database are')
    .action(
      withContext(async (ctx) => {
        const { configPath } = await import('./config.js');
        return configPath(ctx);
      }),
    );
  config
    .command('schema')
    .description('print the JSON Schema of the config file')
    .action(
      withContext(async (ctx) => {
        const { configSchemaCmd } = await import('./config.js');
        return configSchemaCmd(ctx);
      }),
    );
}
