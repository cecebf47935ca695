import { describe, expect, it } from 'vitest';
import { appStoreSchema } from '../../../src/config/schema.js';
import { createAppStoreConnector } from '../../../src/connectors/stores/app-store-connect/index.js';
import type { AppRef } from '../../../src/connectors/stores/types.js';
import { EmulatorServer } from '../../../src/emulators/harness.js';
import { RemoteError } from '../../../src/errors.js';
import { memoryLogger } from '../../../src/log.js';
import { ecP256KeyPair } from '../../helpers/keys.js';
import { appId, collect, issuerId, keyId, startAppStore } from './setup.js';
import { reviewPages } from '../../helpers/pages.js';
import { Pager } from '../../../src/engine/paging.js';

const app: AppRef = { store: 'app-store', appId };
const hour = 3_600_000;

async function remoteError(p: Promise<unknown>): Promise<RemoteError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RemoteError);
  return err as RemoteError;
}

describe('App Store Connect limits and failures', () => {
  it('learns the hourly budget from X-Rate-Limit', async () => {
    const { emu, connector } = await startAppStore({ emu: { hourlyLimit: 3500 } });
    expect(await connector.quotaSnapshot()).toEqual({ hourRemaining: undefined, hourLimit: undefined });
    await connector.ping();
    expect(await connector.quotaSnapshot()).toEqual({ hourRemaining: 3499, hourLimit: 3500 });
    emu.setHourlyRemaining(500);
    await connector.ping();
    expect(await connector.quotaSnapshot()).toEqual({ hourRemaining: 499, hourLimit: 3500 });
  });

  it('with the budget spent, waits for the hour to turn instead of sending', async () => {
    const { emu, connector, waits } = await startAppStore();
    emu.setHourlyRemaining(1);
    await connector.ping(); // leaves 0
    expect((await connector.quotaSnapshot()).hourRemaining).toBe(0);
    await connector.ping();
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(hour - 1_000);
    expect(emu.server.serviceRequests().map((r) => r.status)).toEqual([200, 200]);
  });

  it('keeps a small reserve: throttles before the budget reaches zero', async () => {
    const { emu, connector, waits } = await startAppStore();
    emu.setHourlyRemaining(6);
    await connector.ping(); // leaves 5, the reserve
    await connector.ping();
    expect(waits).toEqual([expect.any(Number) as unknown]);
    expect(waits[0]).toBeGreaterThan(hour - 1_000);
    expect(emu.server.serviceRequests().every((r) => r.status === 200)).toBe(true);
  });

  it('a 429 RATE_LIMIT_EXCEEDED with quota left (parallel bursts) is retried with backoff', async () => {
    const { emu, connector, waits } = await startAppStore();
    emu.addReview(appId);
    emu.server.setFaults({ next: ['429', '429'] });
    const pages = await collect(reviewPages(connector, app));
    expect(pages.flat()).toHaveLength(1);
    expect(emu.server.serviceRequests().map((r) => r.status)).toEqual([429, 429, 200]);
    expect(waits).toHaveLength(2);
    expect(waits.every((w) => w < 1_000)).toBe(true);
  });

  it('a 429 with the hour spent waits for the window, then goes on', async () => {
    const { emu, connector, waits } = await startAppStore();
    emu.setHourlyRemaining(0);
    await connector.ping();
    expect(emu.server.serviceRequests().map((r) => r.status)).toEqual([429, 200]);
    expect(Math.max(...waits)).toBeGreaterThan(hour - 1_000);
  });

  it('retries 5xx, and gives up with a transient error quoting Apple', async () => {
    const { emu, connector } = await startAppStore();
    emu.addReview(appId);
    emu.server.setFaults({ next: ['500', '502', '503'] });
    expect((await collect(reviewPages(connector, app))).flat()).toHaveLength(1);
    expect(emu.server.serviceRequests().map((r) => r.status)).toEqual([500, 502, 503, 200]);

    emu.server.requests.length = 0;
    emu.server.setFaults({ rate: 1, kinds: ['503'] });
    const err = await remoteError(collect(reviewPages(connector, app)));
    expect(err.kind).toBe('transient');
    expect(err.message).toContain('An unexpected error occurred.');
    expect(emu.server.serviceRequests()).toHaveLength(5);
  });

  it('malformed JSON is a bad-payload error, not retried', async () => {
    const { emu, connector } = await startAppStore();
    emu.addReview(appId);
    emu.server.setFaults({ next: ['malformed'] });
    const err = await remoteError(collect(reviewPages(connector, app)));
    expect(err.kind).toBe('bad-payload');
    expect(emu.server.serviceRequests()).toHaveLength(1);
  });

  it('a page envelope of the wrong shape names the field', async () => {
    const fake = new EmulatorServer({ name: 'broken-asc' });
    fake.route('GET', '/v1/apps/:appId/customerReviews', () => ({
      status: 200,
      json: {
        data: {
          type: 'customerReviews',
          id: 'r1',
          attributes: { rating: 5, createdDate: '2024-01-01T00:00:00-08:00' },
        },
      },
    }));
    const baseUrl = await fake.start();
    try {
      const keys = ecP256KeyPair();
      const connector = createAppStoreConnector(
        appStoreSchema.parse({ issuerId, keyId, privateKey: keys.privateKeyPem, baseUrl }),
        { issuerId, keyId, privateKeyPem: keys.privateKeyPem },
        { logger: memoryLogger() },
      );
      const err = await remoteError(collect(reviewPages(connector, app)));
      expect(err.kind).toBe('bad-payload');
      expect(err.message).toContain('field "data"');
    } finally {
      await fake.stop();
    }
  });

  it('keeps the token on the configured host: a links.next to another origin is re-based; the engine stops at a looping next', async () => {
    const fake = new EmulatorServer({ name: 'asc-links' });
    const review = (id: string): unknown => ({
      type: 'customerReviews',
      id,
      attributes: { rating: 4, createdDate: '2024-01-01T00:00:00-08:00' },
    });
    fake.route('GET', '/v1/apps/:appId/customerReviews', (req) => {
      const cursor = req.query.get('cursor');
      if (!cursor)
        return {
          status: 200,
          json: {
            data: [review('a')],
            links: {
              next: `https://api.appstoreconnect.apple.com/v1/apps/${req.params.appId!}/customerReviews?cursor=AQ.two&limit=200`,
            },
          },
        };
      return {
        status: 200,
        json: {
          data: [review(cursor)],
          links: { next: `${fake.baseUrl}/v1/apps/${req.params.appId!}/customerReviews?cursor=AQ.two&limit=200` },
        },
      };
    });
    const baseUrl = await fake.start();
    try {
      const keys = ecP256KeyPair();
      const connector = createAppStoreConnector(
        appStoreSchema.parse({ issuerId, keyId, privateKey: keys.privateKeyPem, baseUrl }),
        { issuerId, keyId, privateKeyPem: keys.privateKeyPem },
        { logger: memoryLogger() },
      );
      const seen: string[] = [];
      const pager = new Pager(connector, app);
      for await (const page of pager.pages()) seen.push(...page.reviews.map((r) => r.reviewId));
      expect(pager.summary.stops).toEqual([{ reason: 'repeated-cursor', slice: undefined }]);
      expect(seen).toEqual(['a', 'AQ.two']);
      expect(fake.serviceRequests().map((r) => r.query)).toEqual([
        '?sort=-createdDate&include=response&limit=200',
        '?cursor=AQ.two&limit=200',
      ]);
    } finally {
      await fake.stop();
    }
  });

  it('an unknown app is not-found; a bad filter is a rejected parameter error', async () => {
    const { connector } = await startAppStore();
    const missing = await remoteError(collect(reviewPages(connector, { ...app, appId: '999' })));
    expect(missing.kind).toBe('not-found');
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain("There is no resource of type 'apps' with id '999'");

    const bad = await remoteError(collect(reviewPages(connector, { ...app, countries: ['U5A'] })));
    expect(bad.kind).toBe('rejected');
    expect(bad.code).toBe('PARAMETER_ERROR.INVALID');
    expect(bad.message).toContain('(filter[territory])');
  });
});
