import { describe, expect, it } from 'vitest';
import { TooLongReplyError } from '../../../src/connectors/stores/types.js';
import { ruStoreTestKey } from '../../helpers/rustore-keys.js';
import { app, pkg, setup } from './setup.js';

const feedbackPath = `/public/v1/application/${pkg}/feedback`;

describe('RuStore answers', () => {
  it('creates an answer in MODERATION and reads it back as PUBLISHED once moderated', async () => {
    const t = await setup({ emulator: { moderationDelayMs: 10 * 60_000 } });
    const id = t.emu.addComment(pkg);
    const published = await t.connector.publishReply(app, String(id), 'Спасибо за отзыв!');
    const [f] = t.emu.feedback();
    expect(published).toEqual({ state: 'MODERATION', answerId: String(f!.id) });
    expect(f).toMatchObject({ commentId: id, text: 'Спасибо за отзыв!', status: 'MODERATION' });

    const create = t.requests(feedbackPath).find((r) => r.method === 'POST')!;
    expect(create.query).toBe(`?commentId=${id}`);
    expect(JSON.parse(create.body)).toEqual({ message: 'Спасибо за отзыв!' });

    expect(await t.connector.replyStatus(app, String(id), published.answerId)).toMatchObject({
      state: 'MODERATION',
      answerId: published.answerId,
    });
    t.clock.now += 10 * 60_000;
    expect(await t.connector.replyStatus(app, String(id), published.answerId)).toEqual({
      state: 'PUBLISHED',
      text: 'Спасибо за отзыв!',
      answerId: published.answerId,
      reason: undefined,
    });
  });

  it('reads back REJECTED when moderation refuses the answer', async () => {
    const t = await setup({ emulator: { moderationDelayMs: 1000 } });
    t.emu.markRejectable('promo code');
    const id = t.emu.addComment(pkg);
    const published = await t.connector.publishReply(app, String(id), 'Use promo code FREE');
    t.clock.now += 1000;
    expect(await t.connector.replyStatus(app, String(id), published.answerId)).toMatchObject({
      state: 'REJECTED',
      answerId: published.answerId,
    });
  });

  it('edits the same answer for a second reply instead of adding one', async () => {
    const t = await setup();
    const id = t.emu.addComment(pkg);
    const first = await t.connector.publishReply(app, String(id), 'Первый ответ');
    const second = await t.connector.publishReply(app, String(id), 'Исправленный ответ', first.answerId);
    expect(second).toEqual({ state: 'MODERATION', answerId: first.answerId });
    const all = t.emu.feedback();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ text: 'Исправленный ответ' });
    expect(
      t
        .requests(feedbackPath)
        .filter((r) => r.method === 'POST')
        .map((r) => r.path),
    ).toEqual([feedbackPath, `${feedbackPath}/${first.answerId}`]);
  });

  it('after a crash (answer made, id lost) finds the answer instead of duplicating it', async () => {
    const t = await setup({ emulator: { moderationDelayMs: 60_000 } });
    const other = t.emu.addComment(pkg);
    const id = t.emu.addComment(pkg);
    await t.connector.publishReply(app, String(other), 'Ответ на другой отзыв');
    const made = await t.connector.publishReply(app, String(id), 'Ответ');
    // The process died before saving `made.answerId`; the retry knows nothing of it.
    t.emu.server.requests.length = 0;
    const again = await t.connector.publishReply(app, String(id), 'Ответ');
    expect(again).toEqual({ state: 'MODERATION', answerId: made.answerId });
    // Same text: nothing is sent, moderation is not restarted.
    expect(t.requests(feedbackPath).map((r) => r.method)).toEqual(['GET']);

    // The agent changed the text meanwhile: the found answer is edited, still one answer.
    const edited = await t.connector.publishReply(app, String(id), 'Ответ, дополненный');
    expect(edited.answerId).toBe(made.answerId);
    const mine = t.emu.feedback().filter((f) => f.commentId === id);
    expect(mine).toMatchObject([{ text: 'Ответ, дополненный', status: 'MODERATION' }]);
    expect(
      t
        .requests(feedbackPath)
        .filter((r) => r.method === 'POST')
        .map((r) => r.path),
    ).toEqual([`${feedbackPath}/${made.answerId}`]);
  });

  it('finds the existing answer across pages of the answer list', async () => {
    const t = await setup();
    const target = t.emu.addComment(pkg);
    await t.connector.publishReply(app, String(target), 'Старый ответ');
    for (let i = 0; i < 130; i++)
      t.emu.addFeedback(pkg, t.emu.addComment(pkg), `ответ ${i}`, 'PUBLISHED', t.clock.now + i * 1000);
    t.emu.server.requests.length = 0;
    await t.connector.publishReply(app, String(target), 'Новый ответ');
    expect(
      t.emu
        .feedback()
        .filter((f) => f.commentId === target)
        .map((f) => f.text),
    ).toEqual(['Новый ответ']);
    expect(t.requests(feedbackPath).map((r) => `${r.method} ${r.query}`)).toEqual([
      'GET ?page=0&size=100',
      'GET ?page=1&size=100',
      'POST ',
    ]);
  });

  it('answers afresh when the previous answer was deleted in the Console', async () => {
    const t = await setup();
    const id = t.emu.addComment(pkg);
    const first = await t.connector.publishReply(app, String(id), 'Первый');
    t.emu.deleteFeedback(Number(first.answerId));
    const second = await t.connector.publishReply(app, String(id), 'Второй', first.answerId);
    expect(second.answerId).not.toBe(first.answerId);
    expect(
      t.emu
        .feedback()
        .filter((f) => f.commentId === id)
        .map((f) => f.status),
    ).toEqual(['DELETED', 'PUBLISHED']);
    // Reading the old id back points to the current answer.
    expect(await t.connector.replyStatus(app, String(id), first.answerId)).toMatchObject({
      state: 'PUBLISHED',
      answerId: second.answerId,
      text: 'Второй',
    });
  });

  it('reads the status by comment when the answer id is unknown, and undefined when there is none', async () => {
    const t = await setup();
    const id = t.emu.addComment(pkg);
    expect(await t.connector.replyStatus(app, String(id))).toBeUndefined();
    const made = await t.connector.publishReply(app, String(id), 'Ответ');
    expect(await t.connector.replyStatus(app, String(id))).toMatchObject({
      state: 'PUBLISHED',
      answerId: made.answerId,
    });
  });

  it('refuses a too-long answer before sending anything', async () => {
    const t = await setup();
    const id = t.emu.addComment(pkg);
    const err = await t.connector.publishReply(app, String(id), 'я'.repeat(501)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLongReplyError);
    expect(err).toMatchObject({ kind: 'too-long', length: 501, max: 500 });
    expect(t.requests()).toHaveLength(0);
    // Exactly at the limit goes through.
    await expect(t.connector.publishReply(app, String(id), 'я'.repeat(500))).resolves.toMatchObject({
      state: 'MODERATION',
    });
  });

  it('honours a configured limit', async () => {
    const t = await setup({ maxReplyLength: 350 });
    expect(t.connector.capabilities).toMatchObject({ reply: true, maxReplyLength: 350, replyNeedsReadBack: true });
    await expect(t.connector.publishReply(app, '1', 'a'.repeat(351))).rejects.toBeInstanceOf(TooLongReplyError);
    expect(t.requests()).toHaveLength(0);
  });

  it('retries a create that failed with 5xx only after checking it did not land', async () => {
    const t = await setup();
    const id = t.emu.addComment(pkg);
    t.emu.failNextCreate({ status: 503 });
    const made = await t.connector.publishReply(app, String(id), 'Ответ');
    expect(t.emu.feedback()).toHaveLength(1);
    expect(made.answerId).toBe(String(t.emu.feedback()[0]!.id));
    expect(t.requests(feedbackPath).map((r) => `${r.method} ${r.status}`)).toEqual([
      'GET 200',
      'POST 503',
      'GET 200',
      'POST 200',
    ]);
  });

  it('does not create twice when the create landed but its answer was an error', async () => {
    const t = await setup();
    const id = t.emu.addComment(pkg);
    t.emu.failNextCreate({ status: 502, afterSaving: true });
    const made = await t.connector.publishReply(app, String(id), 'Ответ');
    expect(t.emu.feedback()).toHaveLength(1);
    // Moderation took no time in this emulator: the answer found is already PUBLISHED.
    expect(made).toEqual({ state: 'PUBLISHED', answerId: String(t.emu.feedback()[0]!.id) });
    expect(t.requests(feedbackPath).map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'POST 502', 'GET 200']);
  });

  it('retries an edit on 5xx (sending the same text twice is harmless)', async () => {
    const t = await setup();
    const id = t.emu.addComment(pkg);
    const first = await t.connector.publishReply(app, String(id), 'Первый');
    t.emu.server.setFaults({ next: ['500', '502'], pathPrefix: `${feedbackPath}/` });
    await t.connector.publishReply(app, String(id), 'Второй', first.answerId);
    expect(t.emu.feedback()).toMatchObject([{ text: 'Второй' }]);
  });

  it('says the key lacks the app or method when answering is forbidden', async () => {
    const key = ruStoreTestKey();
    const t = await setup({
      emulator: { keys: [{ keyId: key.keyId, publicKeyPem: key.publicKeyPem, apps: ['ru.other'] }] },
    });
    const id = t.emu.addComment(pkg);
    await expect(t.connector.publishReply(app, String(id), 'Ответ')).rejects.toMatchObject({
      kind: 'permission',
      status: 403,
      message: expect.stringContaining('not granted this app or method') as unknown,
    });
    expect(t.emu.feedback()).toHaveLength(0);
  });
});
