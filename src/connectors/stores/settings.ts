/**
 * Every store's config settings, for the config loader: env vars, cross-field rules and the
 * secrets to redact. Kept apart from registry.ts, which pulls in the connectors (and they the
 * loader's types), so the loader can import this without an import cycle.
 */
import type { AppConfig, Config } from '../../config/schema.js';
import type { ConfigProblem } from '../../errors.js';
import * as appStore from './app-store-connect/settings.js';
import * as googlePlay from './google-play/settings.js';
import type { StoreId } from './ids.js';
import * as rustore from './rustore/settings.js';
import type { EnvOverride } from './settings-common.js';

export type { EnvOverride };

const settings = { 'app-store': appStore, 'google-play': googlePlay, rustore } as const satisfies Record<
  StoreId,
  unknown
>;

/** Per store, in the order the loader has always reported them. */
const problemOrder = [googlePlay, appStore, rustore] as const;

export function storeSettings(id: StoreId): (typeof settings)[StoreId] {
  return settings[id];
}

/** Env vars of every store's settings. */
export const storeEnvOverrides: readonly EnvOverride[] = [...appStore.env, ...googlePlay.env, ...rustore.env];

/** Problems of one app that depend on its store. */
export function appProblems(app: AppConfig, i: number): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const s = settings[app.store];
  const idProblem = s.appIdProblem(app.appId);
  if (idProblem) problems.push({ path: `apps.${i}.appId`, message: idProblem });
  if (!s.filters.countries && app.filters.countries.length > 0) {
    problems.push({
      path: `apps.${i}.filters.countries`,
      message: 'countries filter only exists for App Store apps; use languages for Google Play',
    });
  }
  return problems;
}

/** Settings given twice (inline and as a file), and the like. */
export function storeSettingsProblems(config: Config): ConfigProblem[] {
  return problemOrder.flatMap((s) => s.settingsProblems(config));
}

export function storeSecretValues(config: Config): Array<string | undefined> {
  return [appStore, googlePlay, rustore].flatMap((s) => s.secretValues(config));
}
