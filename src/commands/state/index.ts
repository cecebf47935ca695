import type { Command } from 'commander';
import type { WithContext } from '../context.js';
import type { MigrateCommandOptions } from './migrate.js';

export function registerState(program: Command, withContext: WithContext): void {
  const state = program
    .command('state')
    .description('the state (SQLite file or PostgreSQL): a cache of what Omnidesk and the stores know');
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
  state
    .command('migrate')
    .description('copy the SQLite state file (--db) into an empty PostgreSQL database, row counts verified')
    .requiredOption('--to <url>', 'the PostgreSQL state: postgres://user:password@host:5432/database')
    .addHelpText(
      'after',
      `
Stop the sync timer and serve-hook first; start them again with ASODESK_OMNI_STATE_URL (or state.url)
set to the same URL. The SQLite file is kept as it is: a backup. The URL is never printed unmasked.

Exit codes:
    0  copied, every table's row count verified
    2  --to is not a postgres:// URL; no SQLite file at --db; --state points at another
       PostgreSQL state; or the target is not empty (nothing is copied into existing data)
   74  the SQLite file or the PostgreSQL server cannot be used (the message names which, masked)
   75  a sync or import holds the run lock of the SQLite state (the message names its pid and host)`,
    )
    .action(
      withContext(async (ctx, opts: MigrateCommandOptions) => {
        const { migrateCommand } = await import('./migrate.js');
        return migrateCommand(ctx, opts);
      }),
    );
}
