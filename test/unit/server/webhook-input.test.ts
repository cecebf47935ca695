/**
 * Webhook ids are Omnidesk's: positive safe integers in plain digits, else 400 and nothing
 * recorded. Which reply supersedes which follows the case's messages as Omnidesk orders them,
 * so a forged id of 2^53−1 neither wins nor makes the real replies after it "superseded".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServeHook, type RunningServeHook } from '../../../src/server/serve-hook.js';
import { parseWebhook } from '../../../src/connectors/helpdesk/omnidesk/webhook.js';
import type { HelpdeskMessage } from '../../../src/connectors/helpdesk/types.js';
import { ReplyPublisher } from '../../../src/engine/reply-publisher.js';
import { memoryLogger } from '../../../src/log.js';
import { backends } from '../../helpers/backends.js';
import type { StateDb } from '../../../src/state/handle.js';
import {
  allStores,
  FakeHelpdesk,
  fakeServices,
  secret,
  seedReview,
  staffReply,
  testConfig,
} from '../../helpers/fakes.js';

let db: StateDb;
let helpdesk: FakeHelpdesk;
let stores: ReturnType<typeof allStores>;
let hook: RunningServeHook | undefined;
const form = 'application/x-www-form-urlencoded';

describe.each(backends)('state on %s', (_backend, open) => {
  beforeEach(async () => {
    db = await open();
    helpdesk = new FakeHelpdesk();
    stores = allStores();
  });
  afterEach(async () => {
    await hook?.stop();
    hook = undefined;
  });

  function body(over: Record<string, string>): string {
    return new URLSearchParams({
      type: 'message_new',
      'object[message_id]': '42',
      'object[case_id]': '10',
      'object[staff_id]': '7',
      'object[user_id]': '0',
      'object[content]': 'Hi',
      ...over,
    }).toString();
  }

  describe('webhook ids', () => {
    const refused = [
      '0',
      '-5',
      ' 77 ',
      '77 ',
      '+77',
      '1e3',
      '0x10',
      '007',
      '1.0',
      '4.5',
      '9007199254740992',
      '9007199254740993',
      '99999999999999999999',
      '',
      'abc',
    ];

    it.each(['object[message_id]', 'object[case_id]'])(
      '%s: refuses %j-like values, accepts plain digits up to 2^53-1',
      (field) => {
        for (const v of refused)
          expect(() => parseWebhook(form, body({ [field]: v })), `${field}=${JSON.stringify(v)}`).toThrow(
            /expected a whole number from 1|is missing/,
          );
        expect(parseWebhook(form, body({ [field]: '9007199254740991' }))).toMatchObject({
          [field === 'object[case_id]' ? 'caseId' : 'messageId']: 9007199254740991,
        });
      },
    );

    it('staff_id and user_id may be 0 (Omnidesk: 0 = not staff / not a customer), nothing else', () => {
      expect(parseWebhook(form, body({ 'object[staff_id]': '0' })).staffId).toBe(0);
      for (const v of ['-1', ' 7', '1e3', '9007199254740992', '00'])
        expect(() => parseWebhook(form, body({ 'object[staff_id]': v })), v).toThrow(/object\.staff_id/);
      expect(() => parseWebhook(form, body({ 'object[user_id]': '-3' }))).toThrow(/object\.user_id/);
    });

    it('JSON: numbers must be safe positive integers written as plain digits', () => {
      const json = (id: string): string =>
        `{"type":"message_new","object":{"message_id":${id},"case_id":10,"staff_id":7,"content":"Hi"}}`;
      expect(parseWebhook('application/json', json('42')).messageId).toBe(42);
      for (const id of ['0', '-5', '1e3', '1E3', '42.0', '4.2', '9007199254740992', '"77 "', '" 77 "', '"-5"', '"1e3"'])
        expect(() => parseWebhook('application/json', json(id)), id).toThrow(/message_id|plain digits/);
      expect(parseWebhook('application/json', json('"77"')).messageId).toBe(77);
    });

    it('through the listener: 400, nothing recorded, logged once and counted in /healthz', async () => {
      const logger = memoryLogger();
      hook = await startServeHook({
        db,
        config: testConfig(),
        services: fakeServices(helpdesk, stores),
        logger,
        host: '127.0.0.1',
        port: 0,
        debounceMs: 60_000,
      });
      const url = `${hook.server.url}/omnidesk/webhook/${secret}`;
      for (const v of ['0', '-5', ' 77 ', '1e3', '9007199254740992']) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': form },
          body: body({ 'object[message_id]': v }),
        });
        expect(res.status, v).toBe(400);
        expect(await res.json()).toMatchObject({
          status: 'error',
          error: expect.stringContaining('object.message_id'),
        });
      }
      expect(await hook.publisher.outbox.all()).toEqual([]);
      const refusals = logger.lines.filter((l) => l.includes('webhook refused'));
      expect(refusals).toHaveLength(5);
      expect(refusals.join('')).not.toContain(secret);
      expect(await (await fetch(`${hook.server.url}/healthz`)).json()).toMatchObject({ ok: true, refusedWebhooks: 5 });
    });
  });

  describe("supersession follows Omnidesk's order", () => {
    const msg = (messageId: number, content: string): HelpdeskMessage => ({
      messageId,
      caseId: 10,
      staffId: 7,
      userId: 0,
      content,
      note: false,
      sentViaRule: false,
      attachments: [],
    });

    it('a forged reply with id 2^53-1 does not make the later real replies superseded', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const p = new ReplyPublisher({
        db,
        config: testConfig(),
        services: fakeServices(helpdesk, stores),
        logger: memoryLogger(),
      });
      const forged = Number.MAX_SAFE_INTEGER;
      helpdesk.addCase({ caseId: 10, labels: [] }, [{ ...msg(100, 'the review'), staffId: 0, userId: 500 }]);
      await p.accept(staffReply(forged, 10, 'forged'));
      expect(await p.flush()).toMatchObject({ published: 1 });
      // Real replies, in Omnidesk's order, each published in turn.
      const texts: string[] = [];
      for (let i = 1; i <= 5; i++) {
        const id = 100 + i;
        helpdesk.cases.find((c) => c.caseId === 10)!.messages.push(msg(id, `real ${i}`));
        await p.accept(staffReply(id, 10, `real ${i}`));
        expect(await p.flush(), `reply ${i}`).toMatchObject({ published: 1, refused: 0 });
        texts.push(`real ${i}`);
      }
      expect(stores['google-play'].calls.map((c) => c.text)).toEqual(['forged', ...texts]);
    });

    it('an earlier reply (in Omnidesk) delivered after a later one was sent is superseded, whatever the ids', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const p = new ReplyPublisher({
        db,
        config: testConfig(),
        services: fakeServices(helpdesk, stores),
        logger: memoryLogger(),
      });
      // Omnidesk lists 900 before 50: ids do not decide, the position does.
      helpdesk.addCase({ caseId: 10, labels: [] }, [msg(900, 'earlier'), msg(50, 'later')]);
      await p.accept(staffReply(50, 10, 'later'));
      await p.flush();
      await p.accept(staffReply(900, 10, 'earlier'));
      expect(await p.flush()).toMatchObject({ published: 0, refused: 1 });
      expect(await p.outbox.get(900)).toMatchObject({
        state: 'refused',
        lastError: expect.stringContaining('later reply'),
      });
      expect(stores['google-play'].calls.map((c) => c.text)).toEqual(['later']);
    });

    it('a single reply costs no Omnidesk read', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      let reads = 0;
      helpdesk.listMessages = async () => {
        reads += 1;
        return [];
      };
      const p = new ReplyPublisher({
        db,
        config: testConfig(),
        services: fakeServices(helpdesk, stores),
        logger: memoryLogger(),
      });
      await p.accept(staffReply(1, 10, 'only'));
      expect(await p.flush()).toMatchObject({ published: 1 });
      expect(reads).toBe(0);
    });
  });

  describe('a state file locked mid-publish', () => {
    it('is a retry, never a final failure', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const p = new ReplyPublisher({
        db,
        config: testConfig(),
        services: fakeServices(helpdesk, stores),
        logger: memoryLogger(),
        retryBaseMs: 1,
      });
      // Google Play's quota ledger writes before the request: a lock held elsewhere fails that write.
      stores['google-play'].failures.push(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }));
      await p.accept(staffReply(1, 10, 'Hi'));
      expect(await p.flush()).toMatchObject({ retrying: 1, failed: 0 });
      expect(await p.outbox.get(1)).toMatchObject({ state: 'pending', lastError: 'database is locked' });
    });
  });
});
