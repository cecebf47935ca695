import { describe, expect, it } from 'vitest';
import { formatOmniDate, parseOmniDate, parseWebhook } from '../../../src/connectors/helpdesk/omnidesk/index.js';
import { EmulatorServer } from '../../../src/emulators/harness.js';
import { RemoteError } from '../../../src/errors.js';
import { draft, startOmnidesk } from './setup.js';

const form = 'application/x-www-form-urlencoded';

describe('Omnidesk webhook parsing', () => {
  it('reads the form-encoded message_new with PHP-bracket keys and attachments', () => {
    const body = new URLSearchParams({
      type: 'message_new',
      'object[message_id]': '42577887',
      'object[case_id]': '985687',
      'object[staff_id]': '7235',
      'object[user_id]': '5654846848',
      'object[custom_user_id]': 'gp:com.app:r-1',
      'object[content]': 'Help is coming! & more',
      'object[note]': '0',
      'object[sent_via_rule]': '1',
      'object[attachments][0][url]': 'https://files.example.test/a.png',
      'object[attachments][1][url]': 'https://files.example.test/b.pdf',
    }).toString();
    expect(parseWebhook(form, body)).toEqual({
      type: 'message_new',
      caseId: 985687,
      messageId: 42577887,
      staffId: 7235,
      userId: 5654846848,
      customUserId: 'gp:com.app:r-1',
      content: 'Help is coming! & more',
      note: false,
      sentViaRule: true,
      attachments: ['https://files.example.test/a.png', 'https://files.example.test/b.pdf'],
    });
  });

  it('reads the JSON form with numbers, booleans and attachment objects', () => {
    const body = JSON.stringify({
      type: 'message_new',
      object: {
        message_id: 1,
        case_id: '2',
        staff_id: 3,
        user_id: 4,
        custom_user_id: 'k',
        content: 'hi',
        note: true,
        sent_via_rule: false,
        attachments: [{ url: 'https://x.test/1' }],
      },
    });
    expect(parseWebhook('application/json; charset=utf-8', body)).toMatchObject({
      caseId: 2,
      messageId: 1,
      note: true,
      sentViaRule: false,
      attachments: ['https://x.test/1'],
    });
    // No content type: sniffed.
    expect(parseWebhook('', body).caseId).toBe(2);
  });

  it('defaults optional fields', () => {
    const e = parseWebhook(form, 'type=message_new&object[case_id]=1&object[message_id]=2&object[staff_id]=3');
    expect(e).toEqual({
      type: 'message_new',
      caseId: 1,
      messageId: 2,
      staffId: 3,
      userId: 0,
      customUserId: undefined,
      content: '',
      note: false,
      sentViaRule: false,
      attachments: [],
    });
  });

  it('names the missing or bad field', () => {
    const fail = (ct: string, body: string): RemoteError => {
      try {
        parseWebhook(ct, body);
      } catch (err) {
        expect(err).toBeInstanceOf(RemoteError);
        return err as RemoteError;
      }
      throw new Error('did not throw');
    };
    expect(fail(form, 'type=message_new&object[message_id]=2&object[staff_id]=3').message).toContain(
      'field "object.case_id" is missing',
    );
    expect(fail(form, 'type=message_new&object[case_id]=x&object[message_id]=2&object[staff_id]=3').message).toContain(
      'field "object.case_id": expected a whole number from 1',
    );
    expect(
      fail(form, 'type=message_new&object[case_id]=1&object[message_id]=2&object[staff_id]=3&object[note]=maybe')
        .message,
    ).toContain('object.note');
    expect(fail('application/json', '{"type":').message).toContain('not valid JSON');
    expect(fail(form, '').kind).toBe('bad-payload');
    expect(fail('application/json', '{"object":{}}').message).toContain('"type" is missing');
  });
});

