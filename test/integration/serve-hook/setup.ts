/**
 * The whole reply loop on the real emulators: Omnidesk (which POSTs the channel webhook on an
 * agent's reply), App Store Connect, Google Play and RuStore, wired by `buildServices` from a
 * config pointing at them, a temp SQLite file (or a given state), and reviews already turned into cases.
 */
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { ConfigLocation } from '../../../src/config/load.js';
import { configSchema, type Config, type ConfigInput } from '../../../src/config/schema.js';
import type { Review, StoreId } from '../../../src/domain/review.js';
import { reviewKey } from '../../../src/domain/review.js';
import { noteBody } from '../../../src/engine/reply-notes.js';
import { ReplyPublisher } from '../../../src/engine/reply-publisher.js';
import type { Services } from '../../../src/engine/services.js';
import { buildServices } from '../../../src/engine/wiring.js';
import { AppStoreConnectEmulator } from '../../../src/emulators/app-store-connect.js';
import { GooglePlayEmulator } from '../../../src/emulators/google-play.js';
import { OmnideskEmulator } from '../../../src/emulators/omnidesk.js';
import { RuStoreEmulator } from '../../../src/emulators/rustore.js';
import { memoryLogger } from '../../../src/log.js';
import { openDb } from '../../../src/state/db.js';
import type { StateDb } from '../../../src/state/handle.js';
import { ReviewStore } from '../../../src/state/reviews.js';
import { makeServiceAccount } from '../../helpers/google-keys.js';
import { ecP256KeyPair } from '../../helpers/keys.js';
import { ruStoreTestKey } from '../../helpers/rustore-keys.js';
import { tempDir } from '../../helpers/temp.js';

export const secret = 'e2e-webhook-secret-0123456789abcdef';
export const apps = { 'app-store': '682658836', 'google-play': 'com.acme.notes', rustore: 'ru.acme.app' } as const;
const staffEmail = 'admin@example.test';
const apiKey = 'omni-test-key-0001';
const issuerId = '57246542-96fe-1a63-e053-0824d011072a';
const ascKeyId = '2X9R4HXF34';

