/**
 * The demo's world: every emulator on loopback with fresh keys (see world.ts), the sample
 * reviews of `fixtures/demo/reviews.json` in each store, a random webhook secret, and a second
 * config for an App Store app without credentials (public feed) on its own channel.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ConfigInput } from '../config/schema.js';
import { writeConfigFile } from '../config/store.js';
import { reviewKey, type StoreId } from '../domain/review.js';
import { appleDate } from './app-store-connect.js';
import { startWorld, worldApps, type World } from './world.js';

const hour = 3_600_000;

const seedSchema = z.object({
  appStore: z.array(
    z.object({
      nickname: z.string(),
      territory: z.string(),
      rating: z.number().int(),
      title: z.string(),
      body: z.string(),
      hoursAgo: z.number(),
      editedTo: z.object({ rating: z.number().int().optional(), body: z.string().optional() }).optional(),
    }),
  ),
  googlePlay: z.array(
    z.object({
      author: z.string(),
      language: z.string(),
      stars: z.number().int(),
      title: z.string(),
      text: z.string(),
      hoursAgo: z.number(),
      appVersion: z.string(),
      editedFrom: z.object({ stars: z.number().int(), text: z.string() }).optional(),
      reply: z.string().optional(),
    }),
  ),
  rustore: z.array(
    z.object({
      author: z.string(),
      rating: z.number().int(),
      text: z.string(),
      hoursAgo: z.number(),
      appVersion: z.string(),
      edited: z.boolean().optional(),
      answer: z.string().optional(),
    }),
  ),
  appStorePublic: z.array(
    z.object({
      author: z.string(),
      country: z.string(),
      rating: z.number().int(),
      title: z.string(),
      text: z.string(),
      hoursAgo: z.number(),
    }),
  ),
  replies: z.record(
    z.enum(['app-store', 'google-play', 'rustore', 'no-credentials']),
    z.object({ to: z.string(), text: z.string() }),
  ),
});
export type DemoSeed = z.infer<typeof seedSchema>;

export type DemoTarget = StoreId | 'no-credentials';

export interface DemoReply {
  target: DemoTarget;
  /** The review key (`store:appId:reviewId`), the case's `user_custom_id`. */
  reviewKey: string;
  reviewId: string;
  author: string;
  text: string;
}

/** The App Store app read without credentials, on the second channel. */
export const publicApp = {
  id: 'ios-no-key',
  name: 'Acme Lite (no key)',
  store: 'app-store',
  appId: '1000000002',
} as const;
/** The demo account's staff groups; the routing rule sends 1★ reviews to the second. */
export const demoGroups = [
  { groupId: 1, title: 'Support' },
  { groupId: 2, title: 'Escalations' },
] as const;
/** The demo's routing rule and the draft its cases get (config `routing`, `drafts`). */
export const demoRule = {
  name: 'one-star',
  when: { ratings: [1] },
  then: { groupId: demoGroups[1].groupId, priority: 'high', labels: ['urgent'] },
} as const;
const demoDraft = {
  rule: demoRule.name,
  text: 'Hi {{author}}, we are sorry {{app}} lets you down. Which device and app version do you use? A fix is on its way.',
};

/**
 * The demo's reviewer who raises the rating after the answer (step 6): the App Store review
 * answered in step 3 goes from 1★ to 4★. Returns that reply, or undefined without its case.
 */
export function raiseAnsweredRating(w: DemoWorld): { reply: DemoReply; from: number; to: number } | undefined {
  const reply = w.replies.find((r) => r.target === 'app-store');
  const review = reply && w.appStore.reviews(worldApps.ios.appId).find((r) => r.id === reply.reviewId);
  if (!reply || !review) return undefined;
  const to = 4;
  w.appStore.editReview(reply.reviewId, { rating: to, body: 'После 3.2.1 всё работает, спасибо за быстрый ответ!' });
  return { reply, from: review.rating, to };
}

export const channels = {
  main: { id: 1, title: 'App reviews' },
  noKey: { id: 2, title: 'App reviews (no store key)' },
} as const;

export interface DemoWorld extends World {
  /** The review each agent reply answers, per store and for the app without credentials. */
  replies: DemoReply[];
  /** Config of the app without credentials, in its own folder (own database). */
  noKey: { dir: string; configPath: string; config: ConfigInput };
}

export function loadDemoSeed(): DemoSeed {
  const text = readFileSync(new URL('../../fixtures/demo/reviews.json', import.meta.url), 'utf8');
  return seedSchema.parse(JSON.parse(text));
}

