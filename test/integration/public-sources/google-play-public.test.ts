import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { googlePlaySchema } from '../../../src/config/schema.js';
import type { Review } from '../../../src/domain/review.js';
import { RemoteError } from '../../../src/errors.js';
import {
  createGooglePlayPublicSource,
  defaultLanguages,
  scraperRequestOptions,
  type GooglePlayPublicOptions,
} from '../../../src/connectors/stores/google-play-public/index.js';
import type { AppRef } from '../../../src/connectors/stores/types.js';
import type { PagingTestOptions as FetchOptions } from '../../helpers/pages.js';
import { GooglePlayPublicEmulator } from '../../../src/emulators/google-play-public.js';
import { captureLogger, fakeClock } from './helpers.js';
import { reviewPages } from '../../helpers/pages.js';

const appId = 'com.example.app';

/** What the scraper put in f.req: the inner call [null,null,[2,sort,[count,null,token],null,[]],[appId,7]]. */
function innerCall(body: string): { appId: string; sort: number; count: number; token: string | null } {
  const fReq = new URLSearchParams(body).get('f.req')!;
  const outer = JSON.parse(fReq) as [[[string, string]]];
  const inner = JSON.parse(outer[0][0][1]) as [
    null,
    null,
    [number, number, [number, null, string | null]],
    [string, number],
  ];
  return { appId: inner[3][0], sort: inner[2][1], count: inner[2][2][0], token: inner[2][2][2] };
}

