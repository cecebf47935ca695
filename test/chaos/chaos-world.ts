/**
 * The chaos suite's world: the four emulators (startWorld) seeded with reviews whose text
 * carries a token `{<app>-<n>/r<k>}` (logical review n, content revision k), edits and new
 * reviews played between runs, agents' replies typed in Omnidesk, and the check that what
 * reached Omnidesk and the stores is exactly what should have, judged from the emulators
 * alone (not from our database): one case per review, its latest text in it, no message or
 * answer sent twice.
 */
import { expect } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { SyncReport } from '../../src/engine/report.js';
import { ReplyPublisher, type ReplyFlushReport } from '../../src/engine/reply-publisher.js';
import type { Services } from '../../src/engine/services.js';
import { SyncEngine, type SyncRunOptions } from '../../src/engine/sync-engine.js';
import { buildServices } from '../../src/engine/wiring.js';
import { mulberry32, type LoggedRequest } from '../../src/emulators/harness.js';
import { startWorld, worldApps, type World, type WorldOptions } from '../../src/emulators/world.js';
import { memoryLogger, type Logger } from '../../src/log.js';
import { openDb } from '../../src/state/db.js';
import type { SqliteStateDb } from '../../src/state/sqlite-handle.js';
import { LabelCache } from '../../src/state/labels.js';
import { sqliteUsageLedger } from '../../src/state/usage.js';
import { tempDir } from '../helpers/temp.js';

/** A temp folder removed when the current test ends (or its file, when made in a hook). */
export function testDir(): string {
  return tempDir('asodesk-omni-chaos-');
}

export type AppName = keyof typeof worldApps;
export const appNames: readonly AppName[] = ['ios', 'android', 'rustore'];

export interface Logical {
  app: AppName;
  n: number;
  /** The review's id in its store now (App Store may re-create it under a new id). */
  id: string;
  rev: number;
  rating: number;
}

export interface Reply {
  caseId: number;
  logical: Logical;
  text: string;
}

const tokenOf = (l: Logical): string => `{${l.app}-${l.n}/r${l.rev}}`;
const prefixOf = (l: Logical): string => `{${l.app}-${l.n}/`;

export class ChaosWorld {
  readonly reviews: Logical[] = [];
  readonly replies: Reply[] = [];
  readonly random: () => number;
  private readonly counters: Record<AppName, number> = { ios: 0, android: 0, rustore: 0 };
  /** App Store reviews re-created under a new id: not answered (the answer would follow a vanished id); answered ones are not re-created. */
  private readonly noReply = new Set<Logical>();

