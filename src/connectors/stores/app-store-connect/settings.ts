/**
 * The App Store's config settings: env vars, the key file, the app id rule, and how they turn
 * into credentials (or say precisely which setting is wrong).
 */
import type { ConfigLocation } from '../../../config/paths.js';
import type { Config } from '../../../config/schema.js';
import { readKeyFile } from '../../../config/secrets.js';
import { ConfigError, type ConfigProblem } from '../../../errors.js';
import type { EnvOverride } from '../settings-common.js';
import { isAppStoreId, wizard } from './wizard.js';

export interface AppStoreCredentials {
  issuerId: string;
  keyId: string;
  privateKeyPem: string;
}

/** Env vars that fill (and override) this store's settings; listed in `.env.example`. */
export const env: readonly EnvOverride[] = [
  ['ASODESK_OMNI_APPSTORE_ISSUER_ID', ['stores', 'appStore', 'issuerId']],
  ['ASODESK_OMNI_APPSTORE_KEY_ID', ['stores', 'appStore', 'keyId']],
  ['ASODESK_OMNI_APPSTORE_PRIVATE_KEY', ['stores', 'appStore', 'privateKey']],
  ['ASODESK_OMNI_APPSTORE_PRIVATE_KEY_PATH', ['stores', 'appStore', 'privateKeyPath']],
];

export function appIdProblem(appId: string): string | undefined {
  return isAppStoreId(appId)
    ? undefined
    : 'the App Store app id is the number from App Store Connect (App Information → Apple ID), e.g. 1234567890';
}

/** Which review filters the store's reviews carry (the wizard asks only these). */
export const filters = wizard.filters;

export function settingsProblems(config: Config): ConfigProblem[] {
  const s = config.stores.appStore;
  return s.privateKey && s.privateKeyPath
    ? [{ path: 'stores.appStore.privateKeyPath', message: 'give the private key either inline or as a path, not both' }]
    : [];
}

export function secretValues(config: Config): Array<string | undefined> {
  return [config.stores.appStore.privateKey];
}

export function resolveAppStore(config: Config, location: ConfigLocation): AppStoreCredentials | undefined {
  const s = config.stores.appStore;
  const pem =
    s.privateKey ??
    (s.privateKeyPath ? readKeyFile(location, 'stores.appStore.privateKeyPath', s.privateKeyPath) : undefined);
  if (!s.issuerId && !s.keyId && !pem) return undefined;
  const missing = [!s.issuerId && 'issuerId', !s.keyId && 'keyId', !pem && 'privateKeyPath'].filter(
    Boolean,
  ) as string[];
  if (missing.length > 0) {
    throw new ConfigError(
      `App Store Connect credentials are incomplete: ${missing.map((m) => `stores.appStore.${m}`).join(', ')} missing.`,
      missing.map((m) => ({
        path: `stores.appStore.${m}`,
        message: 'required with the other App Store Connect settings',
      })),
      'Run `asodesk-omni init` (step "Store credentials") or remove the App Store settings to use the public feed.',
    );
  }
  return { issuerId: s.issuerId!, keyId: s.keyId!, privateKeyPem: pem! };
}
