import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpClient } from '../../../../src/connectors/http/client.js';
import { HeaderBudget, header } from '../../../../src/connectors/http/rate-limit.js';
import { RemoteError } from '../../../../src/errors.js';

const origin = 'https://api.example.test';
let agent: MockAgent;
let waits: number[];

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  waits = [];
});
afterEach(async () => {
  // Fails the test when an expected request was never made.
  agent.assertNoPendingInterceptors();
  await agent.close();
});

function client(extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  return new HttpClient({
    service: 'Example',
    baseUrl: origin,
    dispatcher: agent,
    wait: async (ms) => void waits.push(ms),
    ...extra,
  });
}

const okSchema = z.object({ value: z.number() });

describe('HttpClient', () => {
  it('retries 5xx on idempotent requests with backoff', async () => {
    const pool = agent.get(origin);
    pool.intercept({ path: '/x', method: 'GET' }).reply(503, { error: 'down' });
    pool.intercept({ path: '/x', method: 'GET' }).reply(500, 'oops');
    pool.intercept({ path: '/x', method: 'GET' }).reply(200, { value: 1 });
    const res = await client().request({ path: '/x', schema: okSchema });
    expect(res.data.value).toBe(1);
    expect(waits).toHaveLength(2);
    expect(waits[1]!).toBeGreaterThan(0);
  });

  it('does not repeat a POST after a 5xx (the service may have acted), but does after a 429', async () => {
    const pool = agent.get(origin);
    pool.intercept({ path: '/create', method: 'POST' }).reply(500, {});
    await expect(
      client().request({ method: 'POST', path: '/create', json: {}, schema: okSchema }),
    ).rejects.toMatchObject({ kind: 'transient', status: 500 });
    pool.intercept({ path: '/create', method: 'POST' }).reply(429, {}, { headers: { 'retry-after': '7' } });
    pool.intercept({ path: '/create', method: 'POST' }).reply(201, { value: 2 });
    const res = await client().request({ method: 'POST', path: '/create', json: {}, schema: okSchema });
    expect(res.data.value).toBe(2);
    expect(waits[0]).toBe(7000);
  });

  it('names the bad field of an unexpected payload', async () => {
    agent.get(origin).intercept({ path: '/x', method: 'GET' }).reply(200, { value: 'one' });
    const err = await client()
      .request({ path: '/x', schema: okSchema })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as RemoteError).kind).toBe('bad-payload');
    expect((err as RemoteError).message).toContain('field "value"');
  });

  it('refreshes auth once on 401 and never quotes the token', async () => {
    const pool = agent.get(origin);
    pool.intercept({ path: '/x', method: 'GET' }).reply(401, { error: 'expired' });
    pool.intercept({ path: '/x', method: 'GET' }).reply(401, { error: 'still bad' });
    let refreshed = 0;
    const c = client({
      auth: async () => ({ authorization: 'Bearer very-secret-token-123' }),
      onUnauthorized: () => void refreshed++,
    });
    const err = (await c.request({ path: '/x', schema: okSchema }).catch((e: unknown) => e)) as RemoteError;
    expect(refreshed).toBe(1);
    expect(err.kind).toBe('auth');
    expect(err.message).not.toContain('very-secret-token-123');
  });

  it('uses the service-specific error description', async () => {
    agent.get(origin).intercept({ path: '/x', method: 'GET' }).reply(403, { reason: 'quota' });
    const c = client({
      describeError: (_s, body) => ({ kind: 'quota', message: `quota: ${(body as { reason: string }).reason}` }),
    });
    await expect(c.request({ path: '/x', schema: okSchema })).rejects.toMatchObject({
      kind: 'quota',
      message: expect.stringContaining('quota: quota'),
    });
  });

  it('a dropped connection is transient and retried', async () => {
    const pool = agent.get(origin);
    pool
      .intercept({ path: '/x', method: 'GET' })
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    pool.intercept({ path: '/x', method: 'GET' }).reply(200, { value: 3 });
    expect((await client().request({ path: '/x', schema: okSchema })).data.value).toBe(3);
  });
});

