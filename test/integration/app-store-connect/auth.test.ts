import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { appStoreSchema } from '../../../src/config/schema.js';
import { AppStoreTokens } from '../../../src/connectors/stores/app-store-connect/auth.js';
import { createAppStoreConnector } from '../../../src/connectors/stores/app-store-connect/index.js';
import { ConfigError, RemoteError } from '../../../src/errors.js';
import { memoryLogger } from '../../../src/log.js';
import { ecP256KeyPair } from '../../helpers/keys.js';
import { craftToken, issuerId, keyId, rawGet, startAppStore } from './setup.js';

async function remoteError(p: Promise<unknown>): Promise<RemoteError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RemoteError);
  return err as RemoteError;
}

describe('App Store Connect auth', () => {
  it('signs ES256 team-key tokens with the claims Apple expects', async () => {
    const keys = ecP256KeyPair();
    const now = Date.UTC(2025, 5, 1, 12, 0, 0);
    const tokens = new AppStoreTokens(
      { issuerId, keyId, privateKeyPem: keys.privateKeyPem },
      'stores.appStore.privateKey',
      () => now,
    );
    const token = await tokens.token();
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: keyId, typ: 'JWT' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: issuerId, aud: 'appstoreconnect-v1', iat: now / 1000 });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(20 * 60);
    // ES256 in JWS is raw r||s (64 bytes), not DER.
    expect(Buffer.from(token.split('.')[2]!, 'base64url')).toHaveLength(64);
  });

  it('accepts a good key and reuses the token until a minute before it expires', async () => {
    const { emu, connector, clock } = await startAppStore();
    await connector.ping();
    await connector.ping();
    await connector.listApps();
    expect(emu.authLog.map((e) => e.ok)).toEqual([true, true, true]);
    expect(new Set(emu.authLog.map((e) => e.tokenHash)).size).toBe(1);

    clock.now += 17 * 60_000; // 2 minutes left: still used
    await connector.ping();
    clock.now += 60_000 + 1_000; // under a minute left: a fresh one
    await connector.ping();
    const hashes = emu.authLog.map((e) => e.tokenHash);
    expect(hashes[3]).toBe(hashes[0]);
    expect(hashes[4]).not.toBe(hashes[0]);
    expect(emu.authLog.every((e) => e.ok)).toBe(true);
  });

  it('a wrong key (bad signature) is an auth error naming the key id, after one fresh-token retry', async () => {
    const other = ecP256KeyPair();
    const { emu, connect, keys } = await startAppStore();
    const connector = connect({
      creds: { privateKeyPem: other.privateKeyPem },
      cfg: { privateKey: other.privateKeyPem },
    });
    const err = await remoteError(connector.ping());
    expect(err.kind).toBe('auth');
    expect(err.status).toBe(401);
    expect(err.code).toBe('NOT_AUTHORIZED');
    expect(err.message).toContain(keyId);
    expect(err.message).toContain('Authentication credentials are missing or invalid.');
    expect(err.hint).toMatch(/Users and Access → Integrations/);
    for (const pem of [other.privateKeyPem, keys.privateKeyPem]) {
      for (const line of pem.split('\n').filter((l) => l.length > 20))
        expect(`${err.message} ${err.hint}`).not.toContain(line);
    }
    expect(emu.authLog.map((e) => e.reason)).toEqual(['signature', 'signature']);
    expect(emu.server.serviceRequests().map((r) => r.status)).toEqual([401, 401]);
    // Two different tokens: the cached one was dropped after the first 401.
    expect(new Set(emu.authLog.map((e) => e.tokenHash)).size).toBe(2);
  });

  it('an expired token (our clock two hours behind) is refused', async () => {
    const { emu, connect } = await startAppStore();
    const err = await remoteError(connect({ clockOffsetMs: -2 * 3_600_000 }).ping());
    expect(err.kind).toBe('auth');
    expect(emu.authLog.map((e) => e.reason)).toEqual(['expired', 'expired']);
  });

  it('a token from the future (our clock two hours ahead) is refused', async () => {
    const { emu, connect } = await startAppStore();
    const err = await remoteError(connect({ clockOffsetMs: 2 * 3_600_000 }).ping());
    expect(err.kind).toBe('auth');
    expect(emu.authLog.map((e) => e.reason)).toEqual(['iat', 'iat']);
  });

  it('a wrong key id is refused and named in the error', async () => {
    const { emu, connect } = await startAppStore();
    const err = await remoteError(connect({ creds: { keyId: 'WRONGKID01' } }).ping());
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('WRONGKID01');
    expect(emu.authLog.map((e) => e.reason)).toEqual(['kid', 'kid']);
  });

  it('the emulator refuses tokens over 20 minutes, wrong issuer, wrong audience, scope mismatch, or none', async () => {
    const { emu, keys, clock } = await startAppStore();
    const iat = Math.floor(clock.now / 1000);
    const cases: Array<[string, Parameters<typeof craftToken>[1] | undefined]> = [
      ['lifetime', { iat, exp: iat + 30 * 60 }],
      ['iss', { iat, exp: iat + 600, iss: 'another-issuer' }],
      ['aud', { iat, exp: iat + 600, aud: 'appstoreconnect-v2' }],
      ['scope', { iat, exp: iat + 600, scope: ['GET /v1/customerReviews'] }],
      ['missing', undefined],
    ];
    for (const [reason, claims] of cases) {
      const res = await rawGet(
        emu.baseUrl,
        '/v1/apps',
        claims ? await craftToken(keys.privateKeyPem, claims) : undefined,
      );
      expect(res.status, reason).toBe(401);
      expect(res.json).toMatchObject({
        errors: [
          { status: '401', code: 'NOT_AUTHORIZED', title: 'Authentication credentials are missing or invalid.' },
        ],
      });
      expect(emu.authLog.at(-1)?.reason).toBe(reason);
    }
    const exactly20 = await rawGet(
      emu.baseUrl,
      '/v1/apps',
      await craftToken(keys.privateKeyPem, { iat, exp: iat + 20 * 60, scope: ['GET /v1/apps?limit=1'] }),
    );
    expect(exactly20.status).toBe(200);
  });

  it('a key that is not a PKCS#8 EC P-256 PEM is a config error naming the setting', () => {
    const sec1 = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      privateKeyEncoding: { type: 'sec1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    const p384 = generateKeyPairSync('ec', {
      namedCurve: 'secp384r1',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    const rsa = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    const damaged = ecP256KeyPair().privateKeyPem.replace(/[A-Za-z0-9+/]{20}/, 'AAAAAAAAAAAAAAAAAAAA');
    const cases: Array<[string, RegExp]> = [
      [sec1, /SEC1/],
      [p384, /not P-256/],
      [rsa, /not an EC key/],
      ['MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg (base64 without PEM armour)', /not a PKCS#8 PEM/],
      [damaged, /damaged|P-256|EC key/],
    ];
    for (const [pem, why] of cases) {
      for (const [field, cfg] of [
        ['stores.appStore.privateKey', { privateKey: pem }],
        ['stores.appStore.privateKeyPath', { privateKeyPath: '/keys/AuthKey.p8' }],
      ] as const) {
        let err: unknown;
        try {
          createAppStoreConnector(
            appStoreSchema.parse({ issuerId, keyId, ...cfg }),
            { issuerId, keyId, privateKeyPem: pem },
            { logger: memoryLogger() },
          );
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(ConfigError);
        const e = err as ConfigError;
        expect(e.message).toContain(field);
        expect(e.message).toMatch(why);
        expect(e.hint).toContain('App Store Connect → Users and Access → Integrations');
        expect(e.problems[0]?.path).toBe(field);
        for (const line of pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')))
          expect(e.message).not.toContain(line);
      }
    }
  });
});
