/**
 * Step 3: the apps. With store credentials the apps the key can see are offered (when the
 * store's API lists them); otherwise the id is typed, as the store's connector asks it.
 * Re-runs edit or remove.
 */
import type { StoreId } from '../../../domain/review.js';
import { allStoreWizards, storeWizard } from '../../../connectors/stores/wizards.js';
import {
  isValidAppId,
  localIdProblem,
  normaliseAppId,
  removeApp,
  suggestLocalId,
  upsertApp,
  type AppInput,
} from '../questions.js';
import { clearable } from './filters.js';
import type { Wizard } from '../wizard.js';

type Action = { kind: 'add' } | { kind: 'edit'; index: number } | { kind: 'remove'; index: number } | { kind: 'done' };

export async function appsStep(w: Wizard): Promise<void> {
  const t = w.t.apps;
  for (;;) {
    const apps = w.draft.apps ?? [];
    w.say(
      apps.length === 0
        ? t.none
        : `${t.current}\n${apps.map((a) => `  ${a.id}: ${storeWizard(a.store).name} ${a.appId}${a.name ? ` (${a.name})` : ''}${a.enabled === false ? ' [off]' : ''}`).join('\n')}`,
    );
    const action: Action =
      apps.length === 0
        ? await w.prompt.select<Action>({
            message: t.action,
            choices: [
              { name: t.add, value: { kind: 'add' } },
              { name: t.skip, value: { kind: 'done' } },
            ],
          })
        : await w.prompt.select<Action>({
            message: t.action,
            choices: [
              { name: t.done, value: { kind: 'done' } },
              { name: t.addAnother, value: { kind: 'add' } },
              ...apps.map((a, index) => ({ name: t.edit(a.id), value: { kind: 'edit' as const, index } })),
              ...apps.map((a, index) => ({ name: t.remove(a.id), value: { kind: 'remove' as const, index } })),
            ],
          });
    if (action.kind === 'done') {
      if (apps.length === 0) w.say(t.skipped);
      return;
    }
    if (action.kind === 'add') await addApp(w);
    if (action.kind === 'edit') await editApp(w, action.index);
    if (action.kind === 'remove') {
      const app = apps[action.index]!;
      if (await w.prompt.confirm({ message: t.confirmRemove(app.id), default: false })) {
        w.draft = removeApp(w.draft, action.index);
        w.say(t.removed(app.id));
        w.saveAs(w.t.what.appRemoved(app.id));
      }
    }
  }
}

/** Apps the store key can see, or undefined (no credentials, no listing, or it failed). */
async function listedApps(w: Wizard, store: StoreId): Promise<{ appId: string; name: string }[] | undefined> {
  let connector;
  try {
    connector = w.storeConnector(store);
  } catch {
    return undefined; // a broken key is reported in step 5
  }
  if (!connector?.listApps) return undefined;
  w.say(w.t.apps.listing(store));
  const list = connector.listApps.bind(connector);
  try {
    return await w.busy(list);
  } catch (err) {
    w.say(w.t.apps.listFailed(w.t.failure(err)));
    return undefined;
  }
}

function askAppId(w: Wizard, store: StoreId, dflt?: string): Promise<string> {
  return w.prompt
    .input({
      message: w.t.apps.appId(store),
      default: dflt,
      validate: (v) => (isValidAppId(store, v) ? true : w.t.apps.appIdProblem(store)),
    })
    .then((v) => normaliseAppId(store, v));
}

/**
 * Looks a typed id up in the store when its credentials are set: in the apps the key can see
 * (when the API lists them) or by reading the app (`checkApp`). Undefined: nothing to ask.
 */
async function verifyApp(
  w: Wizard,
  store: StoreId,
  appId: string,
  listed: { appId: string; name: string }[] | undefined,
): Promise<{ ok: true; name?: string } | { ok: false; message: string } | undefined> {
  if (listed) {
    const hit = listed.find((a) => a.appId === appId);
    return hit ? { ok: true, name: hit.name } : { ok: false, message: appId };
  }
  let connector;
  try {
    connector = w.storeConnector(store);
  } catch {
    return undefined;
  }
  if (!connector || !('checkApp' in connector) || typeof connector.checkApp !== 'function') return undefined;
  const checkApp = (connector.checkApp as (pkg: string) => Promise<void>).bind(connector);
  w.say(w.t.apps.checkingApp);
  try {
    await w.busy(() => checkApp(appId));
    return { ok: true };
  } catch (err) {
    return { ok: false, message: w.t.failure(err) };
  }
}