/** A webhook secret as `init` makes one: 192 random bits, URL-safe. */
export function newWebhookSecret(): string {
  return randomBytes(24).toString('base64url');
}

export async function startDemoWorld(opts: { dir: string; now?: number | undefined }): Promise<DemoWorld> {
  const seed = loadDemoSeed();
  const now = opts.now ?? Date.now();
  const world = await startWorld({
    dir: opts.dir,
    omnidesk: {
      channels: [{ ...channels.main }, { ...channels.noKey }],
      groups: demoGroups.map((g) => ({ ...g })),
      caseFields: [
        { fieldId: 1, title: channels.main.title, fieldType: 'text' },
        { fieldId: 2, title: channels.noKey.title, fieldType: 'text' },
      ],
    },
  });
  const secret = newWebhookSecret();
  world.config.webhook = { ...world.config.webhook, secret };
  world.config.language = 'en';
  world.config.routing = [
    {
      name: demoRule.name,
      when: { ratings: [...demoRule.when.ratings] },
      then: { ...demoRule.then, labels: [...demoRule.then.labels] },
    },
  ];
  world.config.drafts = { enabled: true, templates: [{ ...demoDraft }] };
  // The sample set is small: every unanswered review becomes a case on the first sync.
  world.config.apps = (world.config.apps ?? []).map((a) => ({ ...a, filters: { backlog: 20 } }));
  world.saveConfig();

  const ids = seedStores(world, seed, now);
  const replies = Object.entries(seed.replies).map(([target, r]) => {
    const t = target as DemoTarget;
    const reviewId = ids[t].get(r.to);
    if (reviewId === undefined)
      throw new Error(`fixtures/demo/reviews.json: replies.${t}.to names "${r.to}", who wrote no review there`);
    const store: StoreId = t === 'no-credentials' ? 'app-store' : t;
    const appId = t === 'no-credentials' ? publicApp.appId : appIdOf(store);
    return { target: t, reviewKey: reviewKey({ store, appId, reviewId }), reviewId, author: r.to, text: r.text };
  });

  const noKeyDir = join(opts.dir, 'no-store-key');
  mkdirSync(noKeyDir, { recursive: true, mode: 0o700 });
  const stores = world.config.stores ?? {};
  const noKeyConfig: ConfigInput = {
    omnidesk: {
      ...world.config.omnidesk!,
      channel: `cch${channels.noKey.id}`,
      channelTitle: channels.noKey.title,
      caseFieldId: 2,
    },
    stores: {
      appStore: {
        baseUrl: stores.appStore?.baseUrl,
        publicBaseUrl: stores.appStore?.publicBaseUrl,
        publicCountries: ['us'],
      },
    },
    apps: [{ ...publicApp }],
    webhook: { secret: newWebhookSecret() },
    language: 'en',
  };
  const noKeyConfigPath = join(noKeyDir, 'config.json');
  writeConfigFile(noKeyConfigPath, noKeyConfig as Record<string, unknown>);
  return Object.assign(world, { replies, noKey: { dir: noKeyDir, configPath: noKeyConfigPath, config: noKeyConfig } });
}

function appIdOf(store: StoreId): string {
  return store === 'app-store'
    ? worldApps.ios.appId
    : store === 'google-play'
      ? worldApps.android.appId
      : worldApps.rustore.appId;
}

