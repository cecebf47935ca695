/**
 * RSA key pairs for the RuStore tests, in the shapes users paste: RuStore Console's one-line
 * Base64 DER PKCS#8, and PEM. Made once per test file (RSA generation is slow).
 */
import { generateKeyPairSync } from 'node:crypto';

export interface RuStoreTestKey {
  keyId: string;
  /** What RuStore Console shows: Base64 of the DER PKCS#8 key, one line. */
  privateKeyBase64: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

const cache = new Map<string, RuStoreTestKey>();

export function ruStoreTestKey(keyId = '354751'): RuStoreTestKey {
  let key = cache.get(keyId);
  if (!key) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    key = {
      keyId,
      privateKeyBase64: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    };
    cache.set(keyId, key);
  }
  return key;
}
