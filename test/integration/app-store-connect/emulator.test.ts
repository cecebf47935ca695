import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { appId, craftToken, rawGet, startAppStore } from './setup.js';

interface Page {
  data: {
    id: string;
    attributes: { rating: number; createdDate: string };
    relationships: { response: { data?: unknown } };
  }[];
  included?: { id: string; attributes: { state: string } }[];
  links: { next?: string };
}

describe('App Store Connect emulator', () => {
  async function setup(): Promise<
    { get: (path: string) => ReturnType<typeof rawGet>; token: string } & Awaited<ReturnType<typeof startAppStore>>
  > {
    const s = await startAppStore();
    const iat = Math.floor(s.clock.now / 1000);
    const token = await craftToken(s.keys.privateKeyPem, { iat, exp: iat + 600 });
    return { ...s, token, get: (path) => rawGet(s.emu.baseUrl, path, token) };
  }

  it('refuses limit over 200 and unknown sorts with PARAMETER_ERROR; X-Rate-Limit on every answer', async () => {
    const { get } = await setup();
    const over = await get(`/v1/apps/${appId}/customerReviews?limit=201`);
    expect(over.status).toBe(400);
    expect(over.json).toMatchObject({
      errors: [{ status: '400', code: 'PARAMETER_ERROR.INVALID', source: { parameter: 'limit' } }],
    });
    expect(over.headers['x-rate-limit']).toBe('user-hour-lim:3600;user-hour-rem:3599;');
    const sort = await get(`/v1/apps/${appId}/customerReviews?sort=helpfulness`);
    expect(sort.status).toBe(400);
    const missing = await get('/v1/customerReviews/nope');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ errors: [{ status: '404', code: 'NOT_FOUND' }] });
    expect(missing.headers['x-rate-limit']).toBe('user-hour-lim:3600;user-hour-rem:3597;');
  });

  it('sorts by rating and date, pages with an opaque absolute cursor, defaults to 50 per page', async () => {
    const { emu, get } = await setup();
    for (let i = 0; i < 60; i++) emu.addReview(appId, { rating: (i % 5) + 1 });
    const first = (await get(`/v1/apps/${appId}/customerReviews`)).json as Page;
    expect(first.data).toHaveLength(50);
    expect(first.links.next).toMatch(new RegExp(`^${emu.baseUrl}/v1/apps/${appId}/customerReviews\\?.*cursor=AQ\\.`));

    for (const [sort, check] of [
      ['rating', (a: Page['data'][number], b: Page['data'][number]) => a.attributes.rating <= b.attributes.rating],
      ['-rating', (a: Page['data'][number], b: Page['data'][number]) => a.attributes.rating >= b.attributes.rating],
      [
        'createdDate',
        (a: Page['data'][number], b: Page['data'][number]) =>
          Date.parse(a.attributes.createdDate) <= Date.parse(b.attributes.createdDate),
      ],
    ] as const) {
      const all: Page['data'] = [];
      let next: string | undefined = `/v1/apps/${appId}/customerReviews?sort=${sort}&limit=7`;
      while (next) {
        const page = (await get(next)).json as Page;
        all.push(...page.data);
        next = page.links.next;
      }
      expect(all, sort).toHaveLength(60);
      expect(new Set(all.map((r) => r.id)).size).toBe(60);
      expect(
        all.slice(1).every((r, i) => check(all[i]!, r)),
        sort,
      ).toBe(true);
    }
  });

  it('includes responses only when asked, filters by published response, and deletes responses', async () => {
    const { emu, connector, get, token } = await setup();
    const answered = emu.addReview(appId);
    emu.addReview(appId);
    const { answerId } = await connector.publishReply({ store: 'app-store', appId }, answered, 'Thanks!');

    const plain = (await get(`/v1/apps/${appId}/customerReviews`)).json as Page;
    expect(plain.included).toBeUndefined();
    expect(plain.data.every((r) => !('data' in r.relationships.response))).toBe(true);

    // The POST answered PENDING_PUBLISH; with no publishing delay the next read finds it published.
    const withResponse = (await get(`/v1/apps/${appId}/customerReviews?include=response`)).json as Page;
    expect(withResponse.included).toEqual([
      expect.objectContaining({ id: answerId, attributes: expect.objectContaining({ state: 'PUBLISHED' }) as unknown }),
    ]);
    expect(withResponse.data.find((r) => r.id === answered)?.relationships.response.data).toEqual({
      type: 'customerReviewResponses',
      id: answerId,
    });
    const publishedOnly = (await get(`/v1/apps/${appId}/customerReviews?exists[publishedResponse]=true`)).json as Page;
    expect(publishedOnly.data.map((r) => r.id)).toEqual([answered]);
    const unanswered = (await get(`/v1/apps/${appId}/customerReviews?exists[publishedResponse]=false`)).json as Page;
    expect(unanswered.data.map((r) => r.id)).not.toContain(answered);
    expect(unanswered.data).toHaveLength(1);

    const del = await request(`${emu.baseUrl}/v1/customerReviewResponses/${answerId!}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    await del.body.text();
    expect(del.statusCode).toBe(204);
    expect((await get(`/v1/customerReviews/${answered}/response`)).status).toBe(404);
    expect((await get(`/v1/customerReviewResponses/${answerId!}`)).status).toBe(404);
  });
});