/** Puts the sample reviews into the emulators; returns review ids by author, per store. */
function seedStores(world: World, seed: DemoSeed, now: number): Record<DemoTarget, Map<string, string>> {
  const ids: Record<DemoTarget, Map<string, string>> = {
    'app-store': new Map(),
    'google-play': new Map(),
    rustore: new Map(),
    'no-credentials': new Map(),
  };
  for (const r of seed.appStore) {
    const id = world.appStore.addReview(worldApps.ios.appId, {
      rating: r.rating,
      title: r.title,
      body: r.body,
      reviewerNickname: r.nickname,
      territory: r.territory,
      createdDate: appleDate(now - r.hoursAgo * hour),
    });
    // Apple edits in place leave no trace but the new content.
    if (r.editedTo) world.appStore.editReview(id, r.editedTo);
    ids['app-store'].set(r.nickname, id);
  }
  for (const r of seed.googlePlay) {
    const at = now - r.hoursAgo * hour;
    const first = r.editedFrom ?? { stars: r.stars, text: r.text };
    const id = world.googlePlay.addReview(worldApps.android.appId, {
      authorName: r.author,
      // Google keeps the title and the body joined by a TAB.
      text: `${first === r.editedFrom ? '' : r.title}\t${first.text}`,
      starRating: first.stars,
      reviewerLanguage: r.language,
      appVersionName: r.appVersion,
      lastModified: r.editedFrom ? at - 2 * hour : at,
      reply: r.reply ? { text: r.reply, lastModified: at + hour } : undefined,
    });
    if (r.editedFrom) world.googlePlay.editReview(id, { text: `${r.title}\t${r.text}`, starRating: r.stars });
    ids['google-play'].set(r.author, id);
  }
  for (const r of seed.rustore) {
    const at = now - r.hoursAgo * hour;
    const id = world.rustore.addComment(worldApps.rustore.appId, {
      userName: r.author,
      appRating: r.rating,
      commentText: r.text,
      appVersionName: r.appVersion,
      at,
    });
    if (r.edited) world.rustore.editComment(id, { commentText: r.text });
    if (r.answer) world.rustore.addFeedback(worldApps.rustore.appId, id, r.answer, 'PUBLISHED', at + hour);
    ids.rustore.set(r.author, String(id));
  }
  for (const r of seed.appStorePublic) {
    const updated = appleDate(now - r.hoursAgo * hour);
    const review = world.appStorePublic.addReview(
      publicApp.appId,
      { author: r.author, rating: r.rating, title: r.title, text: r.text, updated },
      { country: r.country },
    );
    ids['no-credentials'].set(r.author, review.id);
  }
  return ids;
}

/** The services of the demo world, for the table the demo prints: [service, address, what]. */
export function demoServiceRows(w: DemoWorld): [string, string, string][] {
  return [
    [
      'Omnidesk',
      w.omnidesk.baseUrl,
      `channels "${channels.main.title}" (cch${channels.main.id}) and "${channels.noKey.title}" (cch${channels.noKey.id})`,
    ],
    [
      'App Store Connect',
      w.appStore.baseUrl,
      `${w.appStore.reviews(worldApps.ios.appId).length} reviews of ${worldApps.ios.name} (ES256 key, .p8)`,
    ],
    [
      'Google Play',
      w.googlePlay.baseUrl,
      `${w.googlePlay.reviews(worldApps.android.appId).length} reviews of ${worldApps.android.appId} (service account, RSA)`,
    ],
    [
      'RuStore',
      w.rustore.server.baseUrl,
      `${w.rustore.comments(worldApps.rustore.appId).length} reviews of ${worldApps.rustore.appId} (API key, RSA)`,
    ],
    [
      'App Store feed',
      w.appStorePublic.baseUrl,
      `${w.appStorePublic.reviews().length} reviews of Acme Lite, read without credentials`,
    ],
  ];
}

/** The store API emulators' addresses, for `demo --keep`. */
export function storeEmulatorUrls(w: DemoWorld): [string, string][] {
  return [
    ['App Store', w.appStore.baseUrl],
    ['Google Play', w.googlePlay.baseUrl],
    ['RuStore', w.rustore.server.baseUrl],
  ];
}

/** Every emulator's address by the `init` endpoint id (`--omnidesk-url`, the stores' `--…-url` flags). */
export function emulatorEndpoints(w: DemoWorld): Record<string, string> {
  return {
    omnidesk: w.omnidesk.baseUrl,
    appStore: w.appStore.baseUrl,
    appStorePublic: w.appStorePublic.baseUrl,
    googlePlay: w.googlePlay.baseUrl,
    googlePlayToken: w.googlePlay.tokenUri,
    googlePlayPublic: w.googlePlayPublic.baseUrl,
    rustore: w.rustore.server.baseUrl,
    rustorePublic: w.rustorePublic.baseUrl,
  };
}

/** Where the demo's app without store credentials reads its reviews. */
export const publicAppSource = 'App Store public feed';

/** The answer to a review as the store's emulator now has it. */
export function answerInStore(
  w: DemoWorld,
  store: StoreId,
  reviewId: string,
): { state: string; text: string } | undefined {
  switch (store) {
    case 'app-store': {
      const r = w.appStore.responses().find((x) => x.reviewId === reviewId);
      return r && { state: r.state, text: r.responseBody };
    }
    case 'google-play': {
      const r = w.googlePlay.replies(worldApps.android.appId).find((x) => x.reviewId === reviewId);
      return r && { state: 'PUBLISHED', text: r.text };
    }
    case 'rustore': {
      const r = w.rustore.feedback().find((x) => String(x.commentId) === reviewId && x.status !== 'DELETED');
      return r && { state: r.status, text: r.text };
    }
  }
}
