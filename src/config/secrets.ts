/**
 * Turns the credential settings (inline values, key files, env vars) into usable credentials,
 * or says precisely which setting is wrong. Every secret read is registered for redaction.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { registerSecret } from '../log.js';
import type { Config } from './schema.js';
import { resolveConfigRelative, type ConfigLocation } from './load.js';

export interface AppStoreCredentials {
  issuerId: string;
  keyId: string;
  privateKeyPem: string;
}

export const serviceAccountSchema = z.object({
  type: z
    .literal('service_account', {
      message: 'must be "service_account": download a service-account JSON key, not an OAuth client',
    })
    .optional(),
  client_email: z.string().min(3),
  private_key: z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key' }),
  private_key_id: z.string().optional(),
  token_uri: z.url().default('https://oauth2.googleapis.com/token'),
  project_id: z.string().optional(),
});
export type ServiceAccount = z.infer<typeof serviceAccountSchema>;

export interface GooglePlayCredentials {
  serviceAccount: ServiceAccount;
}

export interface RuStoreCredentials {
  keyId: string;
  /** As given: Base64 DER PKCS#8 or PEM. */
  privateKey: string;
}

export interface StoreCredentials {
  appStore?: AppStoreCredentials | undefined;
  googlePlay?: GooglePlayCredentials | undefined;
  rustore?: RuStoreCredentials | undefined;
}

function readKeyFile(location: ConfigLocation, setting: string, path: string): string {
  const full = resolveConfigRelative(location, path);
  try {
    const text = readFileSync(full, 'utf8');
    registerSecret(text);
    return text;
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new ConfigError(
      `${setting}: the file ${full} ${reason}.`,
      [{ path: setting, message: `file ${full} ${reason}` }],
      'Point the setting at the key file downloaded from the store console, or run `asodesk-omni init`.',
    );
  }
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

export function resolveGooglePlay(config: Config, location: ConfigLocation): GooglePlayCredentials | undefined {
  const s = config.stores.googlePlay;
  const setting = s.serviceAccountJson
    ? 'stores.googlePlay.serviceAccountJson'
    : 'stores.googlePlay.serviceAccountPath';
  const text =
    s.serviceAccountJson ?? (s.serviceAccountPath ? readKeyFile(location, setting, s.serviceAccountPath) : undefined);
  if (!text) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(
      `${setting}: the service-account key is not JSON.`,
      [{ path: setting, message: 'not JSON' }],
      'Download a JSON key for the service account in Google Cloud Console → IAM → Service accounts → Keys.',
    );
  }
  const parsed = serviceAccountSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const field = first?.path.join('.') ?? '';
    throw new ConfigError(
      `${setting}: the service-account key is malformed: field "${field}" ${first?.message ?? ''}.`,
      [{ path: setting, message: `field ${field}: ${first?.message ?? ''}` }],
      'Download a fresh JSON key for the service account in Google Cloud Console.',
    );
  }
  registerSecret(parsed.data.private_key);
  const tokenUri = s.tokenUri ?? parsed.data.token_uri;
  return { serviceAccount: { ...parsed.data, token_uri: tokenUri } };
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

export function resolveCredentials(config: Config, location: ConfigLocation): StoreCredentials {
  return {
    appStore: resolveAppStore(config, location),
    googlePlay: resolveGooglePlay(config, location),
    rustore: resolveRuStore(config, location),
  };
}
