import { describe, expect, it } from 'vitest';
import { TooLongReplyError } from '../../../src/connectors/stores/types.js';
import { RemoteError } from '../../../src/errors.js';
import { collect, pkg, startGooglePlay } from './setup.js';
import { reviewPages } from '../../helpers/pages.js';

const app = { store: 'google-play' as const, appId: pkg };
const listPath = `/androidpublisher/v3/applications/${pkg}/reviews`;
const hour = 3_600_000;

async function failure(p: Promise<unknown>): Promise<RemoteError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RemoteError);
  return err as RemoteError;
}

describe('Google Play replies', () => {
  it('publishes a reply of exactly 350 characters and replaces it on a second send', async () => {
    const { emu, connector, log } = await startGooglePlay();
    const id = emu.addReview(pkg, { text: 'Crashes on start' });
    const text = 'x'.repeat(349) + '!';
    await expect(connector.publishReply(app, id, text)).resolves.toEqual({ state: 'PUBLISHED' });
    await connector.publishReply(app, id, 'Fixed in 1.2.4');
    expect(emu.replies(pkg)).toEqual([{ reviewId: id, text: 'Fixed in 1.2.4', lastModified: expect.any(Number) }]);
    expect(log().filter((l) => l.startsWith('POST /androidpublisher'))).toEqual([
      `POST ${listPath}/${encodeURIComponent(id)}:reply 200`,
      `POST ${listPath}/${encodeURIComponent(id)}:reply 200`,
    ]);
    expect(JSON.parse(emu.server.serviceRequests().find((r) => r.path.endsWith(':reply'))!.body)).toEqual({
      replyText: text,
    });
  });

  it('refuses 351 characters before sending anything', async () => {
    const { emu, connector } = await startGooglePlay();
    const id = emu.addReview(pkg, { text: 'Crashes on start' });
    const err = await failure(connector.publishReply(app, id, 'y'.repeat(351)));
    expect(err).toBeInstanceOf(TooLongReplyError);
    expect(err.kind).toBe('too-long');
    expect(err.message).toContain('351');
    expect(emu.server.serviceRequests()).toHaveLength(0); // not even a token exchange
    expect(emu.replies(pkg)).toEqual([]);
  });

  it('the emulator itself refuses an over-long reply in Google’s error shape', async () => {
    const { emu, connect } = await startGooglePlay();
    const id = emu.addReview(pkg, { text: 'Crashes on start' });
    const lax = connect({ maxReplyLength: 400 });
    const err = await failure(lax.publishReply(app, id, 'z'.repeat(351)));
    expect(err).toMatchObject({ kind: 'rejected', status: 400, code: 'invalid' });
    expect(err.message).toContain('too long');
  });

  it('retries a reply after a 500 with a null message (it replaces, so it is safe)', async () => {
    const { emu, connector, log } = await startGooglePlay();
    const id = emu.addReview(pkg, { text: 'Crashes on start' });
    emu.server.setFaults({ next: ['500'], pathPrefix: '/androidpublisher' });
    await connector.publishReply(app, id, 'Thanks');
    expect(log().filter((l) => l.startsWith('POST /androidpublisher'))).toEqual([
      `POST ${listPath}/${encodeURIComponent(id)}:reply 500`,
      `POST ${listPath}/${encodeURIComponent(id)}:reply 200`,
    ]);
    expect(emu.replies(pkg)).toHaveLength(1);
  });
});

