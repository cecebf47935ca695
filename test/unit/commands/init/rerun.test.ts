import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../../src/errors.js';
import { CTRL_C, ENTER } from '../../../helpers/prompt-stub.js';
import { accountSteps, session, staff, startOmnidesk, startStores } from './setup.js';

describe('init: Ctrl-C keeps progress, a re-run edits with the current values as defaults', () => {
  it('interrupted in step 3: steps 1-2 are saved; the re-run offers the step menu and keeps what it is not told to change', async () => {
    const omni = await startOmnidesk();
    const s = session(omni);
    const first = await s.run([
      ...accountSteps(),
      { q: 'Custom channel', a: 'cch4' },
      { q: 'Public base URL', a: 'https://hooks.example.com' },
      { q: 'What now?', a: 'skip' },
      { q: 'Apps:', a: CTRL_C },
    ]);
    expect(first.code).toBe(ExitCode.interrupted);
    expect(first.out).toContain(
      `Stopped. Saved in ${s.configPath} during this run: Omnidesk acme, admin ${staff.email}, API key; custom channel "Chat" (cch4); webhook secret, public URL https://hooks.example.com; no case field. The answers of the step in progress were not saved.`,
    );
    // Each answer said what it saved, as it saved it.
    expect(first.out).toContain('  saved: custom channel "Chat" (cch4)');
    expect(first.out).toContain('Run `asodesk-omni init` again to continue');
    expect(first.config).toMatchObject({
      omnidesk: {
        subdomain: 'acme',
        staffEmail: staff.email,
        apiKey: staff.apiKey,
        channel: 'cch4',
        channelTitle: 'Chat',
      },
      webhook: { publicUrl: 'https://hooks.example.com' },
    });
    expect(first.config).not.toHaveProperty('apps');
    const secret = (first.config.webhook as { secret: string }).secret;

    const second = await s.run([
      { q: 'What do you want to edit?', a: 'omnidesk' },
      { q: 'Omnidesk address', a: ENTER },
      { q: 'API key', a: ENTER },
      { q: 'E-mail', a: ENTER },
      { q: 'What do you want to edit?', a: 'channel' },
      { q: 'Custom channel', a: ENTER },
      { q: 'Public base URL', a: ENTER },
      { q: 'What now?', a: 'skip' },
      { q: 'What do you want to edit?', a: 'apps' },
      { q: 'Apps:', a: { kind: 'add' } },
      { q: 'Store:', a: 'app-store' },
      { q: 'App Store app id', a: '1000000001' },
      { q: 'Display name', a: ENTER },
      { q: 'Short id', a: ENTER },
      { q: 'Apps:', a: { kind: 'done' } },
      { q: 'What do you want to edit?', a: 'done' },
    ]);
    expect(second.code).toBe(ExitCode.ok);
    expect(second.out).toContain(`Editing ${s.configPath}. Current values are the defaults`);
    const defaults = Object.fromEntries(
      second.prompter.asked
        .filter((a) => a.kind !== 'select' || a.message.startsWith('Custom'))
        .map((a) => [a.message.split(' (')[0], a.default]),
    );
    expect(defaults).toMatchObject({
      'Omnidesk address': 'acme',
      'E-mail of the main admin': staff.email,
      'Custom channel for the reviews:': 'cch4',
      'Public base URL of serve-hook': 'https://hooks.example.com',
    });
    // Enter on the key prompt keeps the saved key; the secret survives a re-run.
    expect(second.prompter.asked.find((a) => a.kind === 'password')!.message).toContain('Enter keeps the current one');
    expect(second.config).toMatchObject({ omnidesk: { apiKey: staff.apiKey, channel: 'cch4' }, webhook: { secret } });
    expect(second.config.apps).toEqual([{ id: 'ios-1000000001', store: 'app-store', appId: '1000000001' }]);
  });

  it('with store credentials the apps are picked from the list the key sees; apps can be edited and removed', async () => {
    const omni = await startOmnidesk();
    const s = session(omni);
    const stores = await startStores(s.dir);
    s.seed({
      omnidesk: {
        subdomain: 'acme',
        staffEmail: staff.email,
        apiKey: staff.apiKey,
        baseUrl: omni.emu.baseUrl,
        channel: 'cch3',
        channelTitle: 'App reviews',
        caseFieldId: 7,
      },
      stores: {
        ...stores.storesConfig,
        appStore: {
          baseUrl: stores.asc.baseUrl,
          issuerId: stores.keys.issuerId,
          keyId: stores.keys.keyId,
          privateKeyPath: stores.files.p8,
        },
      },
      apps: [
        { id: 'ios', store: 'app-store', appId: '1000000001', name: 'Acme iOS' },
        { id: 'old', store: 'google-play', appId: 'com.acme.old' },
      ],
    });
    const run = await s.run([
      { q: 'What do you want to edit?', a: 'apps' },
      { q: 'Apps:', a: { kind: 'add' } },
      { q: 'Store:', a: 'app-store' },
      // Acme iOS is configured already: only Acme Lite is offered, and typing stays possible.
      { q: 'App:', a: '1000000002' },
      { q: 'Display name', a: ENTER },
      { q: 'Short id', a: ENTER },
      { q: 'Apps:', a: { kind: 'edit', index: 0 } },
      { q: 'App Store app id', a: ENTER },
      { q: 'Display name', a: 'Acme for iPhone' },
      { q: 'Short id', a: 'iphone' },
      { q: 'Sync this app?', a: false },
      { q: 'Apps:', a: { kind: 'remove', index: 1 } },
      { q: 'Remove old?', a: true },
      { q: 'Apps:', a: { kind: 'done' } },
      { q: 'What do you want to edit?', a: 'done' },
    ]);
    expect(run.code).toBe(ExitCode.ok);
    const pick = run.prompter.asked.find((a) => a.message === 'App:')!;
    expect(pick.choices).toEqual(['Acme Lite (1000000002)', 'Another app: type its id']);
    expect(run.out).toContain('Reading the apps the App Store Connect key can see');
    expect(run.config.apps).toEqual([
      { id: 'iphone', store: 'app-store', appId: '1000000001', name: 'Acme for iPhone', enabled: false },
      { id: 'acme-lite', store: 'app-store', appId: '1000000002', name: 'Acme Lite' },
    ]);
    expect(stores.asc.server.serviceRequests().some((r) => r.path === '/v1/apps')).toBe(true);
  });

  it('speaks Russian with --lang ru (or a Russian locale) and saves the language for case notes', async () => {
    const omni = await startOmnidesk();
    const s = session(omni);
    const run = await s.run(
      [
        { q: 'Поддомен Omnidesk', a: 'acme' },
        { q: 'API ключ', a: 'wrong-key-123' },
        { q: 'E-mail главного администратора', a: staff.email },
        { q: 'Что дальше?', a: ENTER },
        { q: 'API ключ', a: staff.apiKey },
        { q: 'Кастомный канал', a: ENTER },
        { q: 'Публичный адрес приёмника вебхуков', a: ENTER },
        { q: 'Приложения:', a: CTRL_C },
      ],
      { lang: 'ru' },
    );
    expect(run.out).toContain('Шаг 1 из 6: Аккаунт Omnidesk');
    expect(run.out).toContain('✗ Неверный API ключ или он удалён (Omnidesk → Настройки → API).');
    expect(run.out).toContain('✓ Вход в acme выполнен как admin@example.test.');
    expect(run.out).toContain('✓ Поле обращения «App reviews» найдено (cf_7)');
    expect(run.out).toContain('Остановлено. За этот запуск в');
    expect(run.out).toContain('сохранено: кастомный канал «App reviews» (cch3)');
    expect(run.config.language).toBe('ru');

    const byLocale = session(omni, { LANG: 'ru_RU.UTF-8' });
    const again = await byLocale.run([{ q: 'Поддомен Omnidesk', a: CTRL_C }]);
    expect(again.out).toContain('Подключим Omnidesk');
    // Nothing was saved, and it says so (no "everything is saved" when no file exists).
    expect(again.out).toContain('Остановлено. Ничего не сохранено (файл настроек не создан).');
  });
});
