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
      --public-url https://hooks.company.com --app app-store:1234567890 --app google-play:com.company.app

The --…-url flags also work with the wizard: they become its defaults (try it against
\`asodesk-omni demo --keep\`, which prints the whole command).`;

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
    .option(
      '--app <store:id...>',
      'an app: app-store:<numeric id>, google-play:<package>, rustore:<package> (repeatable; store URLs work too)',
    )
    .option('--app-store-issuer-id <id>', 'App Store Connect API: issuer id')
    .option('--app-store-key-id <id>', 'App Store Connect API: key id')
    .option('--app-store-key <path>', 'App Store Connect API: the .p8 key file')
    .option('--google-play-key <path>', 'Google Play: the service-account JSON key file')
    .option('--rustore-key-id <id>', 'RuStore API: key id')
    .option('--rustore-key <path>', 'RuStore API: the private key file')
    .option(
      '--omnidesk-url <url>',
      'advanced: Omnidesk base URL (proxy, emulator; default https://<subdomain>.omnidesk.ru)',
    )
    .option('--app-store-url <url>', 'advanced: App Store Connect API base URL')
    .option('--app-store-public-url <url>', 'advanced: App Store public feed base URL')
    .option('--google-play-url <url>', 'advanced: Google Play Developer API base URL')
    .option('--google-play-token-url <url>', "advanced: Google token endpoint (default: the key file's token_uri)")
    .option('--google-play-public-url <url>', 'advanced: Google Play web pages base URL')
    .option('--rustore-url <url>', 'advanced: RuStore API base URL')
    .option('--rustore-public-url <url>', 'advanced: RuStore public API base URL')
    .addHelpText('after', nonInteractiveHelp)
    .action(
      withContext(async (ctx, opts: InitOptions) => {
        const { initCommand } = await import('./init.js');
        return initCommand(ctx, opts);
      }),
    );
}
