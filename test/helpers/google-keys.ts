/**
 * Service-account keys for the Google Play emulator: a fresh RSA pair per call (node:crypto)
 * and the JSON key Google Cloud Console would give, pointing token_uri at the emulator.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { ServiceAccount } from '../../src/connectors/stores/google-play/settings.js';

export interface TestServiceAccount {
  account: ServiceAccount;
  clientEmail: string;
  publicKeyPem: string;
  privateKeyPem: string;
}

let counter = 0;
let shared: { publicKeyPem: string; privateKeyPem: string } | undefined;

function rsaPair(): { publicKeyPem: string; privateKeyPem: string } {
  // jose (the emulator) refuses RS256 keys under 2048 bits, as Google would.
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * A service account with its own email. Keys are generated once per test file (2048-bit RSA
 * is slow on a busy machine) unless `freshKey` asks for a key of its own.
 */
export function makeServiceAccount(
  tokenUri: string,
  opts: { clientEmail?: string; freshKey?: boolean } = {},
): TestServiceAccount {
  const clientEmail = opts.clientEmail ?? `reviews-bot-${++counter}@acme-play.iam.gserviceaccount.com`;
  const { publicKeyPem, privateKeyPem } = opts.freshKey ? rsaPair() : (shared ??= rsaPair());
  return {
    clientEmail,
    publicKeyPem,
    privateKeyPem,
    account: {
      type: 'service_account',
      project_id: 'acme-play',
      private_key_id: `kid-${counter}`,
      private_key: privateKeyPem,
      client_email: clientEmail,
      token_uri: tokenUri,
    },
  };
}
