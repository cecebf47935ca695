/**
 * RuStore token exchange: sign `keyId + timestamp` with the Console's RSA key (SHA512withRSA),
 * trade it at `POST /public/auth/` for a JWE sent as `Public-Token`, reuse it until shortly
 * before its ttl (900 s) runs out.
 * https://www.rustore.ru/help/en/work-with-rustore-api/api-authorization-token
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { RuStoreCredentials } from './settings.js';
import { ConfigError } from '../../../errors.js';
import { registerSecret } from '../../../log.js';
import type { HttpClient } from '../../http/client.js';
import { tokenEnvelopeSchema } from './schema.js';

/** Refresh this long before the token's end, so a request never leaves with a dying token. */
const refreshMarginMs = 60_000;
const defaultTtlSec = 900;

const keySettingHint =
  'Copy the private key of the API key from RuStore Console → Company → API RuStore as it is shown (one Base64 line), or give a PEM file in stores.rustore.privateKeyPath.';

/**
 * Reads the key as RuStore Console gives it (Base64 DER PKCS#8, one line) or as PEM.
 * Throws ConfigError naming the setting; the message never quotes the key.
 */
export function parseRuStorePrivateKey(text: string): KeyObject {
  registerSecret(text);
  const bad = (why: string): ConfigError =>
    new ConfigError(
      `stores.rustore.privateKey (or privateKeyPath): ${why}`,
      [
        { path: 'stores.rustore.privateKey', message: why },
        { path: 'stores.rustore.privateKeyPath', message: why },
      ],
      keySettingHint,
    );
  // Keys pasted into env vars often carry literal "\n".
  const trimmed = text.trim().replace(/\\n/g, '\n');
  let key: KeyObject | undefined;
  if (trimmed.includes('-----BEGIN')) {
    try {
      key = createPrivateKey({ key: trimmed, format: 'pem' });
    } catch {
      throw bad('the PEM private key cannot be read (damaged, encrypted, or not a private key).');
    }
  } else {
    const b64 = trimmed.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(b64)) throw bad('the key is neither PEM nor Base64.');
    const der = Buffer.from(b64.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    for (const type of ['pkcs8', 'pkcs1'] as const) {
      try {
        key = createPrivateKey({ key: der, format: 'der', type });
        break;
      } catch {
        // try the next encoding
      }
    }
    if (!key) throw bad('the Base64 text is not a DER private key (PKCS#8).');
  }
  if (key.asymmetricKeyType !== 'rsa')
    throw bad(`the key is ${key.asymmetricKeyType ?? 'of an unknown type'}, RuStore signs with RSA.`);
  return key;
}

/** `2024-06-18T11:49:08.290+03:00`: local time with millis and offset, as RuStore's examples. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  const offsetMin = -d.getTimezoneOffset();
  const local = new Date(ms + offsetMin * 60_000);
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local.toISOString().slice(0, 23)}${sign}${hh}:${mm}`;
}

export function signRequest(key: KeyObject, keyId: string, timestamp: string): string {
  return sign('sha512', Buffer.from(keyId + timestamp, 'utf8'), key).toString('base64');
}

export class RuStoreAuth {
  private readonly key: KeyObject;
  private token: { jwe: string; refreshAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly creds: RuStoreCredentials,
    private readonly http: HttpClient,
    private readonly now: () => number,
  ) {
    this.key = parseRuStorePrivateKey(creds.privateKey);
  }

  /** Headers for a request; fetches a token when none is fresh. */
  async headers(): Promise<Record<string, string>> {
    return { 'Public-Token': await this.jwe() };
  }

  /** Forget the token (after a 401), so the next request signs in again. */
  invalidate(): void {
    this.token = undefined;
  }

  async jwe(): Promise<string> {
    if (this.token && this.now() < this.token.refreshAt) return this.token.jwe;
    // Parallel requests share one exchange.
    this.pending ??= this.exchange().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async exchange(): Promise<string> {
    const started = this.now();
    const timestamp = formatTimestamp(started);
    const res = await this.http.request({
      method: 'POST',
      path: '/public/auth/',
      json: { keyId: this.creds.keyId, timestamp, signature: signRequest(this.key, this.creds.keyId, timestamp) },
      schema: tokenEnvelopeSchema,
      anonymous: true,
      // Asking for a token twice is harmless.
      idempotent: true,
    });
    const { jwe, ttl } = res.data.body;
    registerSecret(jwe);
    const ttlMs = (ttl ?? defaultTtlSec) * 1000;
    this.token = { jwe, refreshAt: started + Math.max(ttlMs - refreshMarginMs, ttlMs / 2) };
    return jwe;
  }
}
