import { describe, expect, it } from 'vitest';
import type { AppRef } from '../../../src/connectors/stores/types.js';
import { RemoteError } from '../../../src/errors.js';
import { appId, startAppStore } from './setup.js';

const app: AppRef = { store: 'app-store', appId };

async function remoteError(p: Promise<unknown>): Promise<RemoteError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RemoteError);
  return err as RemoteError;
}

describe('App Store Connect replies', () => {
  it('creates a response (PENDING_PUBLISH) that reads back PUBLISHED, then overwrites it under the same id', async () => {
    const { emu, connector } = await startAppStore();
    const reviewId = emu.addReview(appId, { rating: 1 });

    const first = await connector.publishReply(app, reviewId, 'Sorry about that, fixed in 2.1');
    expect(first.state).toBe('PENDING_PUBLISH');
    expect(first.answerId).toBeTruthy();
    const post = emu.server.serviceRequests().find((r) => r.method === 'POST')!;
    expect(post.path).toBe('/v1/customerReviewResponses');
    expect(JSON.parse(post.body)).toEqual({
      data: {
        type: 'customerReviewResponses',
        attributes: { responseBody: 'Sorry about that, fixed in 2.1' },
        relationships: { review: { data: { type: 'customerReviews', id: reviewId } } },
      },
    });
    expect(await connector.replyStatus(app, reviewId)).toEqual({
      state: 'PUBLISHED',
      text: 'Sorry about that, fixed in 2.1',
      answerId: first.answerId,
    });

    const second = await connector.publishReply(app, reviewId, 'Update: 2.1.1 is out');
    expect(second).toEqual({ state: 'PENDING_PUBLISH', answerId: first.answerId });
    expect(emu.responses()).toHaveLength(1);
    expect(emu.responses()[0]).toMatchObject({
      reviewId,
      responseBody: 'Update: 2.1.1 is out',
      state: 'PENDING_PUBLISH',
    });
    expect(await connector.replyStatus(app, reviewId)).toEqual({
      state: 'PUBLISHED',
      text: 'Update: 2.1.1 is out',
      answerId: first.answerId,
    });
  });

  it('stays PENDING_PUBLISH until the publishing delay has passed', async () => {
    const { emu, connector, clock } = await startAppStore({ emu: { publishDelayMs: 10 * 60_000 } });
    const reviewId = emu.addReview(appId);
    await connector.publishReply(app, reviewId, 'Thanks!');
    expect((await connector.replyStatus(app, reviewId))?.state).toBe('PENDING_PUBLISH');
    clock.now += 9 * 60_000;
    expect((await connector.replyStatus(app, reviewId))?.state).toBe('PENDING_PUBLISH');
    clock.now += 60_000;
    expect((await connector.replyStatus(app, reviewId))?.state).toBe('PUBLISHED');
  });

  it('reads no response as undefined (Apple answers 404)', async () => {
    const { emu, connector } = await startAppStore();
    const reviewId = emu.addReview(appId);
    expect(await connector.replyStatus(app, reviewId)).toBeUndefined();
    expect(emu.server.serviceRequests().map((r) => [r.path, r.status])).toEqual([
      [`/v1/customerReviews/${reviewId}/response`, 404],
    ]);
  });

  it('refuses a too-long reply locally, sending nothing', async () => {
    const { emu, connector } = await startAppStore({ cfg: { maxReplyLength: 20 } });
    const reviewId = emu.addReview(appId);
    const err = await remoteError(connector.publishReply(app, reviewId, 'x'.repeat(21)));
    expect(err.kind).toBe('too-long');
    expect(emu.server.serviceRequests()).toHaveLength(0);
    expect(emu.authLog).toHaveLength(0);
    expect(connector.capabilities).toMatchObject({ reply: true, maxReplyLength: 20, replyNeedsReadBack: true });
    await connector.publishReply(app, reviewId, 'x'.repeat(20));
    expect(emu.responses()).toHaveLength(1);
  });

  it('retries a reply after a 5xx (overwriting is idempotent) and keeps one response', async () => {
    const { emu, connector } = await startAppStore();
    const reviewId = emu.addReview(appId);
    emu.server.setFaults({ next: ['503'] });
    await connector.publishReply(app, reviewId, 'Thanks!');
    expect(emu.server.serviceRequests().map((r) => r.status)).toEqual([503, 201]);
    expect(emu.responses()).toHaveLength(1);
  });

  it('a reply to an unknown review is rejected with Apple’s entity error', async () => {
    const { emu, connector } = await startAppStore();
    const err = await remoteError(connector.publishReply(app, '00000028-b08c-0014-ffff-ffffffff0000', 'Thanks!'));
    expect(err.kind).toBe('rejected');
    expect(err.code).toBe('ENTITY_ERROR.RELATIONSHIP.INVALID');
    expect(err.status).toBe(409);
    expect(err.message).toContain('/data/relationships/review');
    expect(emu.server.serviceRequests()).toHaveLength(1);
  });

  it('a key whose role cannot reply gets a permission error naming the key, without retries', async () => {
    const { emu, connector } = await startAppStore({ emu: { readOnly: true } });
    const reviewId = emu.addReview(appId);
    const err = await remoteError(connector.publishReply(app, reviewId, 'Thanks!'));
    expect(err.kind).toBe('permission');
    expect(err.code).toBe('FORBIDDEN_ERROR');
    expect(err.message).toContain('2X9R4HXF34');
    expect(err.hint).toMatch(/Customer Support/);
    expect(emu.server.serviceRequests()).toHaveLength(1);
  });
});