describe('Google Play quotas and errors', () => {
  it('keeps to the per-app GET budget on the client, across runs, and says when it frees up', async () => {
    // Long-lived tokens: the test moves the clock past an hour.
    const { emu, connector, connect, clock, log } = await startGooglePlay(
      { tokenTtlSec: 86_400 },
      { quotaGetPerHour: 3 },
    );
    emu.addApp(pkg);
    const firstAt = clock.now;
    for (let i = 0; i < 3; i++) {
      await connector.checkApp(pkg);
      clock.advance(60_000);
    }
    expect(await connector.quotaSnapshot()).toMatchObject({
      [`get:${pkg}`]: 0,
      [`post:${pkg}`]: 2000,
      get: 0,
      post: 2000,
    });
    const sent = log().length;
    const err = await failure(connector.checkApp(pkg));
    expect(err).toMatchObject({ kind: 'quota', code: 'CLIENT_QUOTA' });
    // The first request leaves the rolling hour one millisecond after it is an hour old.
    const freesAt = firstAt + hour + 1;
    expect(err.message).toContain(new Date(freesAt).toISOString());
    expect(err.retryAfterMs).toBe(freesAt - clock.now);
    expect(log().length).toBe(sent); // nothing sent

    // The ledger outlives the connector (SQLite in production): the next run is refused too.
    await expect(connect().checkApp(pkg)).rejects.toMatchObject({ kind: 'quota' });
    clock.advance(freesAt - 1 - clock.now);
    await expect(connector.checkApp(pkg)).rejects.toMatchObject({ kind: 'quota' });
    clock.advance(1);
    await connector.checkApp(pkg);
    expect((await connector.quotaSnapshot())[`get:${pkg}`]).toBe(0);
  });

  it('stops paging when the budget runs out mid-pull', async () => {
    const { emu, connector } = await startGooglePlay({ pageSize: 1 }, { quotaGetPerHour: 2 });
    for (let i = 0; i < 3; i++) emu.addReview(pkg, { text: `r${i}`, lastModified: Date.now() - i * 1000 });
    const pages: number[] = [];
    const err = await failure(
      (async () => {
        for await (const page of reviewPages(connector, app)) pages.push(page.length);
      })(),
    );
    expect(err.kind).toBe('quota');
    expect(pages).toEqual([1, 1]);
  });

  it('reads the emulator’s 403 usageLimits answer as a spent quota, without retrying', async () => {
    const { emu, connector, log } = await startGooglePlay({ getPerHour: 2 });
    emu.addApp(pkg);
    await connector.checkApp(pkg);
    await connector.checkApp(pkg);
    const err = await failure(connector.checkApp(pkg));
    expect(err).toMatchObject({ kind: 'quota', status: 403, code: 'rateLimitExceeded' });
    expect(err.hint).toContain('review_apiqr');
    expect(log().filter((l) => l.endsWith(' 403'))).toHaveLength(1);
  });

  it('retries a 429 with backoff, then reports it as rate-limited', async () => {
    const { emu, connector, log } = await startGooglePlay({ getPerHour: 1, quotaStatus: 429 });
    emu.addApp(pkg);
    emu.server.setFaults({ next: ['429'], pathPrefix: '/androidpublisher' });
    await connector.checkApp(pkg); // injected 429, then the one request of the quota
    expect(log().slice(1)).toEqual([`GET ${listPath} 429`, `GET ${listPath} 200`]);
    const err = await failure(connector.checkApp(pkg));
    expect(err).toMatchObject({ kind: 'rate-limited', status: 429 });
    expect(log().filter((l) => l.endsWith(' 429'))).toHaveLength(1 + 5); // first try + 4 retries
  });

  it('explains a 403 permissionDenied: invite the service account in Play Console', async () => {
    const { emu, sa, connector, log } = await startGooglePlay();
    emu.setPermission(pkg, false);
    const err = await failure(connector.checkApp(pkg));
    expect(err).toMatchObject({ kind: 'permission', status: 403, code: 'permissionDenied' });
    expect(err.message).toContain('Users and permissions');
    expect(err.message).toContain('Reply to reviews');
    expect(err.message).toContain(sa.clientEmail);
    expect(log()).toEqual(['POST /token 200', `GET ${listPath} 403`]);
  });

  it('retries 5xx answers (JSON and HTML) when reading reviews', async () => {
    const { emu, connector, log } = await startGooglePlay();
    emu.addReview(pkg, { text: 'hello' });
    emu.server.setFaults({ next: ['500', '502', '503'], pathPrefix: '/androidpublisher' });
    const pages = await collect(reviewPages(connector, app));
    expect(pages.flat()).toHaveLength(1);
    expect(log().slice(1)).toEqual([
      `GET ${listPath} 500`,
      `GET ${listPath} 502`,
      `GET ${listPath} 503`,
      `GET ${listPath} 200`,
    ]);
  });

  it('reports an unknown package as not-found', async () => {
    const { connector } = await startGooglePlay();
    await expect(connector.checkApp('com.nobody.here')).rejects.toMatchObject({
      kind: 'not-found',
      code: 'applicationNotFound',
    });
  });
});
