import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, importPKCS8, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { describeGoogleError } from '../../../src/connectors/stores/google-play/index.js';
import { ConfigError, RemoteError } from '../../../src/errors.js';
import { makeServiceAccount } from '../../helpers/google-keys.js';
import { collect, pkg, startGooglePlay } from './setup.js';
import { reviewPages } from '../../helpers/pages.js';

async function postToken(
  tokenUri: string,
  assertion: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(tokenUri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Google Play token exchange', () => {
  it('exchanges a good key at the key file token_uri (google-auth-library reaches the emulator)', async () => {
    const { emu, sa, connector, log } = await startGooglePlay();
    await connector.ping();
    expect(log()).toEqual(['POST /token 200']);
    const form = new URLSearchParams(emu.server.serviceRequests()[0]!.body);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const claims = decodeJwt(form.get('assertion')!);
    expect(claims).toMatchObject({
      iss: sa.clientEmail,
      aud: emu.tokenUri,
      scope: 'https://www.googleapis.com/auth/androidpublisher',
    });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(3600);
  });

  it('lets google-auth-library retry a failing token endpoint', async () => {
    const { emu, connector, log, logger, sa } = await startGooglePlay();
    emu.server.setFaults({ next: ['503'], pathPrefix: '/token' });
    await connector.ping();
    expect(log()).toEqual(['POST /token 503', 'POST /token 200']);
    expect(logger.lines.join('\n')).not.toContain(sa.privateKeyPem.split('\n')[1]!);
  });

  it('reuses one access token across requests and refreshes it shortly before expiry', async () => {
    const { emu, connector, clock, log } = await startGooglePlay({ tokenTtlSec: 120, pageSize: 2 });
    for (let i = 0; i < 5; i++) emu.addReview(pkg, { text: `review ${i}`, lastModified: clock.now - i * 1000 });
    await connector.ping();
    await collect(reviewPages(connector, { store: 'google-play', appId: pkg }));
    await connector.checkApp(pkg);
    expect(log().filter((l) => l.startsWith('POST /token'))).toHaveLength(1);
    expect(log().filter((l) => l.startsWith('GET'))).toHaveLength(4);

    // 110 s into a 120 s token: inside the refresh margin, so a new token before any 401.
    clock.advance(110_000);
    await connector.checkApp(pkg);
    expect(log().slice(-2)).toEqual(['POST /token 200', `GET /androidpublisher/v3/applications/${pkg}/reviews 200`]);
    expect(connector.tokens.exchanges).toBe(2);
  });

  it('answers a 401 with one token refresh', async () => {
    const { emu, connector, log } = await startGooglePlay();
    emu.addApp(pkg);
    await connector.checkApp(pkg);
    emu.revokeTokens();
    await connector.checkApp(pkg);
    const path = `/androidpublisher/v3/applications/${pkg}/reviews`;
    expect(log()).toEqual([
      'POST /token 200',
      `GET ${path} 200`,
      `GET ${path} 401`,
      'POST /token 200',
      `GET ${path} 200`,
    ]);
  });

  it('refuses a wrong key with an auth error that names the problem, not the key, and asks once', async () => {
    const { emu, sa, connect, log } = await startGooglePlay();
    emu.addApp(pkg);
    // Same account, but the JSON holds a key Google does not know (rotated or wrong file).
    const other = makeServiceAccount(emu.tokenUri, { clientEmail: sa.clientEmail, freshKey: true });
    const connector = connect({}, other);
    const err = await connector.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as RemoteError).kind).toBe('auth');
    expect((err as RemoteError).message).toContain('Invalid JWT Signature');
    expect((err as RemoteError).message).toMatch(/wrong, revoked or deleted/);
    expect((err as RemoteError).message).not.toContain('PRIVATE KEY');
    expect((err as RemoteError).hint).toContain(sa.clientEmail);
    await expect(connector.checkApp(pkg)).rejects.toMatchObject({ kind: 'auth' });
    expect(log()).toEqual(['POST /token 400']);
  });

  it('gives an auth error when the account is deleted after a token was issued', async () => {
    const { emu, sa, connector, log } = await startGooglePlay();
    emu.addApp(pkg);
    await connector.checkApp(pkg);
    emu.removeServiceAccount(sa.clientEmail);
    await expect(connector.checkApp(pkg)).rejects.toMatchObject({
      kind: 'auth',
      message: expect.stringContaining('account not found'),
    });
    expect(log().slice(-2)).toEqual([`GET /androidpublisher/v3/applications/${pkg}/reviews 401`, 'POST /token 400']);
  });

  it('checks audience, lifetime and scope of crafted assertions', async () => {
    const { emu, sa, clock } = await startGooglePlay();
    emu.addApp(pkg);
    const key = await importPKCS8(sa.privateKeyPem, 'RS256');
    const iat = Math.floor(clock.now / 1000);
    const sign = (claims: Record<string, unknown>, exp = iat + 3600): Promise<string> =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'kid' })
        .setIssuer(sa.clientEmail)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key);
    const androidpublisher = 'https://www.googleapis.com/auth/androidpublisher';

    const wrongAud = await postToken(
      emu.tokenUri,
      await sign({ aud: 'https://oauth2.googleapis.com/token', scope: androidpublisher }),
    );
    expect(wrongAud).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const tooLong = await postToken(
      emu.tokenUri,
      await sign({ aud: emu.tokenUri, scope: androidpublisher }, iat + 7200),
    );
    expect(tooLong.body.error_description).toMatch(/short-lived/);
    const noScope = await postToken(emu.tokenUri, await sign({ aud: emu.tokenUri }));
    expect(noScope).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });

    // Like Google, the token endpoint grants another scope; the API refuses the token.
    const otherScope = await postToken(
      emu.tokenUri,
      await sign({ aud: emu.tokenUri, scope: 'https://www.googleapis.com/auth/cloud-platform' }),
    );
    expect(otherScope.status).toBe(200);
    const res = await fetch(`${emu.baseUrl}/androidpublisher/v3/applications/${pkg}/reviews`, {
      headers: { authorization: `Bearer ${String(otherScope.body.access_token)}` },
    });
    const body = await res.json();
    expect(res.status).toBe(403);
    expect(describeGoogleError(403, body, sa.clientEmail)).toMatchObject({
      kind: 'auth',
      code: 'insufficientPermissions',
    });

    const good = await postToken(emu.tokenUri, await sign({ aud: emu.tokenUri, scope: androidpublisher }));
    expect(good).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 3600 } });
  });

  it('refuses a key that cannot sign with a ConfigError naming the setting', async () => {
    const { sa, connect } = await startGooglePlay();
    const broken = {
      ...sa,
      account: { ...sa.account, private_key: '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n' },
    };
    expect(() => connect({}, broken)).toThrow(ConfigError);
    expect(() => connect({}, broken)).toThrow(/stores\.googlePlay\.serviceAccountPath/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => connect({}, { ...sa, account: { ...sa.account, private_key: ec } })).toThrow(/not RSA/);
  });
});