describe('Omnidesk dates', () => {
  it('reads and writes "Mon, 05 May 2014 00:15:17 +0300"', () => {
    expect(new Date(parseOmniDate('Mon, 05 May 2014 00:15:17 +0300')!).toISOString()).toBe('2014-05-04T21:15:17.000Z');
    expect(parseOmniDate('-')).toBeUndefined();
    expect(parseOmniDate('yesterday')).toBeUndefined();
    expect(formatOmniDate(Date.UTC(2014, 4, 4, 21, 15, 17), 180)).toBe('Mon, 05 May 2014 00:15:17 +0300');
    expect(formatOmniDate(Date.UTC(2024, 1, 29, 3, 4, 5))).toBe('Thu, 29 Feb 2024 03:04:05 +0000');
  });
});

describe('Omnidesk emulator staff replies', () => {
  async function receiver() {
    const hooks: { contentType: string; body: string }[] = [];
    const server = new EmulatorServer({ name: 'receiver' });
    server.route('POST', '/hook', (req) => {
      hooks.push({ contentType: String(req.headers['content-type']), body: req.bodyText });
      return { status: 200, json: { status: 'ok' } };
    });
    const url = `${await server.start()}/hook?secret=s3cr3t`;
    return { server, hooks, url };
  }

  it('posts the form-encoded webhook for a reply, not for a note; the connector parses it', async () => {
    const { emu, helpdesk } = await startOmnidesk();
    const rx = await receiver();
    try {
      emu.setChannelWebhook('cch1', rx.url);
      const ref = await helpdesk.createCase(draft('gp:com.app:r-9'));
      const reply = await emu.addStaffReply(ref.caseId, 'Thanks, fixed in 2.1', {
        attachments: ['https://files.example.test/shot.png'],
      });
      expect(reply.webhookStatus).toBe(200);
      const note = await emu.addStaffReply(ref.caseId, 'internal', { note: true });
      expect(note.webhookStatus).toBeUndefined();

      expect(rx.hooks).toHaveLength(1);
      expect(rx.hooks[0]!.contentType).toBe(form);
      expect(rx.hooks[0]!.body).toContain('object%5Bcase_id%5D=');
      expect(parseWebhook(rx.hooks[0]!.contentType, rx.hooks[0]!.body)).toEqual({
        type: 'message_new',
        caseId: ref.caseId,
        messageId: reply.messageId,
        staffId: 1,
        userId: ref.userId,
        customUserId: 'gp:com.app:r-9',
        content: 'Thanks, fixed in 2.1',
        note: false,
        sentViaRule: false,
        attachments: ['https://files.example.test/shot.png'],
      });
      const messages = await helpdesk.listMessages(ref.caseId);
      expect(messages.at(-2)).toMatchObject({
        messageId: reply.messageId,
        staffId: 1,
        note: false,
        attachments: ['https://files.example.test/shot.png'],
      });
      expect(messages.at(-1)).toMatchObject({ note: true, content: 'internal' });
    } finally {
      await rx.server.stop();
    }
  });

  it('has an HTTP route for the agent’s reply and one to inspect the cases', async () => {
    const { emu, helpdesk } = await startOmnidesk();
    const rx = await receiver();
    try {
      emu.setChannelWebhook('cch1', rx.url);
      const ref = await helpdesk.createCase(draft('k-http'));
      const res = await fetch(`${emu.baseUrl}/__emulator/cases/${ref.caseId}/staff-reply`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'Hello from the agent', sentViaRule: true }),
      });
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ webhookStatus: 200 });
      expect(parseWebhook(form, rx.hooks[0]!.body)).toMatchObject({
        content: 'Hello from the agent',
        sentViaRule: true,
      });

      const view = (await (await fetch(`${emu.baseUrl}/__emulator/cases`)).json()) as {
        cases: { caseId: number; messages: unknown[] }[];
      };
      expect(view.cases[0]).toMatchObject({ caseId: ref.caseId });
      expect(view.cases[0]!.messages).toHaveLength(2);
      expect(
        (
          await fetch(`${emu.baseUrl}/__emulator/cases/999/staff-reply`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"content":"x"}',
          })
        ).status,
      ).toBe(404);
    } finally {
      await rx.server.stop();
    }
  });
});
