/**
 * RuStore's config settings: env vars, the key file, the app id rule, and how they turn into
 * credentials (or say precisely which setting is wrong).
 */
import type { ConfigLocation } from '../../../config/paths.js';
import type { Config } from '../../../config/schema.js';
import { readKeyFile } from '../../../config/secrets.js';
import { ConfigError, type ConfigProblem } from '../../../errors.js';
import { packageNameProblem, type EnvOverride } from '../settings-common.js';
import { wizard } from './wizard.js';

export interface RuStoreCredentials {
  keyId: string;
  /** As given: Base64 DER PKCS#8 or PEM. */
  privateKey: string;
}

/** Env vars that fill (and override) this store's settings; listed in `.env.example`. */
export const env: readonly EnvOverride[] = [
  ['ASODESK_OMNI_RUSTORE_KEY_ID', ['stores', 'rustore', 'keyId']],
  ['ASODESK_OMNI_RUSTORE_PRIVATE_KEY', ['stores', 'rustore', 'privateKey']],
  ['ASODESK_OMNI_RUSTORE_PRIVATE_KEY_PATH', ['stores', 'rustore', 'privateKeyPath']],
];

export const appIdProblem = packageNameProblem;

/** Which review filters the store's reviews carry (the wizard asks only these). */
export const filters = wizard.filters;

export function settingsProblems(config: Config): ConfigProblem[] {
  const s = config.stores.rustore;
  return s.privateKey && s.privateKeyPath
    ? [{ path: 'stores.rustore.privateKeyPath', message: 'give the private key either inline or as a path, not both' }]
    : [];
}

export function secretValues(config: Config): Array<string | undefined> {
  return [config.stores.rustore.privateKey];
}

export function resolveRuStore(config: Config, location: ConfigLocation): RuStoreCredentials | undefined {
  const s = config.stores.rustore;
  const key =
    s.privateKey ??
    (s.privateKeyPath ? readKeyFile(location, 'stores.rustore.privateKeyPath', s.privateKeyPath) : undefined);
  if (!s.keyId && !key) return undefined;
  if (!s.keyId || !key) {
    const missing = !s.keyId ? 'stores.rustore.keyId' : 'stores.rustore.privateKey';
    throw new ConfigError(
      `RuStore credentials are incomplete: ${missing} missing.`,
      [{ path: missing, message: 'required with the other RuStore settings' }],
      'Run `asodesk-omni init` (step "Store credentials"), or remove the RuStore settings.',
    );
  }
  return { keyId: s.keyId, privateKey: key.trim() };
}
