import { Option, type Command } from 'commander';
import type { ReportGrouping } from '../../engine/reply-report.js';
import type { WithContext } from '../context.js';
import type { ReportOptions } from './report.js';

// Spelled out here: `--help` loads no engine module.
const groupings = ['app', 'store', 'agent', 'week'] as const satisfies readonly ReportGrouping[];

export function registerReport(program: Command, withContext: WithContext): void {
  program
    .command('report')
    .description(
      'reviews in, answered, time to answer and to publication, publication outcomes, rating changes after answers',
    )
    .option('--since <date>', 'reviews that came in since: YYYY-MM-DD, an ISO time, or a number of days (30d)')
    .option('--app <id...>', 'only these apps (their `id` in the config)')
    .addOption(new Option('--by <group>', 'one row per app, store, agent or week').choices(groupings).default('app'))
    .option('--csv', 'CSV on stdout (one row per group and a total row); --json gives the same as one object')
    .addHelpText('after', '\nExample: asodesk-omni report --since 30d --by agent')
    .action(
      withContext(async (ctx, opts: ReportOptions) => {
        const { reportCommand } = await import('./report.js');
        return reportCommand(ctx, opts);
      }),
    );
}
