/**
 * Service-account access tokens for the androidpublisher scope, exchanged by
 * google-auth-library (RS256 JWT bearer grant, https://developers.google.com/identity/protocols/oauth2/service-account).
 *
 * google-auth-library 10 ignores the key file's `token_uri`: it always signs `aud` =
 * https://oauth2.googleapis.com/token and posts there. We keep the library (signing, grant,
 * retries) and point both at `token_uri`: `aud` through `additionalClaims` (spread after the
 * library's own claims) and the POST through a Gaxios transporter that rewrites that one URL.
 *
 * The library is imported on the first exchange (≈ 60 ms of start-up that `status`, `--help`
 * and syncs without Google Play do not need).
 *
 * The POST itself goes through undici (our dispatcher), never gaxios's lazily imported
 * node-fetch: when that import outlasted the request timeout, node-fetch destroyed the body
 * with nobody listening and the process died of an unhandled AbortError.
 */
import { createPrivateKey, sign } from 'node:crypto';
import type * as GoogleAuth from 'google-auth-library';
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import type { ServiceAccount } from './settings.js';
import { ConfigError, RemoteError } from '../../../errors.js';
import { redact, registerSecret, type Logger } from '../../../log.js';
import { oauthErrorSchema } from './schema.js';

export const androidPublisherScope = 'https://www.googleapis.com/auth/androidpublisher';
const googleTokenUrl = 'https://oauth2.googleapis.com/token';
const keySetting = 'stores.googlePlay.serviceAccountPath';
const service = 'Google Play';

let library: Promise<typeof GoogleAuth> | undefined;
const googleAuth = (): Promise<typeof GoogleAuth> => (library ??= import('google-auth-library'));

/** A Gaxios that sends the library's token POST to our `token_uri` (the emulator in tests). */
function tokenUriGaxios(
  lib: typeof GoogleAuth,
  tokenUri: string,
  defaults: GoogleAuth.gaxios.GaxiosOptions,
): GoogleAuth.gaxios.Gaxios {
  class TokenUriGaxios extends lib.gaxios.Gaxios {
    override request<T = ReturnType<JSON['parse']>>(
      opts: GoogleAuth.gaxios.GaxiosOptions = {},
    ): GoogleAuth.gaxios.GaxiosPromise<T> {
      if (opts.url !== undefined && String(opts.url) === googleTokenUrl && tokenUri !== googleTokenUrl) {
        opts = { ...opts, url: new URL(tokenUri) };
      }
      return super.request<T>(opts);
    }
  }
  return new TokenUriGaxios(defaults);
}

export interface TokenSourceOptions {
  logger: Logger;
  now?: (() => number) | undefined;
  timeoutMs?: number | undefined;
  dispatcher?: Dispatcher | undefined;
}

/** gaxios's fetch slot, filled by undici with our dispatcher (MockAgent in tests). */
function undiciFetchFor(dispatcher: Dispatcher | undefined): typeof fetch {
  const viaUndici = (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      ...(dispatcher ? { dispatcher } : {}),
    }) as unknown as Promise<Response>;
  return viaUndici as typeof fetch;
}

/** Fails at construction, with the setting's name, when the key cannot sign RS256. */
function checkKeyCanSign(pem: string): void {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`an ${String(key.asymmetricKeyType)} key, not RSA`);
    sign('sha256', Buffer.from('probe'), key);
  } catch (err) {
    const reason =
      err instanceof Error && err.message.includes(' key, not RSA') ? err.message : 'the private key cannot be read';
    throw new ConfigError(
      `${keySetting}: the service-account key cannot sign requests (${reason}).`,
      [{ path: keySetting, message: 'private_key cannot sign RS256' }],
      'Download a fresh JSON key for the service account in Google Cloud Console → IAM → Service accounts → Keys.',
    );
  }
}

export class ServiceAccountTokens {
  /** Token exchanges made, for tests and reports. */
  exchanges = 0;
  private cached: { token: string; expiresAt: number } | undefined;
  private inflight: Promise<string> | undefined;
  /** A refused key stays refused for this run: no point asking Google again. */
  private refused: RemoteError | undefined;
  private transporter: GoogleAuth.gaxios.Gaxios | undefined;
  private readonly now: () => number;

