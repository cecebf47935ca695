import type { Command } from 'commander';
import type { StoreWizard } from '../../connectors/stores/wizard-types.js';
import type { WithContext } from '../context.js';
import type { InitOptions } from './options.js';

function nonInteractiveHelp(stores: readonly StoreWizard[] | undefined): string {
  // Only `help init` shows the help before the stores' flags are declared (see storeFlags below).
  if (!stores) return "\nThe stores' flags (--app, credentials, addresses) are listed by `asodesk-omni init --help`.";
  return `
Non-interactive (CI, provisioning): settings come from the flags below, the --from file
(same shape as the config file) and the ASODESK_OMNI_* environment variables (secrets:
ASODESK_OMNI_OMNIDESK_API_KEY, ${stores.map((s) => s.envPattern).join(', ')};
see .env.example). Every missing setting is named at once (exit 4); nothing is written then.
  $ ASODESK_OMNI_OMNIDESK_API_KEY=… asodesk-omni init --non-interactive \\
      --subdomain company --email admin@company.com --channel cch12 \\
      --public-url https://hooks.company.com \\
      ${stores.map((s) => `--app ${s.id}:${s.exampleAppId}`).join(' ')}

The --…-url flags also work with the wizard: they become its defaults (try it against
\`asodesk-omni demo --keep\`, which prints the whole command).`;
}

/** `--app` and each store's flags, as its connector's wizard module declares them: credentials, then (advanced) addresses. */
function declareStoreFlags(init: Command, stores: readonly StoreWizard[]): void {
  init.option(
    '--app <store:id...>',
    `an app: ${stores.map((s) => s.appFlagHint).join(', ')} (repeatable; store URLs work too)`,
  );
  for (const s of stores)
    for (const c of s.credentialFlags) init.option(`${c.flag} ${c.isPath ? '<path>' : '<id>'}`, c.help);
  init.option(
    '--omnidesk-url <url>',
    'advanced: Omnidesk base URL (proxy, emulator; default https://<subdomain>.omnidesk.ru or .deskie.io)',
  );
  for (const s of stores) for (const e of s.endpoints) init.option(`${e.flag} <url>`, `advanced: ${e.help}`);
}

export function registerInit(program: Command, withContext: WithContext): void {
  let stores: StoreWizard[] | undefined;
  const init = program
    .command('init')
    .description('connect Omnidesk, apps, filters and store keys step by step (run again to edit)')
    .option('--lang <lang>', 'language of the wizard: en or ru (default from LANG)')
    .option('--non-interactive', 'take everything from flags, env vars or --from; exit 4 naming what is missing')
    .option('--from <file>', 'JSON file with the settings (same shape as the config file)')
    .option('--offline', 'with --non-interactive: write the config without checking it against Omnidesk and the stores')
    .option('--subdomain <name>', 'Omnidesk account: company, company.omnidesk.ru, company.deskie.io or its URL')
    .option('--email <email>', "Omnidesk main admin's e-mail (the API key's staff account)")
    .option('--channel <id>', 'Omnidesk custom channel id, e.g. cch12')
    .option('--public-url <url>', 'public base URL of serve-hook (the webhook URL is made from it)')
    .addHelpText('after', () => nonInteractiveHelp(stores))
    .action(
      withContext(async (ctx, opts: InitOptions) => {
        const { initCommand } = await import('./init.js');
        return initCommand(ctx, opts);
      }),
    );
  // The stores' wizard modules are loaded when a command is dispatched (`init`, `init --help`,
  // `completion`, which lists every flag), not for the program's own `--help` and `--version`:
  // start-up stays as fast as with no store flags.
  program.hook('preSubcommand', async () => {
    if (stores) return;
    stores = (await import('../../connectors/stores/wizards.js')).allStoreWizards();
    declareStoreFlags(init, stores);
  });
}