  constructor(
    readonly world: World,
    seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  static async start(opts: WorldOptions & { seed: number }): Promise<ChaosWorld> {
    return new ChaosWorld(await startWorld(opts), opts.seed);
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private text(l: Logical): string {
    return `Review text ${tokenOf(l)} ${'lorem ipsum '.repeat(1 + (l.n % 4))}`.trim();
  }

  addReview(app: AppName): Logical {
    const l: Logical = { app, n: ++this.counters[app], id: '', rev: 0, rating: 1 + Math.floor(this.random() * 5) };
    const { world } = this;
    if (app === 'ios')
      l.id = world.appStore.addReview(worldApps.ios.appId, {
        rating: l.rating,
        title: `Title ${l.n}`,
        body: this.text(l),
        reviewerNickname: `nick-${l.n}`,
      });
    else if (app === 'android')
      l.id = world.googlePlay.addReview(worldApps.android.appId, {
        authorName: `Author ${l.n}`,
        text: `Title ${l.n}\t${this.text(l)}`,
        starRating: l.rating,
        reviewerLanguage: 'en',
      });
    else
      l.id = String(
        world.rustore.addComment(worldApps.rustore.appId, {
          userName: `Пользователь ${l.n}`,
          appRating: l.rating,
          commentText: this.text(l),
        }),
      );
    this.reviews.push(l);
    return l;
  }

  seed(perApp: number): void {
    for (const app of appNames) for (let i = 0; i < perApp; i++) this.addReview(app);
  }

  /** The customer edits the review: new text revision, maybe a new rating. */
  edit(l: Logical, opts: { newId?: boolean } = {}): void {
    l.rev += 1;
    if (this.random() < 0.6) l.rating = 1 + Math.floor(this.random() * 5);
    const { world } = this;
    if (l.app === 'ios') {
      const newId = Boolean(opts.newId) && !this.replies.some((r) => r.logical === l);
      l.id = world.appStore.editReview(l.id, { rating: l.rating, body: this.text(l) }, { newId });
      if (newId) this.noReply.add(l);
    } else if (l.app === 'android')
      world.googlePlay.editReview(l.id, { text: `Title ${l.n}\t${this.text(l)}`, starRating: l.rating });
    else world.rustore.editComment(Number(l.id), { appRating: l.rating, commentText: this.text(l) });
  }

  /** Edits `count` random reviews (a fifth of App Store ones re-created under a new id); maybe one new review per app. */
  churn(count: number, opts: { newReviews: boolean }): void {
    for (let i = 0; i < count; i++) this.edit(this.pick(this.reviews), { newId: this.random() < 0.2 });
    if (opts.newReviews) for (const app of appNames) this.addReview(app);
  }

  /** The case in Omnidesk that carries this review (its text token), if any yet. */
  caseOf(l: Logical): number | undefined {
    const omni = this.world.omnidesk;
    return omni.cases().find((c) => omni.messages(c.caseId).some((m) => m.content.includes(prefixOf(l))))?.caseId;
  }

  /**
   * An agent answers a review that has a case and no answer yet (no webhook is set, so only
   * `sync --poll-replies` finds it). Returns undefined when no case qualifies.
   */
  async reply(only?: Logical): Promise<Reply | undefined> {
    const candidates = (only ? [only] : this.reviews).filter(
      (l) => !this.noReply.has(l) && !this.replies.some((r) => r.logical === l),
    );
    for (let tries = 0; tries < 10 && candidates.length > 0; tries++) {
      const l = this.pick(candidates);
      const caseId = this.caseOf(l);
      if (caseId === undefined) continue;
      const r: Reply = { caseId, logical: l, text: `Thank you, ${l.app}-${l.n}: fixed in 2.${l.n}.` };
      await this.world.omnidesk.addStaffReply(caseId, r.text);
      this.replies.push(r);
      return r;
    }
    return undefined;
  }

  /** Answer POSTs for this review that reached the store's handler (faults before it excluded). */
  answerPosts(l: Logical): LoggedRequest[] {
    const { world } = this;
    let posts: LoggedRequest[];
    if (l.app === 'ios')
      posts = world.appStore.server
        .serviceRequests()
        .filter(
          (q) => q.method === 'POST' && q.path === '/v1/customerReviewResponses' && q.body.includes(`"id":"${l.id}"`),
        );
    else if (l.app === 'android')
      posts = world.googlePlay.server
        .serviceRequests()
        .filter((q) => q.method === 'POST' && decodeURIComponent(q.path).endsWith(`/reviews/${l.id}:reply`));
    else
      posts = world.rustore.server
        .serviceRequests()
        .filter(
          (q) =>
            q.method === 'POST' &&
            q.path.endsWith('/feedback') &&
            new URLSearchParams(q.query).get('commentId') === l.id,
        );
    return posts.filter((q) => q.fault === undefined || q.fault === 'slow' || q.fault === 'malformed');
  }

  /**
   * Everything delivered exactly once, judged from the emulators. `interrupted` are replies
   * whose publishing a killed process may have cut between the store's answer and our record
   * of it: their store may have seen the (overwriting or looked-up) request twice, never more.
   */
  expectConverged(opts: { interrupted?: ReadonlySet<Reply>; cuts?: ReadonlyMap<Reply, number> } = {}): void {
    const omni = this.world.omnidesk;
    const cases = omni.cases();
    const messages = new Map(cases.map((c) => [c.caseId, omni.messages(c.caseId)]));

    // One case per review, and no case mixing two reviews.
    const owner = new Map<number, Logical>();
    for (const l of this.reviews) {
      const holding = cases.filter((c) =>
        messages.get(c.caseId)!.some((m) => !m.note && m.content.includes(prefixOf(l))),
      );
      expect(
        holding.map((c) => c.caseId),
        `cases of ${tokenOf(l)}`,
      ).toHaveLength(1);
      const c = holding[0]!;
      expect(owner.get(c.caseId), `case ${c.caseId} holds two reviews`).toBeUndefined();
      owner.set(c.caseId, l);
      expect(c.userCustomId?.startsWith(`${worldApps[l.app].store}:`)).toBe(true);
      // Nothing lost: the latest revision reached the case.
      expect(
        messages.get(c.caseId)!.some((m) => m.content.includes(tokenOf(l))),
        `latest ${tokenOf(l)} in case ${c.caseId}`,
      ).toBe(true);
    }
    expect(cases.length).toBe(this.reviews.length);
    expect(new Set(cases.map((c) => c.userCustomId)).size).toBe(cases.length);

    // Nothing sent twice: no repeated customer message, each edit marker once.
    for (const c of cases) {
      const customer = messages.get(c.caseId)!.filter((m) => !m.note && m.staffId === 0);
      expect(new Set(customer.map((m) => m.content)).size, `repeated message in case ${c.caseId}`).toBe(
        customer.length,
      );
      const markers = customer.flatMap((m) => m.content.match(/Review \S+, version \d+/g) ?? []);
      expect(new Set(markers).size, `repeated edit marker in case ${c.caseId}`).toBe(markers.length);
      const notes = messages
        .get(c.caseId)!
        .filter((m) => m.note)
        .map((m) => m.content);
      expect(new Set(notes).size, `repeated note in case ${c.caseId}`).toBe(notes.length);
    }

    // Every answer is in its store once.
    for (const r of this.replies) {
      const l = r.logical;
      if (l.app === 'ios') {
        const responses = this.world.appStore.responses().filter((x) => x.reviewId === l.id);
        expect(
          responses.map((x) => x.responseBody),
          `answer to ${l.app}-${l.n}`,
        ).toEqual([r.text]);
      } else if (l.app === 'android') {
        expect(
          this.world.googlePlay
            .replies(worldApps.android.appId)
            .filter((x) => x.reviewId === l.id)
            .map((x) => x.text),
          `answer to ${l.app}-${l.n}`,
        ).toEqual([r.text]);
      } else {
        const answers = this.world.rustore
          .feedback()
          .filter((f) => String(f.commentId) === l.id && f.status !== 'DELETED');
        expect(
          answers.map((f) => f.text),
          `answer to ${l.app}-${l.n}`,
        ).toEqual([r.text]);
      }
      // Sent again only after an answer that could not be read, or by a run that took over
      // the claim of a killed one (which may have been cut after the store acted).
      const posts = this.answerPosts(l);
      expect(posts.length, `answer POSTs for ${l.app}-${l.n}`).toBeGreaterThanOrEqual(1);
      // A claim a killed run left is taken over by the next run at once; each such cut may cost one more POST.
      if (opts.interrupted?.has(r)) expect(posts.length).toBeLessThanOrEqual(1 + (opts.cuts?.get(r) ?? 1));
      else
        expect(
          posts.slice(0, -1).map((q) => q.fault),
          `answer POSTs for ${l.app}-${l.n}`,
        ).toEqual(posts.slice(0, -1).map(() => 'malformed'));
    }
  }
}

export interface InProcessSync {
  report: SyncReport;
  logs: string[];
}

function inProcessServices(
  world: World,
  db: SqliteStateDb,
  logger: Logger,
  timeoutMs: number | undefined,
): { config: Config; services: Services } {
  world.saveConfig();
  const location = { configPath: world.configPath, dbPath: world.dbPath };
  const config: Config = loadConfig(location, {});
  const services = buildServices(config, location, logger, {
    usage: sqliteUsageLedger(db),
    labelCache: new LabelCache(db),
    wait: async () => {},
    backoffBaseMs: 1,
    timeoutMs,
  });
  return { config, services };
}

/** One sync in this process, with what the CLI does not expose: short client timeouts, instant retries. */
export async function syncInProcess(
  world: World,
  opts: SyncRunOptions & { timeoutMs?: number } = {},
): Promise<InProcessSync> {
  const db = openDb(world.dbPath);
  const logger = memoryLogger();
  try {
    const { config, services } = inProcessServices(world, db, logger, opts.timeoutMs);
    const report = await new SyncEngine({ db, config, services, logger }).run(opts);
    return { report, logs: logger.lines };
  } finally {
    db.closeSync();
  }
}

/**
 * The reply outbox flushed and read back as if `laterMs` had passed (what serve-hook's timer
 * or a later sync would do): retries become due, claims of dead processes stale. Only the
 * publisher's clock moves; polling Omnidesk needs the real one.
 */
export async function flushRepliesLater(
  world: World,
  laterMs: number,
  opts: { timeoutMs?: number } = {},
): Promise<{ flushed: ReplyFlushReport; logs: string[] }> {
  const db = openDb(world.dbPath);
  const logger = memoryLogger();
  try {
    const { config, services } = inProcessServices(world, db, logger, opts.timeoutMs);
    const publisher = new ReplyPublisher({ db, config, services, logger, now: () => Date.now() + laterMs });
    const flushed = await publisher.flush();
    await publisher.readBack();
    return { flushed, logs: logger.lines };
  } finally {
    db.closeSync();
  }
}
