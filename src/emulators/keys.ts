/** Throwaway key pairs made at run time for the emulators (demo, tests): no key is checked in. */
import { generateKeyPairSync } from 'node:crypto';

export interface PemKeyPair {
  /** PKCS#8 PEM (an App Store Connect `.p8` is one). */
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

/** RSA 2048 (Google service accounts, RuStore API keys). */
export function rsaKeyPair(): PemKeyPair & { privateKeyBase64Der: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyBase64Der: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
  };
}