export interface Loop {
  omni: OmnideskEmulator;
  asc: AppStoreConnectEmulator;
  gp: GooglePlayEmulator;
  ru: RuStoreEmulator;
  config: Config;
  location: ConfigLocation;
  db: StateDb;
  services: Services;
  logger: ReturnType<typeof memoryLogger>;
  /** A review in the store and its case in Omnidesk, as a sync would have left them. */
  reviewWithCase(
    store: StoreId,
    opts?: { local?: boolean },
  ): Promise<{ caseId: number; reviewId: string; key: string }>;
  publisher(now?: () => number): ReplyPublisher;
  /** Notes of ours in a case, in order. */
  notes(caseId: number): string[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

export interface LoopOptions {
  /** Omnidesk's clock (e.g. minutes off this machine's). */
  omniNow?: () => number;
  /** The state (test/helpers/backends.ts; closed by its opener); else a temp SQLite file. */
  state?: StateDb;
}

export async function startLoop(extra: Partial<ConfigInput> = {}, opts: LoopOptions = {}): Promise<Loop> {
  const dir = tempDir();
  const omni = new OmnideskEmulator({
    channels: [{ id: 1, title: 'App reviews' }],
    ...(opts.omniNow && { now: opts.omniNow }),
  });
  const ascKeys = ecP256KeyPair();
  const asc = new AppStoreConnectEmulator({ issuerId, keyId: ascKeyId, publicKeyPem: ascKeys.publicKeyPem });
  const gp = new GooglePlayEmulator({ serviceAccounts: [] });
  const ruKey = ruStoreTestKey();
  const ru = new RuStoreEmulator({
    keys: [{ keyId: ruKey.keyId, publicKeyPem: ruKey.publicKeyPem }],
    retryAfterSec: 0,
  });
  await Promise.all([omni.start(), asc.start(), gp.start(), ru.start()]);
  cleanups.push(() => Promise.all([omni.stop(), asc.stop(), gp.stop(), ru.stop()]).then(() => undefined));
  asc.addApp({ id: apps['app-store'], name: 'Notes', bundleId: 'com.acme.notes' });
  ru.addApp(apps.rustore, 'Заметки');
  const sa = makeServiceAccount(gp.tokenUri);
  gp.addServiceAccount(sa.clientEmail, sa.publicKeyPem);

  const config = configSchema.parse({
    omnidesk: {
      subdomain: 'acme',
      baseUrl: omni.baseUrl,
      staffEmail,
      apiKey,
      channel: 'cch1',
      channelTitle: 'App reviews',
      caseFieldId: 1,
    },
    stores: {
      appStore: { issuerId, keyId: ascKeyId, privateKey: ascKeys.privateKeyPem, baseUrl: asc.baseUrl },
      googlePlay: { serviceAccountJson: JSON.stringify(sa.account), baseUrl: gp.baseUrl },
      rustore: { keyId: ruKey.keyId, privateKey: ruKey.privateKeyBase64, baseUrl: ru.server.baseUrl },
    },
    apps: [
      { id: 'ios', store: 'app-store', appId: apps['app-store'] },
      { id: 'android', store: 'google-play', appId: apps['google-play'] },
      { id: 'ru', store: 'rustore', appId: apps.rustore },
    ],
    webhook: { secret },
    ...extra,
  });
  const location: ConfigLocation = { configPath: join(dir, 'config.json'), dbPath: join(dir, 'state.db') };
  let db: StateDb;
  if (opts.state) db = opts.state;
  else {
    const file = openDb(location.dbPath);
    cleanups.push(() => {
      file.closeSync();
    });
    db = file;
  }
  const logger = memoryLogger();
  const services = buildServices(config, location, logger, {
    backoffBaseMs: 1,
    timeoutMs: 5_000,
    wait: async () => {},
  });
  const reviews = new ReviewStore(db);

  const storeReview = (store: StoreId): string => {
    if (store === 'app-store') return asc.addReview(apps['app-store'], { rating: 2, body: 'Crashes on start' });
    if (store === 'google-play')
      return gp.addReview(apps['google-play'], { text: '\tCrashes on start', starRating: 2 });
    return String(ru.addComment(apps.rustore, { commentText: 'Вылетает при запуске', appRating: 2 }));
  };

  return {
    omni,
    asc,
    gp,
    ru,
    config,
    location,
    db,
    services,
    logger,
    async reviewWithCase(store, opts = {}) {
      const reviewId = storeReview(store);
      const review: Review = {
        store,
        appId: apps[store],
        reviewId,
        rating: 2,
        text: 'Crashes on start',
        createdAt: new Date().toISOString(),
        origin: 'api',
      };
      const key = reviewKey(review);
      const ref = await services.helpdesk.createCase({
        userCustomId: key,
        userFullName: 'Ann',
        subject: `★2 ${store} review`,
        content: review.text,
        contentHtml: `<p>${review.text}</p>`,
        labelIds: [],
      });
      if (opts.local !== false) {
        await reviews.insert(review, 'deliver', null);
        await reviews.setCase(key, ref.caseId, ref.userId);
      }
      return { caseId: ref.caseId, reviewId, key };
    },
    publisher: (now) => new ReplyPublisher({ db, config, services, logger, now, retryBaseMs: 10 }),
    notes: (caseId) =>
      omni
        .messages(caseId)
        .filter((m) => m.note)
        .map((m) => noteBody(m.content)),
  };
}

export async function waitFor(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** POST requests to a store emulator that wrote an answer. */
export function answerWrites(loop: Loop, store: StoreId): number {
  const requests =
    store === 'app-store'
      ? loop.asc.server.serviceRequests()
      : store === 'google-play'
        ? loop.gp.server.serviceRequests()
        : loop.ru.server.serviceRequests();
  return requests.filter(
    (r) => (r.method === 'POST' || r.method === 'PUT') && /customerReviewResponses|:reply|\/feedback/.test(r.path),
  ).length;
}
