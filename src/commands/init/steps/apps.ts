/**
 * Step 3: the apps. With store credentials the apps the key can see are offered (App Store
 * Connect, RuStore); otherwise the App Store id or package name is typed. Re-runs edit or remove.
 */
import { storeIds, type StoreId } from '../../../domain/review.js';
import { storeNames } from '../../../connectors/stores/registry.js';
import { errorMessage } from '../../../errors.js';
import { appIdProblem, localIdProblem, removeApp, suggestLocalId, upsertApp, type AppInput } from '../questions.js';
import type { Wizard } from '../wizard.js';

type Action = { kind: 'add' } | { kind: 'edit'; index: number } | { kind: 'remove'; index: number } | { kind: 'done' };

export async function appsStep(w: Wizard): Promise<void> {
  const t = w.t.apps;
  for (;;) {
    const apps = w.draft.apps ?? [];
    w.say(apps.length === 0 ? t.none : `${t.current}\n${apps.map((a) => `  ${a.id}: ${storeNames[a.store]} ${a.appId}${a.name ? ` (${a.name})` : ''}${a.enabled === false ? ' [off]' : ''}`).join('\n')}`);
    const action: Action =
      apps.length === 0
        ? { kind: 'add' }
        : await w.prompt.select<Action>({
            message: t.action,
            choices: [
              { name: t.done, value: { kind: 'done' } },
              { name: t.addAnother, value: { kind: 'add' } },
              ...apps.map((a, index) => ({ name: t.edit(a.id), value: { kind: 'edit' as const, index } })),
              ...apps.map((a, index) => ({ name: t.remove(a.id), value: { kind: 'remove' as const, index } })),
            ],
          });
    if (action.kind === 'done') return;
    if (action.kind === 'add') await addApp(w);
    if (action.kind === 'edit') await editApp(w, action.index);
    if (action.kind === 'remove') {
      const app = apps[action.index]!;
      if (await w.prompt.confirm({ message: t.confirmRemove(app.id), default: false })) {
        w.draft = removeApp(w.draft, action.index);
        w.save();
        w.say(t.removed(app.id));
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
  try {
    return await connector.listApps();
  } catch (err) {
    w.say(w.t.apps.listFailed(errorMessage(err)));
    return undefined;
  }
}

function askAppId(w: Wizard, store: StoreId, dflt?: string): Promise<string> {
  return w.prompt
    .input({
      message: w.t.apps.appId(store),
      default: dflt,
      validate: (v) => {
        const problem = appIdProblem(store, v);
        return problem ? w.t.apps.appIdProblem(problem) : true;
      },
    })
    .then((v) => v.trim());
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
  const store = await w.prompt.select<StoreId>({ message: t.store, choices: storeIds.map((s) => ({ name: storeNames[s], value: s })) });
  const existing = w.draft.apps ?? [];
  const listed = (await listedApps(w, store))?.filter((a) => !existing.some((e) => e.store === store && e.appId === a.appId));
  let picked: { appId: string; name: string } | undefined;
  if (listed && listed.length > 0) {
    const choice = await w.prompt.select<string>({
      message: t.pickApp,
      choices: [...listed.map((a) => ({ name: `${a.name} (${a.appId})`, value: a.appId })), { name: t.typeId, value: '' }],
    });
    picked = listed.find((a) => a.appId === choice);
  }
  const appId = picked?.appId ?? (await askAppId(w, store));
  const name = (await w.prompt.input({ message: t.name, default: picked?.name })).trim();
  const taken = existing.map((a) => a.id);
  const id = await askLocalId(w, suggestLocalId(store, appId, name || undefined, taken), taken);
  const app: AppInput = { id, store, appId, ...(name ? { name } : {}) };
  w.draft = upsertApp(w.draft, app);
  w.save();
  w.say(t.added(id));
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
  const appId = await askAppId(w, app.store, app.appId);
  const name = (await w.prompt.input({ message: t.name, default: app.name })).trim();
  const taken = (w.draft.apps ?? []).filter((_, i) => i !== index).map((a) => a.id);
  const id = await askLocalId(w, app.id, taken);
  const enabled = await w.prompt.confirm({ message: t.enabled, default: app.enabled ?? true });
  const { name: _old, ...rest } = app;
  w.draft = upsertApp(w.draft, { ...rest, id, appId, enabled, ...(name ? { name } : {}) }, index);
  w.save();
}
