import { verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseRuStorePrivateKey } from '../../../src/connectors/stores/rustore/auth.js';
import { ConfigError, RemoteError } from '../../../src/errors.js';
import { ruStoreTestKey } from '../../helpers/rustore-keys.js';
import { app, collect, pkg, setup } from './setup.js';
import { reviewPages } from '../../helpers/pages.js';

describe('RuStore auth', () => {
  it('signs keyId + timestamp with SHA512withRSA and sends the token as Public-Token', async () => {
    const t = await setup();
    t.emu.addComment(pkg, { commentText: 'ok' });
    await t.connector.ping();
    const [auth] = t.requests('/public/auth');
    expect(auth).toMatchObject({ method: 'POST', path: '/public/auth/', status: 200 });
    const body = JSON.parse(auth!.body) as { keyId: string; timestamp: string; signature: string };
    expect(body.keyId).toBe('354751');
    expect(body.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/);
    expect(Date.parse(body.timestamp)).toBe(t.clock.now);
    const ok = verify(
      'sha512',
      Buffer.from(body.keyId + body.timestamp),
      ruStoreTestKey().publicKeyPem,
      Buffer.from(body.signature, 'base64'),
    );
    expect(ok).toBe(true);

    // The token from ping is reused: fetching costs no second sign-in.
    const pages = await collect(reviewPages(t.connector, app));
    expect(pages.flat()).toHaveLength(1);
    expect(t.requests('/public/auth')).toHaveLength(1);
  });

  it('accepts the key as PEM as well as Base64 DER', async () => {
    const t = await setup({ creds: { privateKey: ruStoreTestKey().privateKeyPem } });
    await t.connector.ping();
    expect(t.requests('/public/auth')[0]!.status).toBe(200);
    // PEM pasted into an env var with literal \n still works.
    const oneLine = ruStoreTestKey().privateKeyPem.replace(/\n/g, '\\n');
    expect(parseRuStorePrivateKey(oneLine).asymmetricKeyType).toBe('rsa');
    expect(parseRuStorePrivateKey(ruStoreTestKey().privateKeyBase64).asymmetricKeyType).toBe('rsa');
  });

  it('refuses an unreadable key locally, naming the setting and never quoting the key', async () => {
    const garbage = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC-not-really-a-key';
    const err = await setup({ creds: { privateKey: garbage } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('stores.rustore.privateKey');
    expect((err as ConfigError).message).not.toContain('MIIEvQ');
    expect(() => parseRuStorePrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----')).toThrow(
      /stores\.rustore\.privateKey/,
    );
  });

  it('reports a key that does not match (bad signature) as an auth error, without touching the API', async () => {
    const t = await setup({ creds: { privateKey: ruStoreTestKey('other').privateKeyBase64 } });
    const err = await collect(reviewPages(t.connector, app)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ kind: 'auth', status: 401 });
    expect((err as RemoteError).message).toContain('Signature not valid');
    expect((err as RemoteError).hint).toContain('stores.rustore.keyId');
    expect(t.requests('/public/v1')).toHaveLength(0);
    expect(t.requests('/public/auth').every((r) => r.status === 401)).toBe(true);
  });

  it('reports an unknown key id as an auth error', async () => {
    const t = await setup({ creds: { keyId: '999' } });
    await expect(t.connector.ping()).rejects.toMatchObject({ kind: 'auth', status: 401 });
  });

  it('says the clock is off when RuStore refuses the timestamp (machine 2 minutes ahead)', async () => {
    const t = await setup({ deps: { now: () => Date.now() + 120_000 }, emulator: { now: Date.now } });
    const err = (await t.connector.ping().catch((e: unknown) => e)) as RemoteError;
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.kind).toBe('auth');
    expect(err.status).toBe(400);
    expect(err.message).toContain('Range timestamp not valid');
    expect(err.message).toMatch(/clock is off/);
    expect(err.hint).toMatch(/NTP/);
  });

  it('signs in again once when the token has expired on the server (401)', async () => {
    const t = await setup();
    t.emu.addComment(pkg);
    await collect(reviewPages(t.connector, app));
    t.emu.expireTokens();
    const pages = await collect(reviewPages(t.connector, app));
    expect(pages.flat()).toHaveLength(1);
    expect(t.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /public/auth/ 200',
      `GET /public/v1/application/${pkg}/comment 200`,
      `GET /public/v1/application/${pkg}/comment 401`,
      'POST /public/auth/ 200',
      `GET /public/v1/application/${pkg}/comment 200`,
    ]);
  });

  it('renews the token before its ttl runs out, without waiting for a 401', async () => {
    const t = await setup();
    t.emu.addComment(pkg);
    await collect(reviewPages(t.connector, app));
    t.clock.now += 800_000; // 13m20s: still reused
    await collect(reviewPages(t.connector, app));
    expect(t.requests('/public/auth')).toHaveLength(1);
    t.clock.now += 50_000; // 14m10s: inside the last minute, renewed
    await collect(reviewPages(t.connector, app));
    expect(t.requests('/public/auth')).toHaveLength(2);
    expect(t.requests().filter((r) => r.status === 401)).toHaveLength(0);
  });

  it('follows a shorter ttl given by the service', async () => {
    const t = await setup({ emulator: { tokenTtlSec: 60 } });
    t.emu.addComment(pkg);
    await collect(reviewPages(t.connector, app));
    t.clock.now += 31_000; // past half of a 60 s ttl: renewed before the server would refuse it
    await collect(reviewPages(t.connector, app));
    expect(t.requests('/public/auth')).toHaveLength(2);
    expect(t.requests().filter((r) => r.status === 401)).toHaveLength(0);
  });

  it('never writes the key or the token into logs', async () => {
    const t = await setup();
    t.emu.addComment(pkg);
    await collect(reviewPages(t.connector, app));
    t.emu.expireTokens();
    await collect(reviewPages(t.connector, app));
    const logs = t.logLines.join('\n');
    expect(logs).not.toContain(ruStoreTestKey().privateKeyBase64.slice(0, 40));
    expect(logs).not.toMatch(/eyJhbGciOiJkaXIi/);
  });
});
