/**
 * The whole wizard in Russian, in a real terminal, against the emulators: every step, a
 * refused key typed again, a store-page URL as the app id, `н` meaning NO, a store key checked.
 * The screen must hold no English word but product names and identifiers (the allow-list).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, worldStaff, type World } from '../../src/emulators/world.js';
import { hasPython, keys, runInPty } from '../helpers/pty.js';
import { ensureBuilt } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

let world: World | undefined;
beforeAll(ensureBuilt, 120_000);
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

/** Product and service names, identifiers and key names that stay as they are in Russian text. */
const allowed = new Set(
  [
    'Omnidesk',
    'App',
    'Store',
    'Connect',
    'Google',
    'Play',
    'RuStore',
    'Cloud',
    'IAM',
    'API',
    'Developer',
    'Apple',
    'ID',
    'Key',
    'Issuer',
    'JSON',
    'Base64',
    'ISO',
    'alpha',
    'E-mail',
    'e-mail',
    'Enter',
    'Ctrl-C',
    'asodesk-omni',
    'serve-hook',
    'init',
    'sync',
    'company',
    'omnidesk',
    'ru',
    'en',
    'p8',
    'a',
    'i', // keys of the checkbox: a (all), i (invert)
    'AuthKey',
    'Ctrl',
    'C',
    'App reviews',
    'acme-reviews',
  ].flatMap((w) => w.split(' ')),
);

/** The English words left on the screen once names, addresses, paths and quoted service answers are taken out. */
export function englishWords(screen: string): string[] {
  const text = screen
    // Inquirer redraws a prompt in place: after the escapes are stripped the redraws run on one line.
    .split(/\n|(?=[?✔] \S)/)
    // What the user typed after a prompt's question (inquirer redraws it on every key) is not the program's text.
    .map((line) => (/^[?✔] /.test(line) ? line.slice(0, 2) + line.slice(2).replace(/([:?])\s.*$/, '$1') : line))
    .map((line) => line.replace(/`[^`]*`/g, ' '))
    // Suggested commands: `asodesk-omni config check --online` and the like, up to the explanation.
    .map((line) => line.replace(/asodesk-omni\s+\S.*?(?=\s{2,}|$)/g, ' '))
    .join('\n')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/(?:^|\s)\/\S+/g, ' ')
    .replace(/\S+@\S+/g, ' ')
    // A service's own answer, quoted after «ответ сервиса:», is not ours to translate.
    .replace(/ответ сервиса: «[^»]*»/g, ' ')
    // Identifiers: package names, channel and field ids, env var names, codes such as pt-BR or USA.
    .replace(/\S*[._\d]\S*/g, ' ')
    // Language codes in examples: pt-BR.
    .replace(/\b[a-z]{2}-[A-Z]{2}\b/g, ' ');
  // `JSON-ключ`: a name with a Russian ending.
  const words = (text.match(/[A-Za-z][A-Za-z-]*/g) ?? []).map((w) => w.replace(/-+$/, ''));
  return [...new Set(words.filter((w) => !allowed.has(w)))];
}

describe.skipIf(!hasPython())('init in Russian, in a real terminal', () => {
  it('every step in Russian: д/н, key hints, checks and errors; no English word on the screen but names', async () => {
    const dir = tempDir();
    world = await startWorld({
      dir,
      omnidesk: {
        channels: [{ id: 1, title: 'App reviews' }],
        caseFields: [{ fieldId: 1, title: 'App reviews', fieldType: 'text' }],
      },
    });
    const configPath = join(dir, 'try', 'config.json');
    const googleKey = join(dir, 'google-service-account.json');
    const { enter, down } = keys;
    const r = await runInPty(
      [
        'init',
        '--lang',
        'ru',
        '--config',
        configPath,
        '--omnidesk-url',
        world.omnidesk.baseUrl,
        '--google-play-url',
        world.googlePlay.baseUrl,
        '--google-play-public-url',
        world.googlePlayPublic.baseUrl,
      ],
      [
        { expect: 'Поддомен Omnidesk', send: enter },
        { expect: 'API ключ', send: `not-the-key${enter}` },
        { expect: 'E-mail главного администратора', send: `${worldStaff.email}${enter}` },
        { expect: 'Неверный API ключ', send: '' },
        { expect: 'Что дальше?', send: enter },
        { expect: 'API ключ', send: `${worldStaff.apiKey}${enter}` },
        { expect: 'выполнен как', send: '' },
        { expect: 'Кастомный канал для отзывов', send: '' },
        { expect: 'выбрать', send: enter },
        { expect: 'Публичный адрес приёмника вебхуков', send: `https://hooks.example.com${enter}` },
        { expect: 'Добавить приложение', send: enter },
        { expect: 'Магазин:', send: `${down}${enter}` },
        { expect: 'Имя пакета', send: `https://play.google.com/store/apps/details?id=com.acme.reviews&hl=ru${enter}` },
        { expect: 'Отображаемое название', send: `Акме${enter}` },
        { expect: 'Короткое имя приложения', send: enter },
        { expect: 'Готово: следующий шаг', send: enter },
        { expect: 'Какие отзывы отправлять', send: enter },
        { expect: 'Сколько старых отзывов', send: enter },
        { expect: 'Какие оценки отправлять', send: '' },
        { expect: 'пробел', send: enter },
        { expect: 'Языки отзывов', send: `en, ru${enter}` },
        { expect: 'Длина отзыва', send: enter },
        // `н` is NO (inquirer's own confirm reads anything but n/no as yes).
        { expect: 'Добавлять метки', send: `н${enter}` },
        { expect: 'Ключи Google Play', send: enter },
        { expect: 'Путь к JSON-ключу', send: `${googleKey}${enter}` },
        { expect: 'Google Play принял ключи', send: '' },
        { expect: 'Изменить адрес', send: `н${enter}` },
        { expect: 'Всё готово.', send: '' },
      ],
      { dir, timeoutSec: 30 },
    );
    expect(r.error, r.output).toBeNull();
    expect(r.exitCode, r.output).toBe(0);
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as {
      language: string;
      apps: { id: string; appId: string; name: string; tags: boolean }[];
      stores: Record<string, Record<string, string>>;
    };
    expect(config.language).toBe('ru');
    expect(config.apps).toMatchObject([{ id: 'acme-reviews', appId: 'com.acme.reviews', name: 'Акме', tags: false }]);
    expect(config.stores.googlePlay).toMatchObject({
      baseUrl: world.googlePlay.baseUrl,
      publicBaseUrl: world.googlePlayPublic.baseUrl,
      serviceAccountPath: googleKey,
    });
    expect(r.output).toContain('сохранено: кастомный канал «App reviews» (cch1)');
    expect(r.output).not.toContain('(Y/n)');
    const english = englishWords(r.output);
    expect(
      english,
      english
        .map((w) =>
          r.output
            .split('\n')
            .filter((l) => new RegExp(`\\b${w}\\b`).test(l))
            .join('\n'),
        )
        .join('\n---\n'),
    ).toEqual([]);
  }, 120_000);

  it('the allow-list check finds English', () => {
    expect(englishWords('? Магазин:\n↑↓ navigate • ⏎ select')).toEqual(['navigate', 'select']);
    expect(
      englishWords('Поддомен Omnidesk (company, https://x.omnidesk.ru) — ответ сервиса: «HTTP 401 wrong key»'),
    ).toEqual([]);
  });
});
