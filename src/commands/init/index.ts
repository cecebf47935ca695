import type { Command } from 'commander';
import type { WithContext } from '../context.js';
import type { InitOptions } from './options.js';

const nonInteractiveHelp = `
Non-interactive (CI, provisioning): settings come from the flags below, the --from file
(same shape as the config file) and the ASODESK_OMNI_* environment variables (secrets:
ASODESK_OMNI_OMNIDESK_API_KEY, ASODESK_OMNI_APPSTORE_*, ASODESK_OMNI_GOOGLE_*, ASODESK_OMNI_RUSTORE_*;
see .env.example). Every missing setting is named at once (exit 4); nothing is written then.
  $ ASODESK_OMNI_OMNIDESK_API_KEY=… asodesk-omni init --non-interactive \\
      --subdomain company --email admin@company.com --channel cch12 \\
      --public-url https://hooks.company.com --app app-store:1234567890 --app google-play:com.company.app`;

export function registerInit(program: Command, withContext: WithContext): void {
  program
    .command('init')
    .description('connect Omnidesk, apps, filters and store keys step by step (run again to edit)')
    .option('--lang <lang>', 'language of the wizard: en or ru (default from LANG)')
    .option('--non-interactive', 'take everything from flags, env vars or --from; exit 4 naming what is missing')
    .option('--from <file>', 'JSON file with the settings (same shape as the config file)')
    .option('--offline', 'with --non-interactive: write the config without checking it against Omnidesk and the stores')
    .option('--subdomain <name>', 'Omnidesk account: company, company.omnidesk.ru or its URL')
    .option('--email <email>', "Omnidesk main admin's e-mail (the API key's staff account)")
    .option('--channel <id>', 'Omnidesk custom channel id, e.g. cch12')
    .option('--public-url <url>', 'public base URL of serve-hook (the webhook URL is made from it)')
    .option('--app <store:id...>', 'an app: app-store:<numeric id>, google-play:<package>, rustore:<package> (repeatable)')
    .addHelpText('after', nonInteractiveHelp)
    .action(
      withContext(async (ctx, opts: InitOptions) => {
        const { initCommand } = await import('./init.js');
        return initCommand(ctx, opts);
      }),
    );
}
