/**
 * A Deskie account (deskie.io: Omnidesk's English edition, the same API) against the Omnidesk
 * emulator on loopback: a config with `domain: "deskie.io"` and the base URL override syncs
 * reviews into cases, and a base URL on a deskie.io host name (resolved to the emulator) signs in.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOmnidesk } from '../../../src/connectors/helpdesk/omnidesk/index.js';
import { worldStaff } from '../../../src/emulators/world.js';
import { memoryLogger } from '../../../src/log.js';
import { openDb } from '../../../src/state/db.js';
import { tempDir } from '../../helpers/temp.js';
import { syncOnce, testWorld, type World } from '../../helpers/world.js';

let world: World;

beforeEach(async () => {
  world = await testWorld({ dir: tempDir() });
});
afterEach(async () => {
  await world.stop();
});

describe('a Deskie account', () => {
  it('syncs reviews into cases with domain deskie.io and the base URL override', async () => {
    (world.config.omnidesk as Record<string, unknown>).domain = 'deskie.io';
    world.googlePlay.addReview('com.acme.reviews', { authorName: 'Ann', text: 'Crashes\tOn start', starRating: 2 });
    const report = await syncOnce(world);
    expect(report.outcome).toBe('ok');
    expect(world.omnidesk.cases().map((c) => c.userCustomId)).toEqual([
      expect.stringMatching(/^google-play:com\.acme\.reviews:/),
    ]);
    const db = openDb(world.dbPath);
    try {
      // The state belongs to the account the override names (the emulator), as for omnidesk.ru.
      const owner = db.sqlite.prepare(`SELECT value FROM cursors WHERE name = 'state-owner'`).pluck().get() as string;
      expect(JSON.parse(owner)).toMatchObject({ account: world.omnidesk.baseUrl.toLowerCase(), channel: 'cch1' });
    } finally {
      db.closeSync();
    }
  });

  it('signs in at a base URL on a deskie.io host name served by the emulator', async () => {
    const port = new URL(world.omnidesk.baseUrl).port;
    const asked: string[] = [];
    // acme.deskie.io → the emulator on 127.0.0.1, as /etc/hosts would do; everything else resolves normally.
    const dispatcher = new Agent({
      connect: {
        lookup: (host, opts, cb) => {
          asked.push(host);
          if (host !== 'acme.deskie.io') return dnsLookup(host, opts, cb);
          const address: LookupAddress = { address: '127.0.0.1', family: 4 };
          if ((opts as { all?: boolean }).all) (cb as (e: null, a: LookupAddress[]) => void)(null, [address]);
          else (cb as (e: null, a: string, f: number) => void)(null, address.address, address.family);
        },
      },
    });
    try {
      const helpdesk = createOmnidesk(
        {
          subdomain: 'acme',
          domain: 'deskie.io',
          baseUrl: `http://acme.deskie.io:${port}`,
          staffEmail: worldStaff.email,
          apiKey: worldStaff.apiKey,
        },
        { logger: memoryLogger(), dispatcher, timeoutMs: 5_000 },
      );
      const before = world.omnidesk.server.requests.length;
      await helpdesk.ping();
      expect(asked).toEqual(['acme.deskie.io']);
      expect(world.omnidesk.server.requests.length).toBeGreaterThan(before);
    } finally {
      await dispatcher.close();
    }
  });
});
