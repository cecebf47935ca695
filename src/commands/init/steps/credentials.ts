/**
 * Step 5: store credentials, as each store's connector asks them, each checked live
 * (connector.ping()). Key files are kept by path; a key is kept inline only when pasted.
 * Skipping is fine: reviews still flow from the public pages, replies wait for the credentials.
 */
import { readFileSync } from 'node:fs';
import { envOverrides } from '../../../config/load.js';
import type { CredentialPrompts } from '../../../connectors/stores/wizard-types.js';
import { allStoreWizards, storeWizard } from '../../../connectors/stores/wizards.js';
import type { StoreId } from '../../../domain/review.js';
import { UserError } from '../../../errors.js';
import { registerSecret } from '../../../log.js';
import { absolutePath, credentialFields, setCredentials, storeSection } from '../questions.js';
import type { Wizard } from '../wizard.js';

type State = 'set' | 'missing' | 'env';

export async function credentialsStep(w: Wizard): Promise<void> {
  w.say(w.t.credentials.intro);
  const used = new Set((w.draft.apps ?? []).map((a) => a.store));
  for (const { id } of allStoreWizards().filter((s) => used.size === 0 || used.has(s.id)))
    await storeCredentials(w, id);
}

function envNames(store: StoreId): string[] {
  const key = storeWizard(store).configKey;
  return envOverrides.filter(([, path]) => path[0] === 'stores' && path[1] === key).map(([name]) => name);
}

function stateOf(w: Wizard, store: StoreId): State {
  if (envNames(store).some((n) => w.env[n])) return 'env';
  const s = storeSection(w.draft, storeWizard(store).configKey);
  return credentialFields(store).some((f) => s[f] !== undefined) ? 'set' : 'missing';
}

async function storeCredentials(w: Wizard, store: StoreId): Promise<void> {
  const t = w.t.credentials;
  const state = stateOf(w, store);
  w.say(t.state(store, state));
  if (state === 'env') {
    // The variables win at run time: check them, write nothing.
    w.say(t.fromEnv(store));
    await check(w, store);
    return;
  }
  const choices =
    state === 'set'
      ? [
          { name: t.keep, value: 'keep' as const },
          { name: t.replace, value: 'ask' as const },
          { name: t.remove, value: 'remove' as const },
        ]
      : [
          { name: t.set, value: 'ask' as const },
          { name: t.skip, value: 'skip' as const },
        ];
  const action = await w.prompt.select({ message: t.action(store), choices });
  const before = w.draft;
  if (action === 'skip' || action === 'remove') {
    w.draft = setCredentials(w.draft, store, undefined);
    w.say(t.skipped(store));
    if (action === 'remove') w.saveAs(w.t.what.credentialsRemoved(store));
    return;
  }
  let ask = action === 'ask';
  for (;;) {
    if (ask) w.draft = setCredentials(w.draft, store, await askCredentials(w, store));
    if (await check(w, store)) break;
    const next = await w.prompt.select({
      message: t.whatNow,
      choices: [
        { name: t.retype, value: 'retype' as const },
        { name: t.keepUnchecked, value: 'keep' as const },
        { name: state === 'set' ? t.remove : t.skip, value: 'drop' as const },
      ],
    });
    if (next === 'keep') break;
    if (next === 'drop') {
      w.draft = state === 'set' ? setCredentials(w.draft, store, undefined) : before;
      w.checks.delete(`credentials:${store}`);
      w.say(t.skipped(store));
      if (state === 'set') w.saveAs(w.t.what.credentialsRemoved(store));
      return;
    }
    ask = true;
  }
  w.saveAs(w.t.what.credentials(store));
}

/** Pings the store with the draft's credentials; where the connector can read an app (`checkApp`), tries each (console access). */
async function check(w: Wizard, store: StoreId): Promise<boolean> {
  const t = w.t.credentials;
  w.say(w.t.checking);
  try {
    const connector = w.storeConnector(store);
    if (!connector) throw new UserError('no credentials');
    await w.busy(() => connector.ping());
    w.say(t.accepted(store));
    w.record(`credentials:${store}`, true);
    if ('checkApp' in connector && typeof connector.checkApp === 'function') {
      for (const app of (w.draft.apps ?? []).filter((a) => a.store === store)) {
        try {
          const checkApp = (connector.checkApp as (pkg: string) => Promise<void>).bind(connector);
          await w.busy(() => checkApp(app.appId));
        } catch (err) {
          w.say(t.playPermission(app.id, w.t.failure(err)));
        }
      }
    }
    return true;
  } catch (err) {
    w.say(t.refused(store, w.t.failure(err)));
    w.record(`credentials:${store}`, false);
    return false;
  }
}

function readable(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function askCredentials(w: Wizard, store: StoreId): Promise<Record<string, string>> {
  const t = w.t.credentials;
  const path = (v: string): string => absolutePath(v, process.cwd(), w.env.HOME);
  const required = (v: string): true | string => (v.trim() !== '' ? true : t.required);
  const prompts: CredentialPrompts = {
    text: async (message, current) => (await w.prompt.input({ message, default: current, validate: required })).trim(),
    file: async (message, current, looksRight, wrong) =>
      path(
        await w.prompt.input({
          message,
          default: current,
          validate: (v) => {
            if (v.trim() === '') return t.required;
            const text = readable(path(v));
            if (text === undefined) return t.fileMissing(path(v));
            return looksRight(text) ? true : wrong;
          },
        }),
      ),
    secret: async (message) => {
      const pasted = (await w.prompt.password({ message, validate: required })).trim();
      registerSecret(pasted);
      return pasted;
    },
    choose: (message, choices, dflt) => w.prompt.select({ message, choices: [...choices], default: dflt }),
  };
  return storeWizard(store).askCredentials(prompts, storeSection(w.draft, storeWizard(store).configKey), w.lang);
}
