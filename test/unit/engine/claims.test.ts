/**
 * Claims of dead processes are taken over at once (pid + host + start time, the run lock's
 * rule), not after the stale window; notes a dead process claimed are posted once, after
 * looking for their marker in the case.
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { beforeEach, describe, expect, it } from 'vitest';
import { collectStatus } from '../../../src/commands/status/collect.js';
import { noteMarker, withMarker } from '../../../src/engine/reply-notes.js';
import { ReplyPublisher } from '../../../src/engine/reply-publisher.js';
import { memoryLogger } from '../../../src/log.js';
import type { StateDb } from '../../../src/state/handle.js';
import { holderAlive, selfHolder } from '../../../src/state/liveness.js';
import { backends, liveHolder } from '../../helpers/backends.js';
import {
  allStores,
  FakeHelpdesk,
  fakeServices,
  seedReview,
  staffReply,
  testConfig,
  type FakeStore,
} from '../../helpers/fakes.js';

let db: StateDb;
let helpdesk: FakeHelpdesk;
let stores: Record<'app-store' | 'google-play' | 'rustore', FakeStore>;
const clock = Date.parse('2025-06-01T10:00:00Z');

/** A holder whose process has exited: its pid is no longer running. */
function deadHolder(): string {
  const child = spawnSync(process.execPath, ['-e', '']);
  return `${child.pid}@${hostname()}#1`;
}

function publisher(): ReplyPublisher {
  return new ReplyPublisher({
    db,
    config: testConfig(),
    services: fakeServices(helpdesk, stores),
    logger: memoryLogger(),
    now: () => clock,
    retryBaseMs: 1_000,
  });
}

async function holdClaim(messageId: number, holder: string, at: number): Promise<void> {
  await db.run(
    `UPDATE replies SET state = 'sending', attempts = attempts + 1, claim_holder = ?, updated_at = ? WHERE message_id = ?`,
    [holder, new Date(at).toISOString(), messageId],
  );
}

describe('liveness', () => {
  it('this process is alive; an exited pid is not; a reused pid (other start time) is not', () => {
    expect(holderAlive(selfHolder())).toBe(true);
    expect(holderAlive(deadHolder())).toBe(false);
    const [pidHost] = selfHolder().split('#');
    expect(holderAlive(`${pidHost}#999999999`)).toBe(process.platform !== 'linux');
    expect(holderAlive(`${process.pid}@another-host.example#1`)).toBe(true);
    expect(holderAlive(null)).toBe(false);
  });
});

describe.each(backends)('state on %s', (_backend, open) => {
  beforeEach(async () => {
    db = await open();
    helpdesk = new FakeHelpdesk();
    // Notes land in the case's messages, as in Omnidesk.
    for (const caseId of [10, 11]) helpdesk.addCase({ caseId, labels: [] });
    stores = allStores();
  });

  describe('claims of dead processes', () => {
    it('a reply claimed by a killed process is published at once by the next flush, once', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const p = publisher();
      await p.accept(staffReply(1, 10, 'Fixed in 2.1'));
      await holdClaim(1, deadHolder(), clock - 1_000);
      expect(await p.outbox.inFlight(clock)).toEqual({ inFlight: 1, stuck: 1 });
      const report = await p.flush();
      expect(report).toMatchObject({ published: 1, notes: 1 });
      expect(stores['google-play'].calls).toHaveLength(1);
      expect(await p.outbox.inFlight(clock)).toEqual({ inFlight: 0, stuck: 0 });
      expect(await p.flush()).toMatchObject({ published: 0, skipped: 0, notes: 0 });
    });

    it('a fresh claim of a live process elsewhere is left alone until stale', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const p = publisher();
      await p.accept(staffReply(1, 10, 'Fixed in 2.1'));
      const elsewhere = `4242@another-host.example#77`;
      await liveHolder(db, elsewhere);
      await holdClaim(1, elsewhere, clock - 1_000);
      expect(await p.outbox.inFlight(clock)).toEqual({ inFlight: 1, stuck: 0 });
      expect(await p.flush()).toMatchObject({ published: 0 });
      expect(stores['google-play'].calls).toHaveLength(0);
      const later = new ReplyPublisher({
        db,
        config: testConfig(),
        services: fakeServices(helpdesk, stores),
        logger: memoryLogger(),
        now: () => clock + 6 * 60_000,
      });
      expect(await later.flush()).toMatchObject({ published: 1 });
    });

    it('a note claimed by a killed process: posted once, unless its marker is already in the case', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r2', 11);
      const p = publisher();
      await p.accept(staffReply(1, 10, 'One'));
      await p.accept(staffReply(2, 11, 'Two'));
      // Both published, their notes claimed by a process that died: one had posted its note.
      for (const id of [1, 2]) {
        await p.outbox.markSent(id, 'PUBLISHED', undefined, true);
        await db.run(`UPDATE replies SET note_state = 'published:PUBLISHED', note_holder = ? WHERE message_id = ?`, [
          deadHolder(),
          id,
        ]);
      }
      await helpdesk.addNote(
        10,
        withMarker('asodesk-omni: the reply is published on Google Play.', 1, 'published:PUBLISHED'),
      );
      const report = await p.flush();
      expect(report.notes).toBe(1);
      expect(helpdesk.notesFor(10)).toHaveLength(1);
      expect(helpdesk.notesFor(11)).toEqual(['asodesk-omni: the reply is published on Google Play.']);
      expect(helpdesk.notes.find((n) => n.caseId === 11)?.content).toContain(noteMarker(2, 'published:PUBLISHED'));
      expect(await p.outbox.orphanedNotes()).toEqual([]);
      expect((await p.flush()).notes).toBe(0);
    });
  });

  describe('status', () => {
    it('counts replies in flight and warns about one no running process holds', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const p = publisher();
      await p.accept(staffReply(1, 10, 'Fixed in 2.1'));
      await holdClaim(1, deadHolder(), clock - 1_000);
      const status = await collectStatus(
        testConfig(),
        { configPath: '/nonexistent/config.json', dbPath: ':memory:' },
        db,
        clock,
      );
      expect(status.repliesInFlight).toEqual({ inFlight: 1, stuck: 1 });
      expect(status.replies.sending).toBe(1);
      expect(status.warnings.join(' ')).toContain('claimed by a process that no longer runs');
    });
  });
});
