/**
 * Reply drafts and automatic replies through sync, on a fake clock: a draft note once per
 * case, automatic replies only after their delay, within the app's daily cap, never too long
 * for the store, and never when an agent answered first.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { worldApps, type World } from '../../../src/emulators/world.js';
import { tempDir } from '../../helpers/temp.js';
import { syncOnce, testWorld } from '../../helpers/world.js';

let world: World;
const pkg = worldApps.android.appId;
const minute = 60_000;

function caseOf(author: string) {
  const c = world.omnidesk.cases().find((x) => world.omnidesk.messages(x.caseId)[0]!.content.includes(author));
  if (!c) throw new Error(`no case of ${author}`);
  return c;
}

function notesOf(author: string): string[] {
  return world.omnidesk
    .messages(caseOf(author).caseId)
    .filter((m) => m.note)
    .map((m) => m.content);
}

describe('reply drafts', () => {
  beforeEach(async () => {
    world = await testWorld({ dir: tempDir() });
  });
  afterEach(async () => {
    await world.stop();
  });

  it('off by default: no note', async () => {
    world.config.drafts = { templates: [{ text: 'Hi {{author}}' }] };
    world.googlePlay.addReview(pkg, { authorName: 'Ann', text: 'Bad', starRating: 1 });
    await syncOnce(world);
    expect(notesOf('Ann')).toEqual([]);
  });

  it('a new case gets its matching draft as an internal note, once, chosen by rating, language and rule', async () => {
    world.config.routing = [{ name: 'crash', when: { match: ['crashes'] }, then: { priority: 'high' } }];
    world.config.drafts = {
      enabled: true,
      templates: [
        { rule: 'crash', text: 'Hi {{author}}, sorry {{app}} {{version}} crashes. A fix is coming.' },
        { languages: ['ru'], text: 'Здравствуйте, {{author}}! Спасибо за {{rating}}★.' },
        { ratings: [4, 5], text: 'Thank you, {{author}}!' },
      ],
    };
    world.googlePlay.addReview(pkg, {
      authorName: 'Ann',
      text: 'It crashes on start',
      starRating: 1,
      appVersionName: '3.1.0',
    });
    world.googlePlay.addReview(pkg, { authorName: 'Олег', text: 'Норм', starRating: 3, reviewerLanguage: 'ru' });
    world.googlePlay.addReview(pkg, { authorName: 'Bob', text: 'Great', starRating: 5, reviewerLanguage: 'en' });
    world.googlePlay.addReview(pkg, { authorName: 'Eve', text: 'Meh', starRating: 2, reviewerLanguage: 'en' });
    const first = await syncOnce(world);
    expect(first.outcome).toBe('ok');
    expect(first.followUps?.notes).toBe(3);
    const [ann] = notesOf('Ann');
    expect(ann).toContain('reply draft (not sent)');
    expect(ann).toContain('Hi Ann, sorry Acme Android 3.1.0 crashes. A fix is coming.');
    expect(ann).toMatch(/\n\[ref draft\/google-play:com\.acme\.reviews:[^\]]+\]$/);
    expect(notesOf('Олег')[0]).toContain('Здравствуйте, Олег! Спасибо за 3★.');
    expect(notesOf('Bob')[0]).toContain('Thank you, Bob!');
    expect(notesOf('Eve')).toEqual([]); // no template fits
    // Never published: the stores have no answer.
    expect(world.googlePlay.replies(pkg)).toEqual([]);

    // Later runs (and an edit of the review) post no second draft.
    const bob = world.googlePlay.reviews(pkg).find((r) => r.authorName === 'Bob')!;
    world.googlePlay.editReview(bob.reviewId, { text: 'Still great', starRating: 5 });
    const again = await syncOnce(world);
    expect(again.followUps).toBeUndefined();
    for (const a of ['Ann', 'Олег', 'Bob']) expect(notesOf(a)).toHaveLength(1);
  });
});

describe('automatic replies (fake clock)', () => {
  let now = 0;
  const clock = (): number => now;

  beforeEach(async () => {
    world = await testWorld({ dir: tempDir() });
    now = Date.now();
    world.config.drafts = {
      enabled: true,
      templates: [
        { ratings: [4], text: `Thanks {{author}}! ${'Very long text. '.repeat(30)}` },
        { ratings: [5], text: 'Thank you, {{author}}!' },
        { text: 'Sorry, {{author}}.' },
      ],
    };
    world.config.autoReply = { apps: ['android'], ratings: [4, 5], dailyCap: 2, delayMinutes: 60 };
  });
  afterEach(async () => {
    await world.stop();
  });

  it('waits for the delay, yields to an agent, keeps the daily cap and the length limit, notes it', async () => {
    for (const name of ['Ann', 'Bob', 'Cid', 'Dan'])
      world.googlePlay.addReview(pkg, { authorName: name, text: 'Nice', starRating: 5 });
    world.googlePlay.addReview(pkg, { authorName: 'Liz', text: 'Good', starRating: 4 });
    world.googlePlay.addReview(pkg, { authorName: 'Max', text: 'Bad', starRating: 1 });
    world.appStore.addReview(worldApps.ios.appId, { rating: 5, body: 'Love it', reviewerNickname: 'ios-fan' });
    await syncOnce(world, {}, { now: clock });
    expect(world.googlePlay.replies(pkg)).toEqual([]);
    // The draft says when it goes out by itself.
    expect(notesOf('Ann')[0]).toMatch(
      /sent automatically after \d{4}-\d\d-\d\d \d\d:\d\d UTC unless an agent replies first/,
    );

    // An agent answers Ann within the delay (no webhook here: the case shows it).
    await world.omnidesk.addStaffReply(caseOf('Ann').caseId, 'Hi Ann, thanks a lot!');
    now += 30 * minute;
    await syncOnce(world, {}, { now: clock });
    expect(world.googlePlay.replies(pkg)).toEqual([]);

    now += 31 * minute;
    const due = await syncOnce(world, {}, { now: clock });
    expect(due.followUps).toMatchObject({ autoHanded: 2, autoYielded: 1, autoCapped: 1, autoTooLong: 1 });
    const sent = world.googlePlay.replies(pkg);
    expect(sent).toHaveLength(2);
    const sentTo = ['Bob', 'Cid', 'Dan'].filter((a) => sent.some((r) => r.text === `Thank you, ${a}!`));
    expect(sentTo).toHaveLength(2);
    const capped = ['Bob', 'Cid', 'Dan'].find((a) => !sentTo.includes(a))!;
    for (const a of sentTo) {
      const notes = notesOf(a);
      expect(notes.some((n) => n.includes('this reply was sent automatically') && n.includes(`Thank you, ${a}!`))).toBe(
        true,
      );
      expect(notes.some((n) => n.includes('the reply is published on Google Play'))).toBe(true);
    }
    expect(notesOf(capped).at(-1)).toContain('daily cap of 2 automatic replies is reached');
    expect(notesOf('Ann').at(-1)).toContain('not sent: an agent answered first');
    expect(notesOf('Liz').at(-1)).toMatch(
      /Google Play takes answers of at most 350 characters, the draft has \d+ \(it is never cut\)/,
    );
    expect(notesOf('Max')).toHaveLength(1); // 1★: a draft only, never automatic
    // iOS is not among autoReply.apps: nothing sent there.
    expect(world.appStore.responses()).toEqual([]);

    // Nothing twice on later runs; the next UTC day has a fresh cap.
    const again = await syncOnce(world, {}, { now: clock });
    expect(again.followUps).toBeUndefined();
    expect(world.googlePlay.replies(pkg)).toHaveLength(2);
    now += 24 * 60 * minute;
    world.googlePlay.addReview(pkg, { authorName: 'Zoe', text: 'Nice', starRating: 5, lastModified: now });
    await syncOnce(world, {}, { now: clock });
    now += 61 * minute;
    await syncOnce(world, {}, { now: clock });
    expect(world.googlePlay.replies(pkg).map((r) => r.text)).toContain('Thank you, Zoe!');
  });

  it('an agent reply recorded by the webhook wins too', async () => {
    world.googlePlay.addReview(pkg, { authorName: 'Ann', text: 'Nice', starRating: 5 });
    await syncOnce(world, {}, { now: clock });
    // The agent's reply reached serve-hook (recorded in the reply outbox) and was published.
    const { openDb } = await import('../../../src/state/db.js');
    const { ReplyOutbox } = await import('../../../src/state/replies.js');
    const db = openDb(world.dbPath);
    await new ReplyOutbox(db).record({ messageId: 90_001, caseId: caseOf('Ann').caseId, text: 'Agent answer' });
    db.closeSync();
    now += 61 * minute;
    const report = await syncOnce(world, {}, { now: clock });
    expect(report.followUps).toMatchObject({ autoHanded: 0, autoYielded: 1 });
    expect(world.googlePlay.replies(pkg).map((r) => r.text)).not.toContain('Thank you, Ann!');
  });
});
