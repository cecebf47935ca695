/**
 * App Store Connect team-key tokens: ES256 JWTs signed with the `.p8` key, at most 20 minutes
 * long, reused until shortly before they expire.
 * https://developer.apple.com/documentation/appstoreconnectapi/generating-tokens-for-api-requests
 * jose is imported on the first token (≈ 170 modules that `status` and `--help` do not need).
 */
import { createPrivateKey } from 'node:crypto';
import type { CryptoKey } from 'jose';
import type { AppStoreCredentials } from './settings.js';
import { ConfigError } from '../../../errors.js';
import { registerSecret } from '../../../log.js';

export const audience = 'appstoreconnect-v1';
/** Apple rejects tokens living over 20 minutes; one minute spare for clock drift. */
export const tokenLifetimeSec = 19 * 60;
/** A cached token is replaced this long before it expires. */
const renewBeforeMs = 60_000;

const keyHint =
  'Expected the .p8 key file downloaded from App Store Connect → Users and Access → Integrations (an EC P-256 private key in PKCS#8 PEM, "-----BEGIN PRIVATE KEY-----").';

/**
 * Checks the key's shape before any request, so a wrong file is a config error, not a 401.
 * `setting` names the config field the key came from. The key itself is never quoted.
 */
export function checkPrivateKey(pem: string, setting: string): void {
  const fail = (why: string): never => {
    throw new ConfigError(`${setting}: ${why}.`, [{ path: setting, message: why }], keyHint);
  };
  const text = pem.trim();
  if (/-----BEGIN EC PRIVATE KEY-----/.test(text))
    fail('the key is a SEC1 "EC PRIVATE KEY", not the PKCS#8 .p8 key App Store Connect gives');
  if (!/^-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----$/.test(text))
    fail('the key is not a PKCS#8 PEM private key');
  let details: { type?: string | undefined; curve?: string | undefined };
  try {
    const key = createPrivateKey({ key: text, format: 'pem' });
    details = { type: key.asymmetricKeyType, curve: key.asymmetricKeyDetails?.namedCurve };
  } catch {
    return fail('the key cannot be read (damaged or incomplete PEM)');
  }
  if (details.type !== 'ec') fail(`the key is ${details.type ?? 'of an unknown type'}, not an EC key`);
  if (details.curve !== 'prime256v1') fail(`the key is on curve ${details.curve ?? 'unknown'}, not P-256`);
}

export class AppStoreTokens {
  private key: Promise<CryptoKey> | undefined;
  private cached: { token: string; expiresAtMs: number } | undefined;

  constructor(
    private readonly creds: AppStoreCredentials,
    private readonly setting: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The `Authorization` header for the next request. */
  async header(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.token()}` };
  }

  async token(): Promise<string> {
    const now = this.now();
    if (this.cached && now < this.cached.expiresAtMs - renewBeforeMs) return this.cached.token;
    const iat = Math.floor(now / 1000);
    const exp = iat + tokenLifetimeSec;
    const { SignJWT } = await import('jose');
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: this.creds.keyId, typ: 'JWT' })
      .setIssuer(this.creds.issuerId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setAudience(audience)
      .sign(await this.signingKey());
    registerSecret(token);
    this.cached = { token, expiresAtMs: exp * 1000 };
    return token;
  }

  /** After a 401: the next request signs a fresh token. */
  invalidate(): void {
    this.cached = undefined;
  }

  private signingKey(): Promise<CryptoKey> {
    this.key ??= import('jose')
      .then(({ importPKCS8 }) => importPKCS8(this.creds.privateKeyPem.trim(), 'ES256'))
      .catch(() => {
        throw new ConfigError(
          `${this.setting}: the key cannot be used for ES256 signing.`,
          [{ path: this.setting, message: 'not an ES256 key' }],
          keyHint,
        );
      });
    return this.key;
  }
}
