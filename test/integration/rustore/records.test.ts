/**
 * RuStore as the real API behaves where the first version assumed otherwise: one malformed
 * comment is set aside (the rest flows), the app list is paged only with `pagination=true`,
 * and the stop rule holds only while comments really come newest first.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reviewPages } from '../../helpers/pages.js';
import { appsEnvelopeSchema } from '../../../src/connectors/stores/rustore/schema.js';
import type { SetAside } from '../../../src/connectors/stores/types.js';
import type { Review } from '../../../src/domain/review.js';
import { damage, mutation, type Json, type Mutation } from '../../helpers/mutate.js';
import { app, collect, pkg, setup } from './setup.js';

const commentPath = `/public/v1/application/${pkg}/comment`;

/** Rewrites the comment with this id in every comment page the emulator sends. */
function corrupt(t: Awaited<ReturnType<typeof setup>>, id: number, patch: (c: Record<string, unknown>) => void): void {
  t.emu.server.rewriteJson((path, json) => {
    if (path !== commentPath) return json;
    const body = (json as { body: Record<string, unknown>[] }).body;
    for (const c of body) if (c.commentId === id) patch(c);
    return json;
  });
}

describe('RuStore records, one at a time', () => {
  it('sets aside a comment with `appRating: null` and delivers the others of its page', async () => {
    const t = await setup();
    const ids = [1, 2, 3].map((i) => t.emu.addComment(pkg, { at: t.clock.now - i * 60_000, appRating: i + 1 }));
    corrupt(t, ids[1]!, (c) => (c.appRating = null));
    const setAside: SetAside[] = [];
    const reviews = (await collect(reviewPages(t.connector, app, { onSetAside: (s) => setAside.push(...s) }))).flat();
    expect(reviews.map((r) => r.reviewId)).toEqual([String(ids[0]), String(ids[2])]);
    expect(setAside).toHaveLength(1);
    expect(setAside[0]!.id).toBe(String(ids[1]));
    expect(setAside[0]!.reason).toMatch(new RegExp(`^record ${ids[1]}: field "appRating" `));
  });

  it('names a comment without a readable id by its place in the page', async () => {
    const t = await setup();
    const id = t.emu.addComment(pkg);
    t.emu.addComment(pkg, { at: t.clock.now - 1000 });
    corrupt(t, id, (c) => delete c.commentId);
    const setAside: SetAside[] = [];
    const reviews = (await collect(reviewPages(t.connector, app, { onSetAside: (s) => setAside.push(...s) }))).flat();
    expect(reviews).toHaveLength(1);
    expect(setAside).toEqual([
      { id: undefined, reason: 'record [0] (no readable id): field "commentId" Invalid input' },
    ]);
  });
});

describe('RuStore app list', () => {
  it('asks with pagination=true and follows continuationToken past the first page', async () => {
    const t = await setup();
    for (let i = 0; i < 130; i++) t.emu.addApp(`ru.example.app${String(i).padStart(3, '0')}`, `App ${i}`);
    const apps = await t.connector.listApps();
    expect(apps).toHaveLength(130);
    const queries = t
      .requests('/public/v1/application')
      .filter((r) => r.path === '/public/v1/application')
      .map((r) => new URLSearchParams(r.query));
    expect(queries).toHaveLength(2);
    expect(queries.every((q) => q.get('pagination') === 'true')).toBe(true);
    expect(queries[1]!.get('continuationToken')).toBe('100');
  });

  it('skips an app listed without a package name (optional in the OpenAPI) and keeps the others', async () => {
    const t = await setup();
    t.emu.addApp('ru.example.one', 'One');
    t.emu.addApp('ru.example.two', 'Two');
    t.emu.server.rewriteJson((path, json) => {
      if (path !== '/public/v1/application') return json;
      for (const a of (json as { body: { content: Record<string, unknown>[] } }).body.content)
        if (a.packageName === 'ru.example.one') delete a.packageName;
      return json;
    });
    expect((await t.connector.listApps()).map((a) => a.appId)).toEqual(['ru.example.two']);
    expect(
      t.logLines.some(
        (l) => l.includes('RuStore listed apps that cannot be used') && l.includes('field \\"packageName\\"'),
      ),
    ).toBe(true);
  });

  it('the emulator, like the API, does not page without pagination=true', async () => {
    const t = await setup();
    for (let i = 0; i < 30; i++) t.emu.addApp(`ru.example.app${i}`, `App ${i}`);
    await t.connector.ping();
    // Asked as the first version did: pageSize without pagination=true.
    const res = await t.connector.http.request({
      path: '/public/v1/application',
      query: { pageSize: 100 },
      schema: appsEnvelopeSchema,
    });
    expect(res.data.body.content).toHaveLength(20);
    expect(res.data.body.continuationToken).toBeNull();
  });
});

describe('RuStore comment order and the stop rule', () => {
  function seed(t: Awaited<ReturnType<typeof setup>>): { newest: string; known: Set<string> } {
    for (let i = 0; i < 250; i++) t.emu.addComment(pkg, { at: t.clock.now - (250 - i) * 60_000 });
    const all = t.emu.comments(pkg);
    // All but the newest were synced before.
    return { newest: String(all[0]!.commentId), known: new Set(all.slice(1).map((c) => String(c.commentId))) };
  }

  it('sorted newest first (the sort we send): stops at the first page of known reviews', async () => {
    const t = await setup();
    const { newest, known } = seed(t);
    const pages = await collect(
      reviewPages(t.connector, app, { isKnownUnchanged: (r: Review) => known.has(r.reviewId) }),
    );
    expect(pages.flat()[0]!.reviewId).toBe(newest);
    expect(t.requests(commentPath)).toHaveLength(2);
  });
});

describe('RuStore connector under random damage (property)', () => {
  it('never throws out of readPages and never loses the valid comments of a page', async () => {
    const t = await setup();
    const ids = Array.from({ length: 12 }, (_, i) =>
      t.emu.addComment(pkg, { at: t.clock.now - i * 60_000, appRating: (i % 5) + 1 }),
    );
    let damaged = new Map<number, Mutation[]>();
    t.emu.server.rewriteJson((path, json) => {
      if (path !== commentPath) return json;
      const env = json as { body: unknown[] };
      env.body = env.body.map((c) => {
        const m = damaged.get((c as { commentId: number }).commentId);
        return m ? damage(c as Json, m) : c;
      });
      return json;
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: ids.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 })), {
          maxLength: 6,
        }),
        async (picks) => {
          damaged = new Map(picks.map(([i, m]) => [ids[i]!, m]));
          const setAside: SetAside[] = [];
          const reviews = (
            await collect(reviewPages(t.connector, app, { onSetAside: (s) => setAside.push(...s) }))
          ).flat();
          const got = new Set(reviews.map((r) => r.reviewId));
          for (const id of ids) if (!damaged.has(id)) expect(got.has(String(id))).toBe(true);
          // A damaged id may collide with another comment's: one version per id, the newest.
          expect(new Set(reviews.map((r) => r.reviewId)).size).toBe(reviews.length);
          expect(reviews.length + setAside.length).toBeLessThanOrEqual(ids.length);
          if (picks.length === 0) expect(reviews).toHaveLength(ids.length);
        },
      ),
      { numRuns: 25, seed: 14 },
    );
  });
});
