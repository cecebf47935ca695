import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../src/config/load.js';
import { ExitCode } from '../../../../src/errors.js';
import { CTRL_C, ENTER } from '../../../helpers/prompt-stub.js';
import { accountSteps, session, staff, startOmnidesk, startStores } from './setup.js';

describe('init wizard, first run (stubbed prompts, real emulators)', () => {
  it('walks the five steps and writes a valid config, mode 0600, checking each credential live', async () => {
    const omni = await startOmnidesk();
    const s = session(omni);
    const stores = await startStores(s.dir);
    stores.gp.addApp('com.acme.notes');
    s.seed({ stores: stores.storesConfig });

    const run = await s.run([
      ...accountSteps('https://acme.omnidesk.ru/staff/cases'),
      { q: 'Custom channel for the reviews', a: ENTER },
      { q: 'Public base URL of serve-hook', a: 'https://hooks.example.com/' },
      // Step 3: no credentials yet, so ids are typed.
      { q: 'Apps:', a: { kind: 'add' } },
      { q: 'Store:', a: 'app-store' },
      { q: 'App Store app id', a: 'acme' },
      { q: 'App Store app id', a: '1000000001' },
      { q: 'Display name', a: 'Acme iOS' },
      { q: 'Short id', a: ENTER },
      { q: 'Apps:', a: { kind: 'add' } },
      { q: 'Store:', a: 'google-play' },
      { q: 'Package name', a: 'com.acme.notes' },
      { q: 'Display name', a: '' },
      { q: 'Short id', a: 'android' },
      { q: 'Apps:', a: { kind: 'add' } },
      { q: 'Store:', a: 'rustore' },
      { q: 'Package name', a: 'ru.acme.app' },
      { q: 'Display name', a: 'Акме' },
      { q: 'Short id', a: 'android' },
      { q: 'Short id', a: 'rustore' },
      { q: 'Apps:', a: { kind: 'done' } },
      // Step 4, per app.
      { q: 'Reviews to send', a: 'became-worse' },
      { q: 'Old unanswered', a: '101' },
      { q: 'Old unanswered', a: '25' },
      { q: 'Ratings to send', a: [] },
      { q: 'Ratings to send', a: [1, 2, 3] },
      { q: 'Countries', a: 'usa, ru' },
      { q: 'Countries', a: 'usa, rus' },
      { q: 'Review length', a: 'over-3-words' },
      { q: 'Add labels', a: false },
      { q: 'Reviews to send', a: ENTER },
      { q: 'Old unanswered', a: ENTER },
      { q: 'Ratings to send', a: ENTER },
      { q: 'Reviewer languages', a: 'en, pt_BR' },
      { q: 'Review length', a: ENTER },
      { q: 'Add labels', a: ENTER },
      { q: 'Reviews to send', a: ENTER },
      { q: 'Old unanswered', a: ENTER },
      { q: 'Ratings to send', a: ENTER },
      { q: 'Review length', a: ENTER },
      { q: 'Add labels', a: ENTER },
      // Step 5.
      { q: 'App Store Connect credentials', a: 'ask' },
      { q: 'Issuer ID', a: stores.keys.issuerId },
      { q: 'Key ID', a: stores.keys.keyId },
      { q: '.p8 key file', a: `${s.dir}/nowhere.p8` },
      { q: '.p8 key file', a: stores.files.ruKey },
      { q: '.p8 key file', a: `"${stores.files.p8}"` },
      { q: 'Google Play credentials', a: 'ask' },
      { q: 'service-account JSON', a: stores.files.p8 },
      { q: 'service-account JSON', a: stores.files.serviceAccount },
      { q: 'RuStore credentials', a: 'ask' },
      { q: 'Key ID (RuStore', a: stores.keys.ruKeyId },
      { q: 'Private key:', a: 'file' },
      { q: 'Path to the private key file', a: stores.files.ruKey },
      { q: 'Change an address', a: false },
    ]);

    expect(run.code).toBe(ExitCode.ok);
    expect(run.prompter.remaining).toBe(0);
    const { config, problems } = parseConfig(run.config, {});
    expect(problems).toEqual([]);
    expect(config!.omnidesk).toMatchObject({
      subdomain: 'acme',
      baseUrl: omni.emu.baseUrl,
      staffEmail: staff.email,
      apiKey: staff.apiKey,
      channel: 'cch3',
      channelTitle: 'App reviews',
      caseFieldId: 7,
    });
    expect(config!.apps.map((a) => [a.id, a.store, a.appId, a.name])).toEqual([
      ['acme-ios', 'app-store', '1000000001', 'Acme iOS'],
      ['android', 'google-play', 'com.acme.notes', undefined],
      ['rustore', 'rustore', 'ru.acme.app', 'Акме'],
    ]);
    expect(config!.apps[0]!.filters).toEqual({
      reviewType: 'became-worse',
      backlog: 25,
      ratings: [1, 2, 3],
      countries: ['USA', 'RUS'],
      languages: [],
      length: 'over-3-words',
    });
    expect(config!.apps[0]!.tags).toBe(false);
    expect(config!.apps[1]!.filters.languages).toEqual(['en', 'pt-BR']);
    // Key files by path (made absolute), never copied in.
    expect(run.config.stores).toMatchObject({
      appStore: { issuerId: stores.keys.issuerId, keyId: stores.keys.keyId, privateKeyPath: stores.files.p8 },
      googlePlay: { serviceAccountPath: stores.files.serviceAccount },
      rustore: { keyId: stores.keys.ruKeyId, privateKeyPath: stores.files.ruKey },
    });
    expect(JSON.stringify(run.config)).not.toContain('PRIVATE KEY');
    expect(statSync(s.configPath).mode & 0o777).toBe(0o600);

    // Bad answers were refused by the validators with a reason, not stored.
    expect(run.prompter.refused.map((r) => r.reason)).toEqual([
      'The App Store app id is a number, e.g. 1234567890.',
      'Another app has this id.',
      'A whole number from 0 to 100.',
      'Pick at least one rating.',
      'Unknown country codes: ru. Use ISO 3166 alpha-3 codes such as USA, RUS, DEU.',
      `No readable file at ${s.dir}/nowhere.p8.`,
      'This is not a private key file (.p8 starts with "-----BEGIN PRIVATE KEY-----").',
      'This is not a service-account JSON key (it needs client_email and private_key).',
    ]);

    // The secret: ≥128 bits, URL-safe, shown once in the URL to paste (unmasked).
    const secret = (run.config.webhook as { secret: string }).secret;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(run.unredacted[0]).toBe(`  https://hooks.example.com/omnidesk/webhook/${secret}`);
    expect(run.out).toContain('Paste this URL into the "Webhook URL" of the channel "App reviews"');
    expect(run.out).toContain('✓ Case field "App reviews" found (cf_7)');
    expect(run.out).toMatch(
      /✓ App Store Connect accepted the credentials[\s\S]*✓ Google Play accepted[\s\S]*✓ RuStore accepted/,
    );
    // Live checks really happened.
    expect(omni.emu.server.serviceRequests().map((r) => r.path)).toEqual(
      expect.arrayContaining(['/api/custom_channels.json', '/api/custom_fields.json']),
    );
    expect(stores.asc.authLog.some((e) => e.ok)).toBe(true);
    expect(stores.ru.server.serviceRequests().some((r) => r.path === '/public/auth/')).toBe(true);
  });

  it('says whether the API key (401) or the e-mail (403) is wrong, and asks only that again', async () => {
    const omni = await startOmnidesk();
    const s = session(omni);
    const run = await s.run([
      { q: 'Omnidesk address', a: 'acme.omnidesk.ru' },
      { q: 'API key', a: 'wrong-key-123' },
      { q: 'E-mail', a: 'nobody@example.test' },
      // Omnidesk checks the e-mail first: 403.
      { q: 'What now?', a: ENTER },
      { q: 'E-mail', a: staff.email },
      // Now the key: 401.
      { q: 'What now?', a: ENTER },
      { q: 'API key', a: staff.apiKey },
      { q: 'Custom channel', a: CTRL_C },
    ]);
    expect(run.out).toContain(
      '✗ Omnidesk: nobody@example.test is not a staff account of this Omnidesk (or it is blocked) (HTTP 403',
    );
    expect(run.out).toContain('✗ Omnidesk: the API key is wrong or was deleted (Omnidesk → Settings → API) (HTTP 401');
    expect(run.out).toContain(`✓ Signed in to acme as ${staff.email}.`);
    const whatNow = run.prompter.asked.filter((a) => a.message === 'What now?');
    expect(whatNow.map((a) => a.default)).toEqual(['email', 'key']);
    expect(run.code).toBe(ExitCode.interrupted);
    expect(run.config.omnidesk).toMatchObject({ subdomain: 'acme', apiKey: staff.apiKey, staffEmail: staff.email });
  });

  it('a missing case field: says exactly how to create it; "check again" finds it once it exists', async () => {
    const omni = await startOmnidesk({ fields: [{ fieldId: 5, title: 'App reviews', fieldType: 'checkbox' }] });
    const s = session(omni);
    const run = await s.run([
      ...accountSteps(),
      { q: 'Custom channel', a: 'cch3' },
      { q: 'Public base URL', a: ENTER },
      {
        q: 'What now?',
        a: () => {
          // The admin adds the field while the wizard waits.
          omni.fields.push({ fieldId: 9, title: 'App reviews', fieldType: 'text' });
          return 'again';
        },
      },
      { q: 'Apps:', a: CTRL_C },
    ]);
    expect(run.out).toContain('✗ A field "App reviews" exists, but it is a "checkbox" field of cases');
    expect(run.out).toContain('Omnidesk → Settings → Case fields → Add field → "Text field", title "App reviews"');
    expect(run.out).toContain('✓ Case field "App reviews" found (cf_9)');
    expect(run.out).toContain(
      'When you know the public URL, the webhook URL is <public URL>/omnidesk/webhook/<secret>',
    );
    expect(run.config.omnidesk).toMatchObject({ channel: 'cch3', caseFieldId: 9 });
  });

  it('no custom channel yet: says how to create one; a skipped field is left out', async () => {
    const omni = await startOmnidesk({ channels: [], fields: [] });
    const s = session(omni);
    const run = await s.run([...accountSteps(), { q: 'What now?', a: 'skip' }, { q: 'Apps:', a: CTRL_C }]);
    expect(run.out).toContain(
      'This Omnidesk has no custom channel yet. Create one: Settings → Channels → Custom channels → Add',
    );
    expect(run.out).toContain('Skipped: cases cannot be created until a channel is chosen');
    expect(run.config.omnidesk).not.toHaveProperty('channel');

    const omni2 = await startOmnidesk({ fields: [] });
    const s2 = session(omni2);
    const run2 = await s2.run([
      ...accountSteps(),
      { q: 'Custom channel', a: ENTER },
      { q: 'Public base URL', a: ENTER },
      { q: 'What now?', a: 'skip' },
      { q: 'Apps:', a: CTRL_C },
    ]);
    expect(run2.out).toContain('✗ Omnidesk has no case field named "App reviews"');
    expect(run2.out).toContain('Skipped: `sync` delivers nothing until the field exists');
    expect(run2.config.omnidesk).toMatchObject({ channel: 'cch3' });
    expect(run2.config.omnidesk).not.toHaveProperty('caseFieldId');
  });

  it('skipped credentials: reviews flow from the public pages, replies wait; a pasted RuStore key is kept inline', async () => {
    const omni = await startOmnidesk();
    const s = session(omni);
    const stores = await startStores(s.dir);
    s.seed({ stores: stores.storesConfig });
    const run = await s.run([
      ...accountSteps(),
      { q: 'Custom channel', a: ENTER },
      { q: 'Public base URL', a: ENTER },
      { q: 'Apps:', a: { kind: 'add' } },
      { q: 'Store:', a: 'google-play' },
      { q: 'Package name', a: 'com.acme.notes' },
      { q: 'Display name', a: ENTER },
      { q: 'Short id', a: ENTER },
      { q: 'Apps:', a: { kind: 'add' } },
      { q: 'Store:', a: 'rustore' },
      { q: 'Package name', a: 'ru.acme.app' },
      { q: 'Display name', a: ENTER },
      { q: 'Short id', a: ENTER },
      { q: 'Apps:', a: { kind: 'done' } },
      ...Array.from({ length: 2 }, () => [
        { q: 'Reviews to send', a: ENTER },
        { q: 'Old unanswered', a: ENTER },
        { q: 'Ratings to send', a: ENTER },
      ]).flatMap((steps, i) =>
        (i === 0 ? [...steps, { q: 'Reviewer languages', a: ENTER }] : steps).concat([
          { q: 'Review length', a: ENTER },
          { q: 'Add labels', a: ENTER },
        ]),
      ),
      { q: 'Google Play credentials', a: 'skip' },
      { q: 'RuStore credentials', a: 'ask' },
      { q: 'Key ID (RuStore', a: stores.keys.ruKeyId },
      { q: 'Private key:', a: 'paste' },
      { q: 'Private key (one line', a: stores.keys.ruKeyBase64 },
      { q: 'Change an address', a: false },
    ]);
    expect(run.code).toBe(ExitCode.ok);
    expect(run.out).toContain(
      'Until Google Play credentials are added (step 5), its reviews come from the public Google Play pages and replies cannot be sent.',
    );
    expect(run.out).toContain(
      'Google Play: reviews will flow (public source), but replies cannot be sent until the credentials are added',
    );
    expect(run.out).toContain('✓ RuStore accepted the credentials.');
    expect(run.config.stores).toEqual({
      appStore: stores.storesConfig.appStore,
      googlePlay: stores.storesConfig.googlePlay,
      rustore: { baseUrl: stores.ru.server.baseUrl, keyId: stores.keys.ruKeyId, privateKey: stores.keys.ruKeyBase64 },
    });
    // The pasted key is a secret: never printed.
    expect(run.out).not.toContain(stores.keys.ruKeyBase64);
  });

  it('a refused store key says what the store answered; "skip" leaves no half-set credentials', async () => {
    const omni = await startOmnidesk();
    const s = session(omni);
    const stores = await startStores(s.dir);
    s.seed({
      stores: stores.storesConfig,
      omnidesk: { subdomain: 'acme', staffEmail: staff.email, apiKey: staff.apiKey, baseUrl: omni.emu.baseUrl },
      apps: [{ id: 'ios', store: 'app-store', appId: '1000000001' }],
    });
    const run = await s.run([
      { q: 'What do you want to edit?', a: 'credentials' },
      { q: 'App Store Connect credentials', a: 'ask' },
      { q: 'Issuer ID', a: stores.keys.issuerId },
      { q: 'Key ID', a: 'OTHERKEY99' },
      { q: '.p8 key file', a: stores.files.p8 },
      { q: 'What now?', a: 'drop' },
      { q: 'What do you want to edit?', a: 'done' },
    ]);
    expect(run.out).toMatch(/✗ App Store Connect: .*OTHERKEY99/);
    expect(run.out).toContain('App Store: reviews will flow (public source), but replies cannot be sent');
    expect(run.config.stores).toEqual(stores.storesConfig);
  });
});
