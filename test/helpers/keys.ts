/** Throwaway key pairs for tests (PEM), made locally: no key is ever checked in. */
import { generateKeyPairSync } from 'node:crypto';

export interface PemKeyPair {
  /** PKCS#8 PEM, like an App Store Connect `.p8` file. */
  privateKeyPem: string;
  /** SPKI PEM. */
  publicKeyPem: string;
}

/** EC P-256 (ES256), the kind App Store Connect issues. */
export function ecP256KeyPair(): PemKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}
