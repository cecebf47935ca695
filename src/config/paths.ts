/**
 * Where the config lives by default, and how a relative key path is read. Its own module, with
 * no heavy imports: the store settings (in the connectors) use it without the config loader, and
 * every command resolves the default path without loading `conf` (≈ 100 ms on start-up).
 */
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';

export interface ConfigLocation {
  configPath: string;
  /** The SQLite state file, used when no PostgreSQL URL is given. */
  dbPath: string;
  /** A PostgreSQL state URL from `--state` or `ASODESK_OMNI_STATE_URL` (a secret; `state.url` in the config also counts). */
  stateUrl?: string | undefined;
}

/** The per-user config location (`~/.config/asodesk-omni/config.json` on Linux). */
export function defaultConfigPath(): string {
  return join(envPaths('asodesk-omni', { suffix: '' }).config, 'config.json');
}

/** Relative key paths are taken from the config file's folder, so a config can be moved with its keys. */
export function resolveConfigRelative(location: ConfigLocation, path: string): string {
  return path.startsWith('/') ? path : join(dirname(location.configPath), path);
}
