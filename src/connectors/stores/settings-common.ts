/** An env var and the config path it fills; its own module so the loader and connectors share it. */
export type EnvOverride = readonly [name: string, path: readonly string[]];

/** Google Play and RuStore name apps by their package. */
export function packageNameProblem(appId: string): string | undefined {
  return /^[A-Za-z][\w]*(\.[A-Za-z_][\w]*)+$/.test(appId) ? undefined : 'a package name looks like com.company.app';
}
