import { describe, expect, it } from 'vitest';
import { createOmnidesk } from '../../../src/connectors/helpdesk/omnidesk/index.js';
import { memoryLogger } from '../../../src/log.js';
import { apiKey, calls, draft, remoteError, staffEmail, startOmnidesk } from './setup.js';

describe('Omnidesk cases', () => {
  it('creates a case in the custom channel with the review key in user_custom_id and the channel field', async () => {
    const { emu, helpdesk } = await startOmnidesk({ emulator: { startCaseId: 500 } });
    const labels = [await helpdesk.labelId('Google Play'), await helpdesk.labelId('★2')];
    const ref = await helpdesk.createCase(draft('gp:com.app:r-1', { labelIds: labels }));

    expect(ref).toMatchObject({ caseId: 500, created: true });
    expect(ref.caseNumber).toMatch(/^\d{3}-\d{6}$/);
    const [c] = emu.cases();
    expect(c).toMatchObject({
      caseId: 500,
      channel: 'cch1',
      userCustomId: 'gp:com.app:r-1',
      subject: '★2 Google Play review',
      status: 'open',
      labels,
      customFields: { cf_1: 'gp:com.app:r-1' },
    });
    expect(ref.userId).toBe(c!.userId);
    const post = emu.server.serviceRequests().find((r) => r.method === 'POST' && r.path === '/api/cases.json')!;
    expect(post.status).toBe(201);
    expect(JSON.parse(post.body)).toEqual({
      case: {
        user_custom_id: 'gp:com.app:r-1',
        user_full_name: 'Ann Reviewer',
        channel: 'cch1',
        subject: '★2 Google Play review',
        content: 'The app crashes on start',
        content_html: '<p>The app crashes on start</p>',
        labels,
        custom_fields: { cf_1: 'gp:com.app:r-1' },
      },
    });
    // The first message is the customer's text.
    expect(emu.messages(500)).toMatchObject([{ userId: c!.userId, staffId: 0, content: 'The app crashes on start' }]);
  });

  it('finds a case by exact custom id although the API matches substrings', async () => {
    const { helpdesk } = await startOmnidesk();
    const long = await helpdesk.createCase(draft('gp:com.app:r-123'));
    const short = await helpdesk.createCase(draft('gp:com.app:r-12'));

    const found = await helpdesk.findCaseByCustomId('gp:com.app:r-12');
    expect(found).toMatchObject({
      caseId: short.caseId,
      userCustomId: 'gp:com.app:r-12',
      reviewKey: 'gp:com.app:r-12',
      status: 'open',
      labels: [],
    });
    expect(found?.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await helpdesk.findCaseByCustomId('gp:com.app:r-123'))?.caseId).toBe(long.caseId);
    expect(await helpdesk.findCaseByCustomId('gp:com.app:r-1')).toBeUndefined();
  });

  it('without the case field, tells substring matches apart by the users exact custom id', async () => {
    const { emu, helpdesk } = await startOmnidesk({ cfg: { caseFieldId: undefined } });
    await helpdesk.createCase(draft('as:1:r-77'));
    const wanted = await helpdesk.createCase(draft('as:1:r-7'));
    emu.server.requests.length = 0;

    expect((await helpdesk.findCaseByCustomId('as:1:r-7'))?.caseId).toBe(wanted.caseId);
    expect(calls(emu)).toEqual(['GET /api/cases.json', 'GET /api/users.json']);
    const q = new URLSearchParams(emu.server.serviceRequests()[0]!.query);
    expect(Object.fromEntries(q)).toMatchObject({
      user_custom_id: 'as:1:r-7',
      channel: 'cch1',
      page: '1',
      limit: '100',
    });
  });

  it('a create whose connection dropped is looked up, then sent again: exactly one case', async () => {
    const { emu, helpdesk } = await startOmnidesk();
    emu.server.setFaults({ next: ['drop'] });
    const ref = await helpdesk.createCase(draft('gp:x:1'));
    expect(ref.created).toBe(true);
    expect(emu.cases()).toHaveLength(1);
    expect(calls(emu)).toEqual(['POST /api/cases.json', 'GET /api/cases.json', 'POST /api/cases.json']);
  });

  it('a create that timed out is looked up, then sent again', async () => {
    const { emu, helpdesk } = await startOmnidesk({ deps: { timeoutMs: 200 } });
    emu.server.setFaults({ next: ['timeout'] });
    await helpdesk.createCase(draft('gp:x:t'));
    expect(emu.cases()).toHaveLength(1);
    expect(calls(emu)).toEqual(['POST /api/cases.json', 'GET /api/cases.json', 'POST /api/cases.json']);
  });

  it('a create answered 500 is looked up before it is sent again: exactly one case', async () => {
    const { emu, helpdesk } = await startOmnidesk();
    emu.server.setFaults({ next: ['500'] });
    await helpdesk.createCase(draft('gp:x:2'));
    expect(emu.cases()).toHaveLength(1);
    expect(calls(emu)).toEqual(['POST /api/cases.json', 'GET /api/cases.json', 'POST /api/cases.json']);
  });

  it('a create that happened but whose answer was unreadable returns the existing case (created:false)', async () => {
    const { emu, helpdesk } = await startOmnidesk();
    emu.server.setFaults({ next: ['malformed'] });
    const ref = await helpdesk.createCase(draft('gp:x:3'));
    expect(emu.cases()).toHaveLength(1);
    expect(ref).toMatchObject({ caseId: emu.cases()[0]!.caseId, created: false });
    expect(calls(emu)).toEqual(['POST /api/cases.json', 'GET /api/cases.json']);
  });

  it('a create refused with 400 is not retried', async () => {
    const { emu, helpdesk } = await startOmnidesk();
    const err = await remoteError(helpdesk.createCase(draft('gp:x:4', { subject: '  ' })));
    expect(err).toMatchObject({ kind: 'rejected', status: 400, code: 'subject_required' });
    expect(calls(emu)).toEqual(['POST /api/cases.json']);
  });

  it('adds a customer message (user id looked up when unknown) and an internal note', async () => {
    const { emu, helpdesk } = await startOmnidesk();
    const ref = await helpdesk.createCase(draft('gp:x:5'));
    const msg = await helpdesk.addCustomerMessage(
      ref.caseId,
      undefined,
      'Edited: still crashes',
      '<p>Edited: still crashes</p>',
    );
    const note = await helpdesk.addNote(ref.caseId, 'Rating changed ★2 → ★1');

    const messages = emu.messages(ref.caseId);
    expect(
      messages.map((m) => [
        m.messageId === msg.messageId || m.messageId === note.messageId,
        m.userId === ref.userId,
        m.note,
        m.content,
      ]),
    ).toEqual([
      [false, true, false, 'The app crashes on start'],
      [true, true, false, 'Edited: still crashes'],
      [true, false, true, 'Rating changed ★2 → ★1'],
    ]);
    const noteReq = emu.server.serviceRequests().find((r) => r.path.endsWith('/note.json'))!;
    expect(JSON.parse(noteReq.body)).toEqual({ note: { content: 'Rating changed ★2 → ★1' } });
    const msgReq = emu.server.serviceRequests().find((r) => r.method === 'POST' && r.path.endsWith('/messages.json'))!;
    expect(JSON.parse(msgReq.body)).toEqual({
      message: { content: 'Edited: still crashes', content_html: '<p>Edited: still crashes</p>', user_id: ref.userId },
    });

    const listed = await helpdesk.listMessages(ref.caseId);
    expect(listed.map((m) => [m.messageId, m.note, m.staffId > 0])).toEqual(
      messages.map((m) => [m.messageId, m.note, m.staffId > 0]),
    );
  });

  it('a note whose answer was lost is found in the messages, not written twice', async () => {
    const { emu, helpdesk } = await startOmnidesk();
    const ref = await helpdesk.createCase(draft('gp:x:6'));
    emu.server.setFaults({ next: ['malformed'] });
    const note = await helpdesk.addNote(ref.caseId, 'once only');
    expect(emu.messages(ref.caseId).filter((m) => m.note)).toEqual([
      expect.objectContaining({ messageId: note.messageId, content: 'once only' }),
    ]);
  });

  it('updates labels and reopens a closed case', async () => {
    const { emu, helpdesk } = await startOmnidesk();
    const [a, b, c] = [await helpdesk.labelId('a'), await helpdesk.labelId('b'), await helpdesk.labelId('c')];
    const ref = await helpdesk.createCase(draft('gp:x:7', { labelIds: [a, b] }));
    await helpdesk.updateCase(ref.caseId, { status: 'closed' });
    expect(emu.cases()[0]!.status).toBe('closed');

    await helpdesk.updateCase(ref.caseId, { addLabels: [c], deleteLabels: [a], status: 'open' });
    const info = await helpdesk.getCase(ref.caseId);
    expect(info).toMatchObject({ caseId: ref.caseId, status: 'open', labels: [b, c], reviewKey: 'gp:x:7' });
    const put = emu.server
      .serviceRequests()
      .filter((r) => r.method === 'PUT')
      .at(-1)!;
    expect(JSON.parse(put.body)).toEqual({ case: { add_labels: [c], delete_labels: [a], status: 'open' } });

    // Nothing to change: no request.
    const before = emu.server.requests.length;
    await helpdesk.updateCase(ref.caseId, {});
    expect(emu.server.requests.length).toBe(before);
  });

  it('an unknown case is not-found with Omnidesk’s code', async () => {
    const { helpdesk } = await startOmnidesk();
    const err = await remoteError(helpdesk.getCase(424242));
    expect(err).toMatchObject({ kind: 'not-found', status: 404, code: 'case_not_found' });
    expect(err.message).toContain('case not found');
    expect((await remoteError(helpdesk.addNote(424242, 'x'))).kind).toBe('not-found');
  });

  it('lists the channel’s cases updated since a time, across pages, with dates read in the account’s zone', async () => {
    let now = Date.UTC(2025, 0, 10, 12, 0, 0);
    const { emu, helpdesk } = await startOmnidesk({
      emulator: {
        now: () => now,
        channels: [
          { id: 1, title: 'App reviews' },
          { id: 2, title: 'Other' },
        ],
      },
    });
    for (let i = 0; i < 230; i++) {
      await helpdesk.createCase(draft(`gp:bulk:${i}`));
      now += 1_000;
    }
    // A case of another channel is not listed.
    const other = createOmnidesk(
      { subdomain: 'acme', baseUrl: emu.baseUrl, staffEmail, apiKey, channel: 'cch2' },
      { logger: memoryLogger() },
    );
    await other.createCase(draft('other:1'));
    expect(emu.cases().filter((c) => c.channel === 'cch2')).toHaveLength(1);

    const all = await helpdesk.listChannelCasesUpdatedSince(undefined);
    expect(all).toHaveLength(230);
    expect(new Set(all.map((c) => c.reviewKey)).size).toBe(230);
    expect(all[0]!.updatedAt).toBe('2025-01-10T12:00:00.000Z');

    const since = await helpdesk.listChannelCasesUpdatedSince('2025-01-10T12:03:00.000Z');
    expect(since.map((c) => c.reviewKey)).toEqual(Array.from({ length: 50 }, (_, i) => `gp:bulk:${180 + i}`));
    const q = new URLSearchParams(emu.server.serviceRequests().at(-1)!.query);
    expect(q.get('from_updated_time')).toBe(String(Date.UTC(2025, 0, 10, 12, 3, 0) / 1000));
  });

  it('lists custom channels and case fields, and pings', async () => {
    const { helpdesk } = await startOmnidesk({
      emulator: {
        channels: [{ id: 7, title: 'Store reviews', webhookUrl: 'https://hooks.example.test/x' }],
        caseFields: [
          { fieldId: 3, title: 'Store reviews', fieldType: 'text' },
          { fieldId: 4, title: 'Plan', fieldType: 'select', level: 'user' },
        ],
      },
      cfg: { channel: 'cch7', caseFieldId: 3 },
    });
    await helpdesk.ping();
    expect(await helpdesk.listCustomChannels()).toEqual([
      { id: 'cch7', title: 'Store reviews', webhookUrl: 'https://hooks.example.test/x', active: true },
    ]);
    expect(await helpdesk.listCaseFields()).toEqual([
      { fieldId: 3, title: 'Store reviews', fieldType: 'text', level: 'case' },
      { fieldId: 4, title: 'Plan', fieldType: 'select', level: 'user' },
    ]);
  });
});
