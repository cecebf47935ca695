/**
 * `import` of the shipped console exports (fixtures/import/) against the emulator world: the right
 * reviews become cases once, a second import adds nothing, a later API sync of the same reviews
 * adds nothing (same keys, same content), the filters and the backlog apply, and bad headers and
 * bad rows give clear errors without sinking the rest.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { importReviews, renderImport, type ImportReport } from '../../../src/engine/import.js';
import { buildServices } from '../../../src/engine/wiring.js';
import { UserError } from '../../../src/errors.js';
import { memoryLogger } from '../../../src/log.js';
import { openDb } from '../../../src/state/db.js';
import { LabelCache } from '../../../src/state/labels.js';
import { sqliteUsageLedger } from '../../../src/state/usage.js';
import { tempDir } from '../../helpers/temp.js';
import { syncOnce, testWorld, type World } from '../../helpers/world.js';

const fixtures = join(import.meta.dirname, '../../../fixtures/import');
const playReport = join(fixtures, 'reviews_com.acme.reviews_202608.csv');
const ruExport = join(fixtures, 'rustore-reviews-ru.acme.reviews.csv');
const gp = (id: string): string => `google-play:com.acme.reviews:gp:AOqpTOImportSample000${id}`;

let world: World;
let dir: string;

beforeEach(async () => {
  dir = tempDir();
  world = await testWorld({ dir });
});
afterEach(async () => {
  await world.stop();
});

async function importOnce(app: string, files: string[]): Promise<ImportReport> {
  world.saveConfig();
  const location = { configPath: world.configPath, dbPath: world.dbPath };
  const config = loadConfig(location, {});
  const db = openDb(world.dbPath);
  const logger = memoryLogger();
  try {
    const services = buildServices(config, location, logger, {
      usage: sqliteUsageLedger(db),
      labelCache: new LabelCache(db),
      wait: async () => {},
      backoffBaseMs: 1,
    });
    return await importReviews({ db, config, services, logger }, app, files);
  } finally {
    db.closeSync();
  }
}

function appFilters(id: string): Record<string, unknown> {
  const app = world.config.apps!.find((a) => a.id === id)!;
  return ((app as { filters?: Record<string, unknown> }).filters ??= {});
}

/** The fixture file's text in UTF-16LE with its BOM, as Play Console writes it. */
function playText(): string {
  const bytes = readFileSync(playReport);
  expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
  return new TextDecoder('utf-16le').decode(bytes.subarray(2));
}

function writePlay(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  return path;
}

describe('import of a Play Console reviews report', () => {
  it('delivers the unanswered reviews once; a second import and a later API sync add nothing', async () => {
    const first = await importOnce('android', [playReport]);
    expect(first.outcome).toBe('ok');
    expect(first.files).toEqual([
      {
        file: playReport,
        format: 'Play Console reviews report',
        rows: 5,
        reviews: 4,
        skipped: 1,
        setAside: [],
      },
    ]);
    expect(first.app).toMatchObject({ created: 3, backlogSkipped: 1, backlogAnswered: 1, failed: 0 });
    const cases = world.omnidesk.cases();
    expect(cases.map((c) => c.userCustomId).sort()).toEqual([gp('1'), gp('4'), gp('5')]);
    const crash = cases.find((c) => c.userCustomId === gp('1'))!;
    expect(crash.subject).toContain('Вылетает');
    const body = world.omnidesk.messages(crash.caseId)[0]!.content;
    expect(body).toContain('Приложение закрывается при открытии камеры.');
    // The quoted cell keeps its comma, quotes and line break.
    const ja = world.omnidesk.messages(cases.find((c) => c.userCustomId === gp('4'))!.caseId)[0]!.content;
    expect(ja).toContain('同期が速い、でも');
    expect(ja).toContain('"ダークモード"が欲しい。');
    expect(renderImport(first)).toContain('not imported: already answered 1, beyond the backlog 0');

    const again = await importOnce('android', [playReport]);
    expect(again.app).toMatchObject({ created: 0, updated: 0, unchanged: 4, failed: 0 });
    expect(world.omnidesk.cases()).toHaveLength(3);

    // The same reviews through the API (title and text joined by a TAB, as Google serves them).
    const messagesBefore = cases.map((c) => world.omnidesk.messages(c.caseId).length);
    for (const [id, stars, text, reply] of [
      ['1', 1, 'Вылетает\tПриложение закрывается при открытии камеры.', undefined],
      ['2', 5, 'Great app, thanks!', 'Thank you, Ann!'],
      ['4', 4, '同期\t同期が速い、でも\n"ダークモード"が欲しい。', undefined],
      ['5', 2, 'Era muito bom, depois da atualização ficou lento.', undefined],
    ] as const) {
      world.googlePlay.addReview('com.acme.reviews', {
        reviewId: `gp:AOqpTOImportSample000${id}`,
        authorName: 'Someone',
        text,
        starRating: stars,
        ...(reply ? { reply: { text: reply } } : {}),
      });
    }
    const sync = await syncOnce(world);
    expect(sync.apps.find((a) => a.app === 'android')).toMatchObject({
      fetched: 4,
      new: 0,
      edited: 0,
      created: 0,
      updated: 0,
      outcome: 'ok',
    });
    expect(world.omnidesk.cases()).toHaveLength(3);
    expect(cases.map((c) => world.omnidesk.messages(c.caseId).length)).toEqual(messagesBefore);
  });

  it('fills only the free backlog places, newest unanswered first', async () => {
    appFilters('android').backlog = 1;
    const one = await importOnce('android', [playReport]);
    expect(world.omnidesk.cases().map((c) => c.userCustomId)).toEqual([gp('5')]);
    expect(one.app).toMatchObject({ created: 1, backlogSkipped: 3, backlogAnswered: 1 });
    expect(one.backlogLeft).toBe(1);
  });

  it('counts the backlog the first sync took: an import fills what is left', async () => {
    appFilters('android').backlog = 2;
    world.googlePlay.addReview('com.acme.reviews', { authorName: 'Ann', text: 'Slow\tIt is slow', starRating: 3 });
    expect((await syncOnce(world)).apps.find((a) => a.app === 'android')).toMatchObject({ created: 1 });
    const r = await importOnce('android', [playReport]);
    expect(r.backlogLeft).toBe(1);
    expect(r.app).toMatchObject({ created: 1, backlogSkipped: 3 });
    expect(world.omnidesk.cases().map((c) => c.userCustomId)).toContain(gp('5'));
    // The backlog is full now: another export adds no old review.
    expect((await importOnce('android', [playReport])).backlogLeft).toBe(0);
  });

  it("applies the app's filters", async () => {
    appFilters('android').ratings = [1, 2];
    const filtered = await importOnce('android', [playReport]);
    // The 4- and 5-star reviews are dropped by the rating filter (before the backlog looks at answers).
    expect(filtered.app.dropped).toEqual({ rating: 2 });
    expect(
      world.omnidesk
        .cases()
        .map((c) => c.userCustomId)
        .sort(),
    ).toEqual([gp('1'), gp('5')]);
  });

  it('refuses a header without a column it needs, naming it (exit 2), and delivers nothing', async () => {
    const text = playText().replace(',Star Rating,', ',Stars,');
    const path = writePlay('no-rating.csv', text);
    const err = await importOnce('android', [playReport, path]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as UserError).message).toMatch(
      /^no-rating\.csv: the Play Console reviews report lacks the column "Star Rating"/,
    );
    expect(world.omnidesk.cases()).toHaveLength(0);
  });

  it('sets a bad row aside with its line number; the other rows flow', async () => {
    const lines = playText().split('\n');
    // Line 2 is the first review: a rating of 6 is no rating; line 6 has no review id in its link.
    lines[1] = lines[1]!.replace(',1,Вылетает,', ',6,Вылетает,');
    lines[6] = lines[6]!.replace(/reviewId=[^&]+/, 'x=1');
    const path = writePlay('bad-rows.csv', lines.join('\n'));
    const r = await importOnce('android', [path]);
    expect(r.outcome).toBe('ok');
    expect(r.files[0]!.setAside).toEqual([
      'line 2: column "Star Rating" must be a whole number from 1 to 5',
      'line 7: column "Review Link" holds no review id (reviewId=…)',
    ]);
    expect(world.omnidesk.cases().map((c) => c.userCustomId)).toEqual([gp('4')]);
    expect(renderImport(r)).toContain('  set aside: line 2: column "Star Rating" must be a whole number from 1 to 5');
  });

  it('refuses a file of another store than the app (exit 2)', async () => {
    const err = await importOnce('android', [ruExport]).catch((e: unknown) => e);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as UserError).message).toContain(
      'this is a RuStore Console review export (RuStore), but the app is a Google Play app',
    );
  });
});