  constructor(
    private readonly account: ServiceAccount,
    private readonly opts: TokenSourceOptions,
  ) {
    checkKeyCanSign(account.private_key);
    this.now = opts.now ?? Date.now;
  }

  /** A valid access token, reused until shortly before it expires. */
  async token(): Promise<string> {
    if (this.refused) throw this.refused;
    if (this.cached && this.now() < this.cached.expiresAt) return this.cached.token;
    this.inflight ??= this.exchange().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Drop the cached token (the API answered 401). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async exchange(): Promise<string> {
    const startedAt = this.now();
    // A fresh client each time: google-auth-library's own cache runs on the wall clock and
    // would hide our decision to refresh; ours is the one cache.
    const lib = await googleAuth();
    this.transporter ??= tokenUriGaxios(lib, this.account.token_uri, {
      timeout: this.opts.timeoutMs ?? 30_000,
      fetchImplementation: undiciFetchFor(this.opts.dispatcher),
    });
    const jwt = new lib.JWT({
      email: this.account.client_email,
      key: this.account.private_key,
      keyId: this.account.private_key_id,
      scopes: [androidPublisherScope],
      additionalClaims: { aud: this.account.token_uri },
      transporter: this.transporter,
    });
    this.exchanges++;
    let credentials;
    try {
      credentials = await jwt.authorize();
    } catch (err) {
      const described = this.describe(err, lib);
      if (described instanceof RemoteError && described.kind === 'auth') this.refused = described;
      throw described;
    }
    const token = credentials.access_token;
    if (!token)
      throw new RemoteError({
        kind: 'bad-payload',
        service,
        message: `${service}: the token endpoint answered without "access_token"`,
      });
    registerSecret(token);
    const lifetime = credentials.expiry_date ? credentials.expiry_date - Date.now() : 3_600_000;
    // Refresh a little early (a tenth of the lifetime, at most five minutes) so that a
    // request never leaves with a token that expires on the way.
    const margin = Math.min(300_000, lifetime / 10);
    this.cached = { token, expiresAt: startedAt + lifetime - margin };
    this.opts.logger.debug('google play token exchanged', { expiresInSec: Math.round(lifetime / 1000) });
    return token;
  }

  private describe(err: unknown, lib: typeof GoogleAuth): Error {
    if (err instanceof lib.gaxios.GaxiosError) {
      const status = err.response?.status;
      if (status === undefined) {
        const code = typeof err.code === 'string' ? err.code : undefined;
        return new RemoteError({
          kind: 'transient',
          service,
          code: code === 'ECONNREFUSED' || code === 'ENOTFOUND' ? 'NOT_SENT' : code,
          message: `${service}: the token endpoint ${new URL(this.account.token_uri).host} cannot be reached (${code ?? 'network error'})`,
          cause: err,
        });
      }
      const body = oauthErrorSchema.safeParse(err.response?.data);
      const detail = body.success
        ? redact(`${body.data.error}${body.data.error_description ? `: ${body.data.error_description}` : ''}`)
        : `HTTP ${status}`;
      if (status === 400 || status === 401) {
        return new RemoteError({
          kind: 'auth',
          service,
          status,
          code: body.success ? body.data.error : undefined,
          message: `${service}: Google refused the service-account key of ${this.account.client_email} (${detail}). The key is wrong, revoked or deleted, or its service account is disabled.`,
          hint: `Create a new JSON key for ${this.account.client_email} in Google Cloud Console → IAM → Service accounts → Keys, and point ${keySetting} at it.`,
        });
      }
      return new RemoteError({
        kind: status === 429 ? 'rate-limited' : status >= 500 ? 'transient' : 'rejected',
        service,
        status,
        message: `${service}: the token endpoint answered ${detail} (HTTP ${status})`,
      });
    }
    if (err instanceof RemoteError || err instanceof ConfigError) return err;
    // Anything else happened before sending: signing with the key failed.
    return new ConfigError(
      `${keySetting}: the service-account key cannot sign the token request.`,
      [{ path: keySetting, message: 'private_key cannot sign RS256' }],
      'Download a fresh JSON key for the service account in Google Cloud Console.',
    );
  }
}
