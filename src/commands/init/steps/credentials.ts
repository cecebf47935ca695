/**
 * Step 5: store credentials, each checked live (connector.ping()). Key files are kept by path;
 * a RuStore key is kept inline only when pasted. Skipping is fine: reviews still flow from the
 * public pages, replies wait for the credentials.
 */
import { readFileSync } from 'node:fs';
import { envOverrides } from '../../../config/load.js';
import { storeIds, type StoreId } from '../../../domain/review.js';
import { UserError } from '../../../errors.js';
import { registerSecret } from '../../../log.js';
import { absolutePath, setCredentials, storeKeyOf, type CredentialAnswers } from '../questions.js';
import type { Wizard } from '../wizard.js';

type State = 'set' | 'missing' | 'env';

export async function credentialsStep(w: Wizard): Promise<void> {
  w.say(w.t.credentials.intro);
  const used = new Set((w.draft.apps ?? []).map((a) => a.store));
  for (const store of storeIds.filter((s) => used.size === 0 || used.has(s))) await storeCredentials(w, store);
}

function envNames(store: StoreId): string[] {
  return envOverrides.filter(([, path]) => path[0] === 'stores' && path[1] === storeKeyOf[store]).map(([name]) => name);
}

function stateOf(w: Wizard, store: StoreId): State {
  if (envNames(store).some((n) => w.env[n])) return 'env';
  const s: Record<string, unknown> = { ...(w.draft.stores?.[storeKeyOf[store]] ?? {}) };
  const fields =
    store === 'google-play'
      ? ['serviceAccountJson', 'serviceAccountPath']
      : ['keyId', 'privateKey', 'privateKeyPath', 'issuerId'];
  return fields.some((f) => s[f] !== undefined) ? 'set' : 'missing';
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

/** Pings the store with the draft's credentials; for Google Play also tries each app (Play Console access). */
async function check(w: Wizard, store: StoreId): Promise<boolean> {
  const t = w.t.credentials;
  w.say(w.t.checking);
  try {
    const connector = w.storeConnector(store);
    if (!connector) throw new UserError('no credentials');
    await w.busy(() => connector.ping());
    w.say(t.accepted(store));
    w.record(`credentials:${store}`, true);
    if (store === 'google-play' && 'checkApp' in connector && typeof connector.checkApp === 'function') {
      for (const app of (w.draft.apps ?? []).filter((a) => a.store === 'google-play')) {
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

async function askCredentials(w: Wizard, store: StoreId): Promise<CredentialAnswers> {
  const t = w.t.credentials;
  const cur: Record<string, unknown> = { ...(w.draft.stores?.[storeKeyOf[store]] ?? {}) };
  const str = (k: string): string | undefined => (typeof cur[k] === 'string' ? cur[k] : undefined);
  const required = (v: string): true | string => (v.trim() !== '' ? true : t.required);
  const path = (v: string): string => absolutePath(v, process.cwd(), w.env.HOME);
  const fileCheck = (extra: (text: string) => boolean, message: string) => (v: string) => {
    if (v.trim() === '') return t.required;
    const text = readable(path(v));
    if (text === undefined) return t.fileMissing(path(v));
    return extra(text) ? true : message;
  };

  if (store === 'app-store') {
    const issuerId = (
      await w.prompt.input({ message: t.issuerId, default: str('issuerId'), validate: required })
    ).trim();
    const keyId = (await w.prompt.input({ message: t.keyId, default: str('keyId'), validate: required })).trim();
    const p8 = await w.prompt.input({
      message: t.p8Path,
      default: str('privateKeyPath'),
      validate: fileCheck((s) => s.includes('PRIVATE KEY'), t.notP8),
    });
    return { store, issuerId, keyId, privateKeyPath: path(p8) };
  }
  if (store === 'google-play') {
    const isAccount = (s: string): boolean => {
      try {
        const j = JSON.parse(s) as Record<string, unknown>;
        return typeof j.client_email === 'string' && typeof j.private_key === 'string';
      } catch {
        return false;
      }
    };
    const json = await w.prompt.input({
      message: t.jsonPath,
      default: str('serviceAccountPath'),
      validate: fileCheck(isAccount, t.notServiceAccount),
    });
    return { store, serviceAccountPath: path(json) };
  }
  const keyId = (await w.prompt.input({ message: t.ruKeyId, default: str('keyId'), validate: required })).trim();
  const source = await w.prompt.select({
    message: t.ruKeySource,
    choices: [
      { name: t.ruKeyFile, value: 'file' as const },
      { name: t.ruKeyPaste, value: 'paste' as const },
    ],
    default: str('privateKey') ? 'paste' : 'file',
  });
  if (source === 'file') {
    const file = await w.prompt.input({
      message: t.ruKeyPath,
      default: str('privateKeyPath'),
      validate: fileCheck((s) => s.trim().length > 0, t.required),
    });
    return { store, keyId, privateKeyPath: path(file) };
  }
  const pasted = (await w.prompt.password({ message: t.ruKeyPasted, validate: required })).trim();
  registerSecret(pasted);
  return { store, keyId, privateKey: pasted };
}