describe('import of a RuStore Console review export', () => {
  it('delivers its reviews once; a later API sync of the same comments adds nothing', async () => {
    const first = await importOnce('rustore', [ruExport]);
    expect(first.outcome).toBe('ok');
    expect(first.files[0]).toMatchObject({ format: 'RuStore Console review export', rows: 3, reviews: 3 });
    const keys = world.omnidesk
      .cases()
      .map((c) => c.userCustomId)
      .sort();
    expect(keys).toEqual([
      'rustore:ru.acme.reviews:748101',
      'rustore:ru.acme.reviews:748102',
      'rustore:ru.acme.reviews:748103',
    ]);
    const olga = world.omnidesk.cases().find((c) => c.userCustomId === 'rustore:ru.acme.reviews:748103')!;
    expect(world.omnidesk.messages(olga.caseId)[0]!.content).toContain(
      'Раньше было лучше; после обновления, "тормозит"',
    );

    expect((await importOnce('rustore', [ruExport])).app).toMatchObject({ created: 0, unchanged: 3 });

    for (const [commentId, appRating, commentText] of [
      [748101, 2, 'Не приходят уведомления, поправьте, пожалуйста'],
      [748102, 5, 'Всё работает, спасибо!'],
      [748103, 3, 'Раньше было лучше; после обновления, "тормозит"'],
    ] as const) {
      world.rustore.addComment('ru.acme.reviews', { commentId, appRating, commentText, userName: 'x' });
    }
    const sync = await syncOnce(world);
    expect(sync.apps.find((a) => a.app === 'rustore')).toMatchObject({
      fetched: 3,
      new: 0,
      edited: 0,
      created: 0,
      updated: 0,
      outcome: 'ok',
    });
    expect(world.omnidesk.cases()).toHaveLength(3);
  });

  it('reads a semicolon-separated UTF-8 file with Russian dates; a bad date is set aside by line', async () => {
    const path = join(dir, 'ru.csv');
    writeFileSync(
      path,
      [
        'ID;Comment Last Update Date;First Name;App Rating;Comment Text',
        '900001;02.07.2026 10:15;Мария;2;Медленно',
        '900002;вчера;Иван;5;Отлично',
        '',
      ].join('\n'),
    );
    const r = await importOnce('rustore', [path]);
    expect(r.files[0]!.setAside).toEqual([
      'line 3: column "Comment Last Update Date" must be a date such as 2026-09-10 13:00:00',
    ]);
    expect(world.omnidesk.cases().map((c) => c.userCustomId)).toEqual(['rustore:ru.acme.reviews:900001']);
  });
});