/** Asks the id until the store knows it (or the user keeps it anyway). */
async function askCheckedAppId(
  w: Wizard,
  store: StoreId,
  listed: { appId: string; name: string }[] | undefined,
  dflt?: string,
): Promise<{ appId: string; name?: string | undefined }> {
  let current = dflt;
  for (;;) {
    const appId = await askAppId(w, store, current);
    const found = await verifyApp(w, store, appId, listed);
    if (!found) return { appId };
    if (found.ok) {
      if (found.name) w.say(w.t.apps.appFound(found.name));
      w.record(`app:${store}:${appId}`, true);
      return { appId, name: found.name };
    }
    w.say(w.t.apps.appNotFound(found.message));
    const next = await w.prompt.select({
      message: w.t.omnidesk.whatNow,
      choices: [
        { name: w.t.apps.retype, value: 'retype' as const },
        { name: w.t.apps.keepAnyway, value: 'keep' as const },
      ],
    });
    if (next === 'keep') {
      w.record(`app:${store}:${appId}`, false);
      return { appId };
    }
    current = appId;
  }
}

function askLocalId(w: Wizard, dflt: string, taken: string[]): Promise<string> {
  return w.prompt
    .input({
      message: w.t.apps.localId,
      default: dflt,
      validate: (v) => {
        const problem = localIdProblem(v.trim(), taken);
        return problem === 'format' ? w.t.apps.localIdFormat : problem === 'taken' ? w.t.apps.localIdTaken : true;
      },
    })
    .then((v) => v.trim());
}

async function addApp(w: Wizard): Promise<void> {
  const t = w.t.apps;
  const store = await w.prompt.select<StoreId>({
    message: t.store,
    choices: allStoreWizards().map((s) => ({ name: s.name, value: s.id })),
  });
  const existing = w.draft.apps ?? [];
  const all = await listedApps(w, store);
  const listed = all?.filter((a) => !existing.some((e) => e.store === store && e.appId === a.appId));
  let picked: { appId: string; name?: string | undefined } | undefined;
  if (listed && listed.length > 0) {
    const choice = await w.prompt.select<string>({
      message: t.pickApp,
      choices: [
        ...listed.map((a) => ({ name: `${a.name} (${a.appId})`, value: a.appId })),
        { name: t.typeId, value: '' },
      ],
    });
    picked = listed.find((a) => a.appId === choice);
  }
  picked ??= await askCheckedAppId(w, store, all);
  const appId = picked.appId;
  const name = (await w.prompt.input({ message: t.name, default: picked.name })).trim();
  const taken = existing.map((a) => a.id);
  const id = await askLocalId(w, suggestLocalId(store, appId, name || undefined, taken), taken);
  const app: AppInput = { id, store, appId, ...(name ? { name } : {}) };
  w.draft = upsertApp(w.draft, app);
  w.say(t.added(id));
  w.saveAs(w.t.what.app(id));
  let hasCredentials = false;
  try {
    hasCredentials = w.storeConnector(store) !== undefined;
  } catch {
    hasCredentials = false;
  }
  if (!hasCredentials) w.say(t.publicUntilCredentials(store));
}

async function editApp(w: Wizard, index: number): Promise<void> {
  const t = w.t.apps;
  const app = w.draft.apps![index]!;
  const { appId } = await askCheckedAppId(w, app.store, undefined, app.appId);
  const name = clearable(
    (
      await w.prompt.input({ message: app.name ? `${t.name} ${w.t.filters.clearHint}` : t.name, default: app.name })
    ).trim(),
  ).trim();
  const taken = (w.draft.apps ?? []).filter((_, i) => i !== index).map((a) => a.id);
  const id = await askLocalId(w, app.id, taken);
  const enabled = await w.prompt.confirm({ message: t.enabled, default: app.enabled ?? true });
  const { name: _old, ...rest } = app;
  w.draft = upsertApp(w.draft, { ...rest, id, appId, enabled, ...(name ? { name } : {}) }, index);
  w.saveAs(w.t.what.app(id));
}
