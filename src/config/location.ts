/**
 * Where the config and the state file are. Apart from load.ts so that building a command's
 * context does not load the schema (zod) for commands that never read the config.
 */
import { dirname, join } from 'node:path';
import { defaultConfigPath, type ConfigLocation } from './paths.js';
import { registerStateUrl } from './state-url.js';

export type { ConfigLocation };

export type Env = Readonly<Record<string, string | undefined>>;

export function resolveLocation(
  opts: { config?: string | undefined; db?: string | undefined; state?: string | undefined },
  env: Env,
): ConfigLocation {
  const configPath = opts.config ?? env.ASODESK_OMNI_CONFIG ?? defaultConfigPath();
  const dbPath = opts.db ?? env.ASODESK_OMNI_DB ?? join(dirname(configPath), 'asodesk-omni.db');
  const stateUrl = (opts.state ?? env.ASODESK_OMNI_STATE_URL)?.trim() || undefined;
  if (stateUrl) registerStateUrl(stateUrl);
  return stateUrl ? { configPath, dbPath, stateUrl } : { configPath, dbPath };
}
