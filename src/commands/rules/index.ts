import type { Command } from 'commander';
import type { WithContext } from '../context.js';
import type { RulesTestOptions } from './rules-test.js';

export function registerRules(program: Command, withContext: WithContext): void {
  const rules = program.command('rules').description('routing rules (config `routing`): try them on a review');
  rules
    .command('test')
    .description('which routing rules fire for a review, and the group, priority, staff, labels and draft it gets')
    .option('--review <key>', 'a stored review (store:appId:reviewId); without it a JSON review is read from stdin')
    .addHelpText(
      'after',
      '\nExample: echo \'{"app":"ios","rating":1,"text":"Crashes on start"}\' | asodesk-omni rules test',
    )
    .action(
      withContext(async (ctx, opts: RulesTestOptions) => {
        const { rulesTestCommand } = await import('./rules-test.js');
        return rulesTestCommand(ctx, opts);
      }),
    );
}
