import { describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../../src/config/schema.js';
import type { StoreConnector } from '../../../src/connectors/stores/types.js';
import type { StoreId } from '../../../src/domain/review.js';
import { SyncEngine } from '../../../src/engine/sync-engine.js';
import { RemoteError } from '../../../src/errors.js';
import { memoryLogger } from '../../../src/log.js';
import type { StateDb } from '../../../src/state/handle.js';
import { commitCounts } from '../../../src/state/sqlite-handle.js';
import { backends } from '../../helpers/backends.js';
import { FakeHelpdesk, FakeStore, makeReview } from '../../helpers/fakes.js';

// Claims go out in batches (one synced commit each), outcomes in lazy commits.
describe.each(backends)('delivery claims on %s', (backend, open) => {
  async function world(reviews: number) {
    const config: Config = configSchema.parse({
      omnidesk: { subdomain: 'acme', staffEmail: 'a@acme.test', apiKey: 'key-123456', channel: 'cch1' },
      apps: [{ id: 'app0', store: 'google-play', appId: 'com.acme.app0', filters: { backlog: 100 } }],
    });
    const db = await open();
    const helpdesk = new FakeHelpdesk();
    const store = new FakeStore('google-play');
    for (let i = 0; i < reviews; i++) store.reviews.push(makeReview({ store: 'google-play', appId: 'com.acme.app0' }));
    const services = {
      helpdesk,
      sourceFor: () => ({ connector: store as StoreConnector, credentialsMissing: false }),
      replyConnector: (_s: StoreId) => store as StoreConnector,
    };
    const engine = (): SyncEngine => new SyncEngine({ db, config, services, logger: memoryLogger() });
    return { db, helpdesk, store, engine };
  }

  const deliveries = (db: StateDb) =>
    db.all<{ state: string; attempts: number }>('SELECT state, attempts FROM deliveries ORDER BY id');

  it('delivers every review once, every delivery done after one attempt', async () => {
    const { db, helpdesk, engine } = await world(60);
    const report = await engine().run();
    expect(report.apps[0]).toMatchObject({ created: 60, failed: 0, outcome: 'ok' });
    expect(new Set(helpdesk.cases.map((c) => c.userCustomId)).size).toBe(60);
    const rows = await deliveries(db);
    expect(rows).toHaveLength(60);
    expect(rows.every((r) => r.state === 'done' && r.attempts === 1)).toBe(true);
  });

  it('a run stopped by an error that fails every delivery gives back the claims it never sent', async () => {
    const { db, helpdesk, engine } = await world(30);
    const createCase = helpdesk.createCase.bind(helpdesk);
    helpdesk.createCase = () =>
      Promise.reject(new RemoteError({ kind: 'auth', service: 'Omnidesk', message: 'Omnidesk: wrong API key' }));
    const report = await engine().run();
    expect(report.apps[0]?.failed).toBe(1);
    const rows = await deliveries(db);
    // The one tried is failed (its outcome is known: refused); the rest are as before the claim.
    expect(rows.filter((r) => r.state === 'failed')).toHaveLength(1);
    expect(rows.filter((r) => r.state === 'pending' && r.attempts === 0)).toHaveLength(29);
    helpdesk.createCase = createCase;
    const again = await engine().run();
    expect(again.apps[0]).toMatchObject({ created: 30, failed: 0 });
    expect(new Set(helpdesk.cases.map((c) => c.userCustomId)).size).toBe(30);
  });

  it('claims left by a killed run are reconciled, not sent twice', async () => {
    const { db, helpdesk, engine } = await world(30);
    await engine().run();
    // As a kill after the batch's claim and some creates leaves it: cases made, outcomes not recorded.
    await db.run(`UPDATE deliveries SET state = 'sending', attempts = 1`);
    await db.run(`UPDATE reviews SET case_id = NULL, case_user_id = NULL`);
    const made = helpdesk.cases.length;
    const report = await engine().run();
    expect(report.apps[0]?.created).toBe(0);
    expect(helpdesk.cases).toHaveLength(made);
    expect((await deliveries(db)).every((r) => r.state === 'done')).toBe(true);
  });

  if (backend === 'sqlite')
    it('costs at most 0.2 disk-synced commits per delivered review', async () => {
      const { engine } = await world(100);
      const before = { ...commitCounts };
      const report = await engine().run();
      expect(report.apps[0]?.created).toBe(100);
      const synced = commitCounts.synced - before.synced;
      expect(synced / 100).toBeLessThanOrEqual(0.2);
      // The outcomes went somewhere: one lazy commit per delivery at least.
      expect(commitCounts.lazy - before.lazy).toBeGreaterThanOrEqual(100);
    });
});