describe('Google Play public source (google-play-scraper against the emulator)', () => {
  let emu: GooglePlayPublicEmulator;
  let clock: ReturnType<typeof fakeClock>;

  function source(country = 'us', opts: GooglePlayPublicOptions = {}): ReturnType<typeof createGooglePlayPublicSource> {
    const cfg = googlePlaySchema.parse({ publicBaseUrl: emu.baseUrl, publicCountry: country });
    return createGooglePlayPublicSource(
      cfg,
      { logger: captureLogger().logger, now: clock.now, wait: clock.wait, backoffBaseMs: 5, timeoutMs: 5_000 },
      opts,
    );
  }

  async function collect(s: ReturnType<typeof source>, app: AppRef, opts?: FetchOptions): Promise<Review[][]> {
    const pages: Review[][] = [];
    for await (const page of reviewPages(s, app, opts)) pages.push(page);
    return pages;
  }

  const sent = (): { hl: string | null; gl: string | null; call: ReturnType<typeof innerCall> }[] =>
    emu.server.serviceRequests().map((r) => {
      const q = new URLSearchParams(r.query);
      return { hl: q.get('hl'), gl: q.get('gl'), call: innerCall(r.body) };
    });

  async function restart(opts: ConstructorParameters<typeof GooglePlayPublicEmulator>[0]): Promise<void> {
    await emu.stop();
    emu = new GooglePlayPublicEmulator(opts);
    await emu.start();
  }

  beforeEach(async () => {
    emu = new GooglePlayPublicEmulator();
    await emu.start();
    clock = fakeClock();
  });
  afterEach(async () => {
    await emu.stop();
  });

  it('declares itself a read-only public source', () => {
    const s = source();
    expect(s).toMatchObject({
      store: 'google-play',
      origin: 'public',
      capabilities: { reply: false, maxReplyLength: 0, replyNeedsReadBack: false },
    });
    expect(s.publishReply).toBeUndefined();
  });

  it('asks once per language with the scraper’s real request and maps unicode reviews', async () => {
    const ru = emu.addReview(
      appId,
      {
        userName: 'Иван Петров',
        text: 'Не грузится после обновления 😡',
        score: 1,
        version: '3.4.2',
        thumbsUp: 7,
        replyText: 'Исправили в 3.4.3 🙏',
      },
      { lang: 'ru' },
    );
    const ja = emu.addReview(
      appId,
      { userName: '山田太郎', text: 'とても使いやすいです！🎉', score: 5, version: null },
      { lang: 'ja' },
    );
    const en = emu.addReview(appId, { userName: 'Sam', text: '👍👍👍', score: 4 }, { lang: 'en' });

    const pages = await collect(source('de'), { store: 'google-play', appId, languages: ['ru', 'ja', 'en'] });
    const all = pages.flat();
    expect(all.map((r) => r.reviewId)).toEqual([ru.id, ja.id, en.id]);
    expect(all[0]).toMatchObject({
      store: 'google-play',
      appId,
      reviewId: ru.id,
      rating: 1,
      text: 'Не грузится после обновления 😡',
      author: 'Иван Петров',
      language: 'ru',
      appVersion: '3.4.2',
      thumbsUp: 7,
      origin: 'public',
      createdAt: new Date(ru.dateMs).toISOString(),
      developerAnswer: {
        text: 'Исправили в 3.4.3 🙏',
        state: 'PUBLISHED',
        updatedAt: new Date(ru.replyDateMs!).toISOString(),
      },
    });
    expect(all[0]!.title).toBeUndefined();
    expect(all[1]).toMatchObject({
      text: 'とても使いやすいです！🎉',
      author: '山田太郎',
      language: 'ja',
      appVersion: undefined,
      developerAnswer: undefined,
    });
    expect(all[2]).toMatchObject({ text: '👍👍👍', language: 'en' });

    const requests = emu.server.serviceRequests();
    expect(requests.every((r) => r.method === 'POST' && r.path === '/_/PlayStoreUi/data/batchexecute')).toBe(true);
    expect(requests[0]!.query).toContain('rpcids=qnKhOb');
    expect(sent().map((s) => [s.hl, s.gl])).toEqual([
      ['ru', 'de'],
      ['ja', 'de'],
      ['en', 'de'],
    ]);
    expect(sent()[0]!.call).toEqual({ appId, sort: 2, count: 150, token: null });
  });

  it('reads the storefront language plus English when the app names no language', async () => {
    await collect(source('ru'), { store: 'google-play', appId });
    expect(sent().map((s) => s.hl)).toEqual(['ru', 'en']);
    emu.server.requests.length = 0;
    await collect(source('us'), { store: 'google-play', appId });
    expect(sent().map((s) => s.hl)).toEqual(['en']);
    expect(defaultLanguages('jp')).toEqual(['ja', 'en']);
  });

  it('follows the pagination token page by page, newest first', async () => {
    await restart({ maxPageSize: 20 });
    for (let i = 0; i < 45; i++) emu.addReview(appId, { text: `review ${i}` });
    const pages = await collect(source(), { store: 'google-play', appId, languages: ['en'] });
    expect(pages.map((p) => p.length)).toEqual([20, 20, 5]);
    expect(pages[0]![0]!.text).toBe('review 44');
    expect(pages[2]![4]!.text).toBe('review 0');
    const calls = sent().map((s) => s.call);
    expect(calls[0]!.token).toBeNull();
    expect(calls[1]!.token).toEqual(expect.any(String));
    expect(calls[2]!.token).not.toBe(calls[1]!.token);
  });

  it('stops after a page of known reviews unless full, and respects the page cap', async () => {
    await restart({ maxPageSize: 20 });
    const old = Array.from({ length: 40 }, (_, i) => emu.addReview(appId, { text: `old ${i}` }));
    for (let i = 0; i < 5; i++) emu.addReview(appId, { text: `new ${i}` });
    const known = new Set(old.map((r) => r.id));
    const isKnownUnchanged = (r: Review): boolean => known.has(r.reviewId);

    const pages = await collect(source(), { store: 'google-play', appId, languages: ['en'] }, { isKnownUnchanged });
    expect(pages.map((p) => p.length)).toEqual([20, 20]);
    expect(emu.server.serviceRequests()).toHaveLength(2);

    emu.server.requests.length = 0;
    expect(
      (
        await collect(source(), { store: 'google-play', appId, languages: ['en'] }, { isKnownUnchanged, full: true })
      ).flat(),
    ).toHaveLength(45);

    emu.server.requests.length = 0;
    const capped = await collect(
      source('us', { maxPages: 2 }),
      { store: 'google-play', appId, languages: ['en'] },
      { full: true },
    );
    expect(capped.flat()).toHaveLength(40);
    expect(emu.server.serviceRequests()).toHaveLength(2);
  });

  it('an edited review comes back on top with its new text and date', async () => {
    const first = emu.addReview(appId, { text: 'crashes', score: 1 });
    emu.addReview(appId, { text: 'other' });
    const edited = emu.editReview(appId, first.id, { text: 'fixed, thanks', score: 5 });
    const all = (await collect(source(), { store: 'google-play', appId, languages: ['en'] })).flat();
    expect(all[0]).toMatchObject({
      reviewId: first.id,
      text: 'fixed, thanks',
      rating: 5,
      updatedAt: new Date(edited.dateMs).toISOString(),
    });
  });

  it('paces its requests on the injected clock', async () => {
    await restart({ maxPageSize: 10 });
    for (let i = 0; i < 25; i++) emu.addReview(appId, {});
    await collect(source(), { store: 'google-play', appId, languages: ['en'] });
    expect(emu.server.serviceRequests()).toHaveLength(3);
    expect(clock.waits).toEqual([1500, 1500]);
  });

  it('an unknown app gives nothing (Google answers a null payload)', async () => {
    expect(await collect(source(), { store: 'google-play', appId: 'com.unknown', languages: ['en'] })).toEqual([]);
    expect(emu.server.serviceRequests()).toHaveLength(1);
  });

  it('retries 5xx and 429, then reads the page', async () => {
    emu.addReview(appId, { text: 'still here' });
    emu.server.setFaults({ next: ['503', '429', '500'] });
    const all = (await collect(source(), { store: 'google-play', appId, languages: ['en'] })).flat();
    expect(all.map((r) => r.text)).toEqual(['still here']);
    expect(emu.server.serviceRequests().map((r) => r.status)).toEqual([503, 429, 500, 200]);
  });

  it('gives up with a transient RemoteError after its retries', async () => {
    emu.server.setFaults({ rate: 1, kinds: ['502'] });
    const err = await collect(source(), { store: 'google-play', appId, languages: ['en'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as RemoteError).kind).toBe('transient');
    expect((err as RemoteError).status).toBe(502);
    expect(emu.server.serviceRequests()).toHaveLength(5);
  });

  it('an unreadable answer is a bad-payload error, not retried', async () => {
    emu.addReview(appId, {});
    emu.server.setFaults({ next: ['malformed'] });
    const err = await collect(source(), { store: 'google-play', appId, languages: ['en'] }).catch((e: unknown) => e);
    expect((err as RemoteError).kind).toBe('bad-payload');
    expect(emu.server.serviceRequests()).toHaveLength(1);
  });

  it('ping reaches the pages', async () => {
    await expect(source().ping()).resolves.toBeUndefined();
    expect(emu.server.serviceRequests()).toHaveLength(1);
  });

  it('rewrites only the origin (and keeps a proxy path prefix)', () => {
    const opts = scraperRequestOptions('http://127.0.0.1:9/proxy/', 1000) as {
      hooks: { beforeRequest: ((o: { url: URL | string }) => void)[] };
    };
    const o: { url: URL | string } = {
      url: new URL('https://play.google.com/_/PlayStoreUi/data/batchexecute?hl=ru&gl=ru'),
    };
    opts.hooks.beforeRequest[0]!(o);
    expect(String(o.url)).toBe('http://127.0.0.1:9/proxy/_/PlayStoreUi/data/batchexecute?hl=ru&gl=ru');
    expect(scraperRequestOptions('https://play.google.com', 1000)).not.toHaveProperty('hooks');
  });
});
