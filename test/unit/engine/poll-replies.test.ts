import { beforeEach, describe, expect, it } from 'vitest';
import type { CaseInfo, HelpdeskMessage } from '../../../src/connectors/helpdesk/types.js';
import { pollCursorName, pollReplies, repliesAfterCaseOpened } from '../../../src/engine/poll-replies.js';
import { ReplyPublisher } from '../../../src/engine/reply-publisher.js';
import { RemoteError } from '../../../src/errors.js';
import { backends } from '../../helpers/backends.js';
import { memoryLogger } from '../../../src/log.js';
import { Cursors } from '../../../src/state/cursors.js';
import type { StateDb } from '../../../src/state/handle.js';
import { allStores, FakeHelpdesk, fakeServices, testConfig } from '../../helpers/fakes.js';

let db: StateDb;
let helpdesk: FakeHelpdesk;

function msg(messageId: number, caseId: number, over: Partial<HelpdeskMessage> = {}): HelpdeskMessage {
  return {
    messageId,
    caseId,
    staffId: 7,
    userId: 0,
    content: `reply ${messageId}`,
    note: false,
    sentViaRule: false,
    attachments: [],
    createdAt: 'Mon, 02 Jun 2025 10:00:05 +0300',
    ...over,
  };
}
const opening = (id: number, caseId: number): HelpdeskMessage =>
  msg(id, caseId, { staffId: 0, userId: 500, content: 'the review', createdAt: 'Mon, 02 Jun 2025 10:00:00 +0300' });

describe.each(backends)('state on %s', (_backend, open) => {
  beforeEach(async () => {
    db = await open();
    helpdesk = new FakeHelpdesk();
  });

  describe('repliesAfterCaseOpened', () => {
    it('keeps staff replies after the opening message; drops notes, customer messages and imported history', () => {
      const list = [
        opening(10, 1),
        msg(11, 1),
        msg(12, 1, { note: true }),
        msg(13, 1, { staffId: 0, userId: 500 }),
        msg(14, 1, { createdAt: 'Sun, 01 Jun 2025 09:00:00 +0300' }), // an old answer imported with created_at
        msg(15, 1, { createdAt: 'Mon, 02 Jun 2025 10:00:00 +0300' }), // same second as the case: order decides
      ];
      expect(repliesAfterCaseOpened(list).map((m) => m.messageId)).toEqual([11, 15]);
      expect(repliesAfterCaseOpened([])).toEqual([]);
    });
  });

  describe('pollReplies', () => {
    const now = Date.parse('2025-06-02T08:00:00Z');
    const publisher = (): ReplyPublisher =>
      new ReplyPublisher({
        db,
        config: testConfig(),
        services: fakeServices(helpdesk, allStores()),
        logger: memoryLogger(),
      });
    const since: (string | undefined)[] = [];
    beforeEach(() => {
      since.length = 0;
      helpdesk.listChannelCasesUpdatedSince = async (s) => {
        since.push(s);
        return helpdesk.cases;
      };
    });

    it("records new staff replies once and moves the cursor to Omnidesk's newest updated_at (with an overlap)", async () => {
      // Omnidesk's clock is an hour behind this machine's: the cursor follows Omnidesk's.
      const omniUpdated = '2025-06-02T07:00:00.000Z';
      helpdesk.addCase({ caseId: 1, labels: [], updatedAt: omniUpdated } satisfies CaseInfo, [
        opening(10, 1),
        msg(11, 1),
        msg(12, 1, { note: true }),
      ]);
      helpdesk.addCase({ caseId: 2, labels: [], updatedAt: '2025-06-02T06:00:00.000Z' } satisfies CaseInfo);
      const p = publisher();
      const first = await pollReplies({
        db,
        services: fakeServices(helpdesk, allStores()),
        logger: memoryLogger(),
        publisher: p,
        now: () => now,
      });
      expect(first).toEqual({ cases: 2, replies: 1, recorded: 1, duplicates: 0, errors: 0, invalid: 0 });
      expect(since[0]).toBe(new Date(now - 7 * 24 * 3600_000).toISOString());
      expect(await new Cursors(db).get(pollCursorName)).toBe(
        new Date(Date.parse(omniUpdated) - 2 * 60_000).toISOString(),
      );
      expect(await p.outbox.get(11)).toMatchObject({ caseId: 1, text: 'reply 11', state: 'pending' });

      const second = await pollReplies({
        db,
        services: fakeServices(helpdesk, allStores()),
        logger: memoryLogger(),
        publisher: p,
        now: () => now + 60_000,
      });
      expect(second).toMatchObject({ recorded: 0, duplicates: 1 });
      expect(since[1]).toBe(new Date(Date.parse(omniUpdated) - 2 * 60_000).toISOString());
    });

    it('never moves the cursor back, nor by the local clock when Omnidesk returned nothing', async () => {
      await new Cursors(db).set(pollCursorName, '2025-06-02T07:00:00.000Z');
      helpdesk.addCase({ caseId: 1, labels: [], updatedAt: '2025-06-02T06:59:00.000Z' });
      await pollReplies({
        db,
        services: fakeServices(helpdesk, allStores()),
        logger: memoryLogger(),
        publisher: publisher(),
        now: () => now,
      });
      expect(await new Cursors(db).get(pollCursorName)).toBe('2025-06-02T07:00:00.000Z');
      helpdesk.cases = [];
      await pollReplies({
        db,
        services: fakeServices(helpdesk, allStores()),
        logger: memoryLogger(),
        publisher: publisher(),
        now: () => now + 3600_000,
      });
      expect(await new Cursors(db).get(pollCursorName)).toBe('2025-06-02T07:00:00.000Z');
    });

    it('sets aside a message that fails its schema, counts it and logs it once; the others are recorded', async () => {
      helpdesk.addCase({ caseId: 1, labels: [], updatedAt: '2025-06-02T07:00:00.000Z' }, [
        opening(10, 1),
        msg(11, 1),
        msg(13, 1),
      ]);
      helpdesk.listMessages = async (caseId, opts) => {
        opts?.onInvalid?.({ id: 12, reason: 'case 1, message #3: field "message.staff_id": expected an integer' });
        return helpdesk.cases.find((c) => c.caseId === caseId)?.messages ?? [];
      };
      const logger = memoryLogger();
      const p = publisher();
      const report = await pollReplies({
        db,
        services: fakeServices(helpdesk, allStores()),
        logger,
        publisher: p,
        now: () => now,
      });
      expect(report).toMatchObject({ recorded: 2, invalid: 1, errors: 0 });
      expect((await p.outbox.all()).map((r) => r.messageId)).toEqual([11, 13]);
      const warnings = logger.lines.filter((l) => l.includes('set aside'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('message.staff_id');
      // Not an error: the cursor moves on.
      expect(await new Cursors(db).get(pollCursorName)).toBe('2025-06-02T06:58:00.000Z');
    });

    it('leaves the cursor where it was when a case could not be read', async () => {
      helpdesk.addCase({ caseId: 1, labels: [] });
      helpdesk.listMessages = async () => {
        throw new RemoteError({
          kind: 'transient',
          service: 'Omnidesk',
          status: 503,
          message: 'Omnidesk answered 503',
        });
      };
      await new Cursors(db).set(pollCursorName, '2025-06-01T00:00:00.000Z');
      const report = await pollReplies({
        db,
        services: fakeServices(helpdesk, allStores()),
        logger: memoryLogger(),
        publisher: publisher(),
        now: () => now,
      });
      expect(report.errors).toBe(1);
      expect(await new Cursors(db).get(pollCursorName)).toBe('2025-06-01T00:00:00.000Z');
    });
  });
});
