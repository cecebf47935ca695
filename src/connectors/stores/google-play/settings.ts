/**
 * Google Play's config settings: env vars, the service-account key (inline or a file), the app
 * id rule, and how they turn into credentials (or say precisely which setting is wrong).
 */
import { z } from 'zod';
import type { ConfigLocation } from '../../../config/paths.js';
import type { Config } from '../../../config/schema.js';
import { readKeyFile } from '../../../config/secrets.js';
import { ConfigError, type ConfigProblem } from '../../../errors.js';
import { registerSecret } from '../../../log.js';
import { packageNameProblem, type EnvOverride } from '../settings-common.js';
import { wizard } from './wizard.js';

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

/** Env vars that fill (and override) this store's settings; listed in `.env.example`. */
export const env: readonly EnvOverride[] = [
  ['ASODESK_OMNI_GOOGLE_SERVICE_ACCOUNT_JSON', ['stores', 'googlePlay', 'serviceAccountJson']],
  ['ASODESK_OMNI_GOOGLE_SERVICE_ACCOUNT_PATH', ['stores', 'googlePlay', 'serviceAccountPath']],
];

export const appIdProblem = packageNameProblem;

/** Which review filters the store's reviews carry (the wizard asks only these). */
export const filters = wizard.filters;

export function settingsProblems(config: Config): ConfigProblem[] {
  const gp = config.stores.googlePlay;
  return gp.serviceAccountJson && gp.serviceAccountPath
    ? [
        {
          path: 'stores.googlePlay.serviceAccountPath',
          message: 'give the service account either inline or as a path, not both',
        },
      ]
    : [];
}

export function secretValues(config: Config): Array<string | undefined> {
  return [config.stores.googlePlay.serviceAccountJson];
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
