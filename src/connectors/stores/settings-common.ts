/** Shared by the stores' settings and wizard modules; a leaf, so the loader and `--help` can import it. */
import type { Lang, StoreWizardTexts } from './wizard-types.js';

/** An env var and the config path it fills; its own module so the loader and connectors share it. */
export type EnvOverride = readonly [name: string, path: readonly string[]];

/** Stores that name apps by their package (`com.company.app`). */
export function isPackageName(appId: string): boolean {
  return /^[A-Za-z][\w]*(\.[A-Za-z_][\w]*)+$/.test(appId);
}

export function packageNameProblem(appId: string): string | undefined {
  return isPackageName(appId) ? undefined : 'a package name looks like com.company.app';
}

/** The wizard's app id texts of such stores. */
export const packageNameTexts: Readonly<Record<Lang, StoreWizardTexts>> = {
  en: {
    appIdQuestion: 'Package name (e.g. com.company.app):',
    appIdProblem: 'A package name looks like com.company.app.',
    flagAppIdProblem: 'a package name looks like com.company.app',
  },
  ru: {
    appIdQuestion: 'Имя пакета (например com.company.app; можно вставить ссылку на страницу в магазине):',
    appIdProblem: 'Имя пакета выглядит как com.company.app.',
    flagAppIdProblem: 'имя пакета выглядит как com.company.app',
  },
};
