/**
 * `sync --poll-replies` against the Omnidesk emulator whose clock is 10 minutes behind (and
 * ahead of) this machine: the cursor follows Omnidesk's own `updated_at`, so every reply is
 * found, and the overlap's second sightings are deduplicated by message id: none twice.
 * A reply whose text is only in `content_html` is published as plain text.
 */
import { describe, expect, it } from 'vitest';
import { pollCursorName, pollReplies } from '../../../src/engine/poll-replies.js';
import { Cursors } from '../../../src/state/cursors.js';
import { apps, startLoop, type Loop } from './setup.js';

const tenMinutes = 10 * 60_000;

async function poll(
  loop: Loop,
  publisher: ReturnType<Loop['publisher']>,
): Promise<Awaited<ReturnType<typeof pollReplies>>> {
  return pollReplies({ db: loop.db, services: loop.services, logger: loop.logger, publisher });
}

describe.each([
  ['behind', -tenMinutes],
  ['ahead of', tenMinutes],
])("Omnidesk's clock 10 minutes %s this machine", (_label, skew) => {
  it('finds every reply, records and publishes each once', async () => {
    const loop = await startLoop({}, { omniNow: () => Date.now() + skew });
    const gp = await loop.reviewWithCase('google-play');
    const ru = await loop.reviewWithCase('rustore');
    const publisher = loop.publisher();
    const staffIds = (): number[] =>
      [gp.caseId, ru.caseId]
        .flatMap((c) =>
          loop.omni
            .messages(c)
            .filter((m) => m.staffId !== 0 && !m.note)
            .map((m) => m.messageId),
        )
        .sort((a, b) => a - b);

    // Round 1: a reply in each case.
    await loop.omni.addStaffReply(gp.caseId, 'First answer (Google Play)');
    await loop.omni.addStaffReply(ru.caseId, 'Первый ответ');
    expect(await poll(loop, publisher)).toMatchObject({ recorded: 2, errors: 0, invalid: 0 });
    const cursor = (await new Cursors(loop.db).get(pollCursorName))!;
    // The cursor is Omnidesk's time (minus the overlap), not this machine's.
    const newestCase = Math.max(...loop.omni.cases().map((c) => c.updatedAt));
    expect(Date.parse(cursor)).toBe(Math.floor(newestCase / 1000) * 1000 - 2 * 60_000);

    // Round 2: more replies, one of them written only as HTML.
    await loop.omni.addStaffReply(gp.caseId, 'Second answer (Google Play)');
    await loop.omni.addStaffReply(ru.caseId, '', { contentHtml: '<p>Спасибо!<br>Исправлено в&nbsp;2.1</p>' });
    const second = await poll(loop, publisher);
    expect(second).toMatchObject({ recorded: 2, errors: 0 });
    // The overlap read round 1's replies again: seen, not recorded twice.
    expect(second.duplicates).toBeGreaterThanOrEqual(2);

    // Round 3: nothing new.
    expect(await poll(loop, publisher)).toMatchObject({ recorded: 0 });
    expect((await publisher.outbox.all()).map((r) => r.messageId).sort((a, b) => a - b)).toEqual(staffIds());

    await publisher.flush();
    await publisher.flush();
    const gpAnswers = loop.gp.replies(apps['google-play']);
    expect(gpAnswers).toHaveLength(1);
    expect(gpAnswers[0]).toMatchObject({ text: 'Second answer (Google Play)' });
    const ruTexts = loop.ru.feedback().map((f) => f.text);
    expect(ruTexts.at(-1)).toBe('Спасибо!\nИсправлено в 2.1');
    expect((await publisher.outbox.all()).filter((r) => r.state === 'pending' || r.state === 'sending')).toEqual([]);
  });
});
