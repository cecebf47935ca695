/**
 * `asodesk-omni init` as a person uses it: the built binary under a real pseudo-terminal,
 * answered key by key (arrows, space, Enter, Ctrl-C), against an Omnidesk emulator.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OmnideskEmulator } from '../../src/emulators/omnidesk.js';
import { hasPython, keys, runInPty } from '../helpers/pty.js';
import { ensureBuilt, runCli } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

const staff = { email: 'admin@example.test', apiKey: 'omni-test-key-0001', staffId: 1 };
let omni: OmnideskEmulator | undefined;

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);

afterEach(async () => {
  await omni?.stop();
  omni = undefined;
});

async function startOmni(): Promise<OmnideskEmulator> {
  omni = new OmnideskEmulator({
    staff: [staff],
    channels: [
      { id: 3, title: 'App reviews' },
      { id: 4, title: 'Chat' },
    ],
    caseFields: [{ fieldId: 7, title: 'App reviews', fieldType: 'text' }],
  });
  await omni.start();
  return omni;
}

describe.skipIf(!hasPython())('init in a real terminal', () => {
  it('a full first run: wrong key retyped, arrows and space in lists, credentials skipped; the config is written', async () => {
    const emu = await startOmni();
    const dir = tempDir();
    const configPath = join(dir, 'config.json');
    const { enter, down, space } = keys;
    const r = await runInPty(
      ['init', '--config', configPath],
      [
        { expect: 'Omnidesk address', send: `https://acme.omnidesk.ru${enter}` },
        { expect: 'API key', send: `not-the-key${enter}` },
        { expect: 'E-mail of the main admin', send: `${staff.email}${enter}` },
        { expect: 'the API key is wrong or was deleted', send: '' },
        { expect: 'What now?', send: enter },
        { expect: 'API key', send: `${staff.apiKey}${enter}` },
        { expect: 'Signed in to acme', send: '' },
        { expect: 'Custom channel for the reviews', send: enter },
        { expect: 'Public base URL of serve-hook', send: `https://hooks.example.com${enter}` },
        { expect: 'Add an app', send: enter },
        { expect: 'Store:', send: `${down}${enter}` },
        { expect: 'Package name', send: `com.acme.notes${enter}` },
        { expect: 'Display name', send: `Acme Notes${enter}` },
        { expect: 'Short id', send: enter },
        { expect: 'Done: next step', send: enter },
        { expect: 'Reviews to send', send: `${down}${down}${enter}` },
        { expect: 'Old unanswered', send: `\x7f\x7f30${enter}` },
        // Untick ★1: four rows down, space, submit.
        { expect: 'Ratings to send', send: `${down}${down}${down}${down}${space}${enter}` },
        { expect: 'Reviewer languages', send: `en, ru${enter}` },
        { expect: 'Review length', send: enter },
        { expect: 'Add labels', send: `n${enter}` },
        { expect: 'Google Play credentials', send: `${down}${enter}` },
        { expect: 'Change an address', send: enter },
        { expect: 'All set.', send: '' },
      ],
      { dir, env: { ASODESK_OMNI_OMNIDESK_BASE_URL: emu.baseUrl } },
    );
    expect(r.error, r.output).toBeNull();
    expect(r.exitCode, r.output).toBe(0);
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as {
      omnidesk: Record<string, unknown>;
      webhook: { secret: string; publicUrl: string };
      apps: { filters: Record<string, unknown>; tags: boolean }[];
    };
    expect(config.omnidesk).toEqual({
      subdomain: 'acme',
      staffEmail: staff.email,
      apiKey: staff.apiKey,
      baseUrl: emu.baseUrl,
      channel: 'cch3',
      channelTitle: 'App reviews',
      caseFieldId: 7,
    });
    expect(config.apps).toEqual([
      {
        id: 'acme-notes',
        store: 'google-play',
        appId: 'com.acme.notes',
        name: 'Acme Notes',
        filters: {
          reviewType: 'became-worse',
          backlog: 30,
          ratings: [2, 3, 4, 5],
          languages: ['en', 'ru'],
          length: 'all',
        },
        tags: false,
      },
    ]);
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
    // The URL to paste is shown in full (the only place the secret is printed).
    expect(r.output).toContain(`https://hooks.example.com/omnidesk/webhook/${config.webhook.secret}`);
    expect(r.output).toContain('Google Play: reviews will flow (public source), but replies cannot be sent');
    // The typed key never reached the screen.
    expect(r.output).not.toContain(staff.apiKey);
  }, 90_000);

  it('Ctrl-C keeps the finished steps and says how to continue (exit 130)', async () => {
    const emu = await startOmni();
    const dir = tempDir();
    const configPath = join(dir, 'config.json');
    const r = await runInPty(
      ['init', '--config', configPath, '--lang', 'ru'],
      [
        { expect: 'Поддомен Omnidesk', send: `acme${keys.enter}` },
        { expect: 'API ключ', send: `${staff.apiKey}${keys.enter}` },
        { expect: 'E-mail главного администратора', send: `${staff.email}${keys.enter}` },
        { expect: 'Кастомный канал для отзывов', send: keys.ctrlC },
        { expect: 'Остановлено', send: '' },
      ],
      { dir, env: { ASODESK_OMNI_OMNIDESK_BASE_URL: emu.baseUrl } },
    );
    expect(r.error, r.output).toBeNull();
    expect(r.exitCode, r.output).toBe(130);
    expect(r.output).toContain('Запустите `asodesk-omni init` снова');
    expect(JSON.parse(readFileSync(configPath, 'utf8'))).toMatchObject({
      language: 'ru',
      omnidesk: { subdomain: 'acme', apiKey: staff.apiKey },
    });
  }, 60_000);
});

describe('init without a terminal', () => {
  it('refuses to ask questions when stdin is not a terminal (exit 4)', async () => {
    const dir = tempDir();
    const r = await runCli(['init', '--config', join(dir, 'config.json')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('init asks questions, but this is not a terminal');
    expect(r.stderr).toContain('--non-interactive');
    expect(existsSync(join(dir, 'config.json'))).toBe(false);
  });

  it('--non-interactive names every missing setting (exit 4), then succeeds with flags and env vars', async () => {
    const emu = await startOmni();
    const dir = tempDir();
    const configPath = join(dir, 'config.json');
    const missing = await runCli(['init', '--non-interactive', '--config', configPath, '--subdomain', 'acme']);
    expect(missing.code).toBe(4);
    for (const name of ['omnidesk.staffEmail', 'omnidesk.apiKey', 'omnidesk.channel', 'apps: at least one'])
      expect(missing.stderr).toContain(name);
    expect(missing.stderr).not.toContain('omnidesk.subdomain');
    expect(existsSync(configPath)).toBe(false);

    const ok = await runCli(
      [
        'init',
        '--non-interactive',
        '--config',
        configPath,
        '--subdomain',
        'acme',
        '--email',
        staff.email,
        '--channel',
        'cch3',
        '--app',
        'rustore:ru.acme.app',
        '--public-url',
        'https://hooks.example.com',
      ],
      { env: { ASODESK_OMNI_OMNIDESK_API_KEY: staff.apiKey, ASODESK_OMNI_OMNIDESK_BASE_URL: emu.baseUrl } },
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('✓ case field cf_7 found.');
    // Printed for a CI log: the secret is masked.
    expect(ok.stdout).toContain('webhook URL: https://hooks.example.com/omnidesk/webhook/***');
    const written = JSON.parse(readFileSync(configPath, 'utf8')) as { omnidesk: Record<string, unknown> };
    expect(written.omnidesk).not.toHaveProperty('apiKey');
    expect(written.omnidesk).toMatchObject({ channel: 'cch3', caseFieldId: 7 });
  }, 60_000);
});
