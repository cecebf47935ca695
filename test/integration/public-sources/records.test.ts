/** The public sources, like the console APIs: one malformed record is set aside, the rest flows. */
import { afterEach, describe, expect, it } from 'vitest';
import { appStoreSchema, rustoreSchema } from '../../../src/config/schema.js';
import { createAppStorePublicSource } from '../../../src/connectors/stores/app-store-public/index.js';
import { createRuStorePublicSource } from '../../../src/connectors/stores/rustore-public/index.js';
import type { SetAside, StoreConnector } from '../../../src/connectors/stores/types.js';
import type { Review } from '../../../src/domain/review.js';
import { AppStorePublicEmulator } from '../../../src/emulators/app-store-public.js';
import { RuStorePublicEmulator } from '../../../src/emulators/rustore-public.js';
import { reviewPages } from '../../helpers/pages.js';
import { captureLogger, fakeClock } from './helpers.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

async function read(source: StoreConnector, appId: string): Promise<{ reviews: Review[]; setAside: SetAside[] }> {
  const setAside: SetAside[] = [];
  const reviews: Review[] = [];
  for await (const page of reviewPages(
    source,
    { store: source.store, appId },
    { onSetAside: (s) => setAside.push(...s) },
  ))
    reviews.push(...page);
  return { reviews, setAside };
}

describe('public sources, one record at a time', () => {
  it('App Store feed: an entry rated 0 is set aside, the others of its page flow', async () => {
    const emu = new AppStorePublicEmulator();
    await emu.start();
    stops.push(() => emu.stop());
    const clock = fakeClock();
    const good = emu.addReview('1000000001', { rating: 4 });
    const bad = emu.addReview('1000000001', { rating: 2 });
    emu.server.rewriteJson((_path, json) => {
      const feed = (json as { feed: { entry?: { id: { label: string }; 'im:rating': { label: string } }[] } }).feed;
      for (const e of feed.entry ?? []) if (e.id.label === bad.id) e['im:rating'].label = '0';
      return json;
    });
    const cfg = appStoreSchema.parse({ publicBaseUrl: emu.baseUrl, publicCountries: ['us'] });
    const { reviews, setAside } = await read(
      createAppStorePublicSource(cfg, { logger: captureLogger().logger, now: clock.now, wait: clock.wait }),
      '1000000001',
    );
    expect(reviews.map((r) => r.reviewId)).toEqual([good.id]);
    expect(setAside).toEqual([
      { id: bad.id, reason: `record ${bad.id}: field "im:rating.label" must be a rating from 1 to 5` },
    ]);
  });

  it('RuStore pages: a comment with appRating null is set aside, the others of its page flow', async () => {
    const emu = new RuStorePublicEmulator();
    await emu.start();
    stops.push(() => emu.stop());
    const clock = fakeClock();
    const good = emu.addReview('com.example.app', { appRating: 5 });
    const bad = emu.addReview('com.example.app', { appRating: 3 });
    emu.server.rewriteJson((_path, json) => {
      const body = (json as { body?: { content: { commentId: unknown; appRating: unknown }[] } }).body;
      for (const c of body?.content ?? []) if (c.commentId === bad.commentId) c.appRating = null;
      return json;
    });
    const cfg = rustoreSchema.parse({ publicBaseUrl: emu.baseUrl });
    const { reviews, setAside } = await read(
      createRuStorePublicSource(cfg, { logger: captureLogger().logger, now: clock.now, wait: clock.wait }),
      'com.example.app',
    );
    expect(reviews.map((r) => r.reviewId)).toEqual([String(good.commentId)]);
    expect(setAside).toEqual([
      {
        id: String(bad.commentId),
        reason: `record ${bad.commentId}: field "appRating" Invalid input: expected number, received null`,
      },
    ]);
  });
});
