import type { Command } from 'commander';
import type { WithContext } from '../context.js';
import { ExitCode, UserError } from '../../errors.js';

export function registerCompletion(program: Command, withContext: WithContext): void {
  program
    .command('completion')
    .description('print a shell completion script: bash or zsh')
    .argument('<shell>', 'bash or zsh')
    .addHelpText(
      'after',
      '\nInstall:\n  bash: asodesk-omni completion bash > ~/.local/share/bash-completion/completions/asodesk-omni\n  zsh:  asodesk-omni completion zsh > "${fpath[1]}/_asodesk-omni"   (then restart the shell)',
    )
    .action(
      withContext(async (ctx, shell: string) => {
        if (shell !== 'bash' && shell !== 'zsh')
          throw new UserError(`completion: the shell must be bash or zsh, not "${shell}"`, ExitCode.usage);
        const { completionScript } = await import('./completion.js');
        ctx.out(completionScript(program, shell));
        return ExitCode.ok;
      }),
    );
}
