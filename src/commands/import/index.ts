import type { Command } from 'commander';
import type { WithContext } from '../context.js';
import type { ImportOptions } from './import.js';

export function registerImport(program: Command, withContext: WithContext): void {
  program
    .command('import')
    .description("deliver reviews from the stores' console exports (CSV), past the APIs' windows")
    .argument('<file...>', 'review export files of one app, as the store console wrote them')
    .requiredOption('--app <id>', 'the app the files belong to (its `id` in the config)')
    .addHelpText(
      'after',
      '\nThe same filters, backlog and review keys as sync: a later sync continues the same cases,\na second import of the same file adds nothing. Formats: docs/import.md',
    )
    .action(
      withContext(async (ctx, files: string[], opts: ImportOptions) => {
        const { importCommand } = await import('./import.js');
        return importCommand(ctx, files, opts);
      }),
    );
}