describe('HeaderBudget', () => {
  /** A budget on a fake clock; `slept` records each wait (which moves the clock). */
  function fakeBudget(over: Partial<ConstructorParameters<typeof HeaderBudget>[0]> = {}) {
    const clock = { now: 0 };
    const slept: number[] = [];
    const budget = new HeaderBudget({
      windowMs: 60_000,
      window: 'fixed',
      now: () => clock.now,
      wait: async (ms) => {
        slept.push(ms);
        clock.now += ms;
      },
      read: (h) => {
        const left = header(h, 'api_calls_left');
        return left === undefined ? undefined : { remaining: Number(left), limit: 10 };
      },
      ...over,
    });
    return { budget, clock, slept };
  }
  const left = (n: number) => ({ api_calls_left: String(n) });
  /** Whether the promise has settled after the microtasks queued so far ran. */
  async function settled(p: Promise<unknown>): Promise<boolean> {
    let done = false;
    void p.then(() => (done = true));
    for (let i = 0; i < 10; i++) await Promise.resolve();
    return done;
  }

  it('waits for the window to turn over instead of spending the last units', async () => {
    const { budget, clock, slept } = fakeBudget({ window: 'rolling' });
    budget.observe(200, left(3));
    await budget.acquire(2);
    budget.observe(200, left(1), 2);
    expect(slept).toEqual([]);
    clock.now = 1_000;
    await budget.acquire(2); // only 1 left: wait for the next window
    expect(slept).toEqual([59_000]);
  });

  it('counts requests in flight: the header does not know them yet', async () => {
    const { budget, slept } = fakeBudget();
    budget.observe(200, left(6));
    for (let i = 0; i < 3; i++) await budget.acquire(2);
    expect(budget.snapshot().remaining).toBe(0);
    // A fourth would fit only if one of the three had not been counted: it waits for their answers.
    const fourth = budget.acquire(2);
    expect(await settled(fourth)).toBe(false);
    budget.observe(200, left(4), 2);
    budget.observe(200, left(2), 2);
    expect(await settled(fourth)).toBe(false);
    budget.observe(200, left(0), 2);
    await fourth; // all three counted, nothing left: the next window
    expect(slept).toEqual([60_000]);
  });

  it('an answer counted before its peers frees the wait early', async () => {
    const { budget, slept } = fakeBudget();
    budget.observe(200, left(6));
    await budget.acquire(2);
    await budget.acquire(2);
    const third = budget.acquire(4); // 6 - 4 in flight < 4, but 6 - 4 ≥ 0 if they were counted
    expect(await settled(third)).toBe(false);
    budget.observe(200, left(4), 2); // the service counted one of ours only: 4 left, 2 in flight
    expect(await settled(third)).toBe(false);
    budget.observe(200, left(4), 2); // out of order, or a GET: still 4 left, nothing in flight
    await third;
    expect(slept).toEqual([]);
  });

  it('answers that overtake each other never raise the budget within a window', async () => {
    const { budget, clock } = fakeBudget();
    budget.observe(200, left(8));
    await budget.acquire(2);
    await budget.acquire(2);
    budget.observe(200, left(4), 2); // the later request's answer came first
    budget.observe(200, left(6), 2);
    expect(budget.snapshot().remaining).toBe(4);
    clock.now = 60_000; // the window dated by its first answer has turned over
    await budget.acquire(1);
    expect(budget.snapshot()).toEqual({ remaining: 9, limit: 10 });
  });

  it('a fixed window is dated by its first answer, not its last', async () => {
    const { budget, clock, slept } = fakeBudget();
    budget.observe(200, left(3));
    clock.now = 50_000;
    await budget.acquire(2);
    budget.observe(200, left(1), 2);
    await budget.acquire(2);
    expect(slept).toEqual([10_000]);
  });

  it('a request that got no answer may have been counted; one never sent is free again', async () => {
    const { budget } = fakeBudget();
    budget.observe(200, left(6));
    await budget.acquire(2);
    budget.abandon(2);
    expect(budget.snapshot().remaining).toBe(4);
    await budget.acquire(2);
    budget.abandon(2, false);
    expect(budget.snapshot().remaining).toBe(4);
  });

  it('honours the retry time of a 429', async () => {
    let now = 0;
    const slept: number[] = [];
    const budget = new HeaderBudget({
      windowMs: 60_000,
      now: () => now,
      wait: async (ms) => {
        slept.push(ms);
        now += ms;
      },
      read: () => undefined,
      retryAfter: (h) => Number(header(h, 'retry_after')) * 1000,
    });
    budget.observe(429, { retry_after: '12' });
    await budget.acquire(1);
    expect(slept).toEqual([12_000]);
  });
});
