/**
 * The wizard's honesty: "All set." only when the config can deliver and every check passed;
 * a skipped step is listed with the command that finishes it; a re-run marks the unfinished
 * step and continues there. Also: a refused account can be typed again from step 2, `-`
 * clears an optional value, and a typed app id is looked up in the store.
 */
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../../src/errors.js';
import { ENTER } from '../../../helpers/prompt-stub.js';
import { accountSteps, session, staff, startOmnidesk, startStores } from './setup.js';

describe('init: honest end, resume, re-entry', () => {
  it('apps skipped: not "All set."; it lists what remains and how to finish; the re-run continues at step 3', async () => {
    const omni = await startOmnidesk();
    const s = session(omni);
    const first = await s.run([
      ...accountSteps(),
      { q: 'Custom channel', a: ENTER },
      { q: 'Public base URL', a: ENTER },
      { q: 'Apps:', a: 'Skip for now' },
      { q: 'App Store Connect credentials', a: 'skip' },
      { q: 'Google Play credentials', a: 'skip' },
      { q: 'RuStore credentials', a: 'skip' },
      { q: 'Change an address', a: false },
    ]);
    expect(first.code).toBe(ExitCode.ok);
    expect(first.out).toContain('Skipped: sync has nothing to read until an app is added');
    expect(first.out).not.toContain('All set.');
    expect(first.out).toContain('Not finished yet:\n  - at least one app: sync has nothing to read (step 3)');
    expect(first.out).toMatch(
      /Finish it with `asodesk-omni init --config \S+` \(it resumes at the first unfinished step\)/,
    );

    const second = await s.run([
      { q: 'What do you want to edit?', a: ENTER },
      { q: 'Apps:', a: { kind: 'add' } },
      { q: 'Store:', a: 'rustore' },
      { q: 'Package name', a: 'https://www.rustore.ru/catalog/app/ru.acme.app' },
      { q: 'Display name', a: ENTER },
      { q: 'Short id', a: ENTER },
      { q: 'Apps:', a: { kind: 'done' } },
      { q: 'Reviews to send', a: ENTER },
      { q: 'Old unanswered', a: ENTER },
      { q: 'Ratings to send', a: ENTER },
      { q: 'Review length', a: ENTER },
      { q: 'Add labels', a: ENTER },
      { q: 'RuStore credentials', a: 'skip' },
      { q: 'Change an address', a: false },
    ]);
    const menu = second.prompter.asked[0]!;
    expect(menu.default).toBe('resume');
    expect(menu.choices).toEqual(
      expect.arrayContaining([
        'Continue where the setup stopped (3. Apps)',
        '3. Apps (not finished)',
        '1. Omnidesk account',
        '4. Filters (not finished)',
      ]),
    );
    expect(second.config.apps).toEqual([
      {
        id: 'acme-app',
        store: 'rustore',
        appId: 'ru.acme.app',
        filters: { reviewType: 'all', backlog: 10, ratings: [1, 2, 3, 4, 5], length: 'all' },
        tags: true,
      },
    ]);
    expect(second.out).toContain('All set.');
  });

  it('a check that failed is listed at the end even when the step was saved', async () => {
    const omni = await startOmnidesk();
    const s = session(omni);
    const run = await s.run([
      { q: 'Omnidesk address', a: 'acme' },
      { q: 'API key', a: 'wrong-key-123' },
      { q: 'E-mail', a: staff.email },
      { q: 'What now?', a: 'save' },
      // Step 2 lists channels with the refused key: the account can be typed again from here.
      { q: 'What now?', a: 'account' },
      { q: 'Omnidesk address', a: ENTER },
      { q: 'API key', a: staff.apiKey },
      { q: 'E-mail', a: ENTER },
      { q: 'Custom channel', a: ENTER },
      { q: 'Public base URL', a: ENTER },
      { q: 'Apps:', a: { kind: 'add' } },
      { q: 'Store:', a: 'app-store' },
      { q: 'App Store app id', a: 'id1000000001' },
      { q: 'Display name', a: ENTER },
      { q: 'Short id', a: ENTER },
      { q: 'Apps:', a: { kind: 'done' } },
      { q: 'Reviews to send', a: ENTER },
      { q: 'Old unanswered', a: ENTER },
      { q: 'Ratings to send', a: ENTER },
      { q: 'Countries', a: 'USA, XXX' },
      { q: 'Countries', a: 'USA' },
      { q: 'Review length', a: ENTER },
      { q: 'Add labels', a: ENTER },
      { q: 'App Store Connect credentials', a: 'skip' },
      { q: 'Change an address', a: true },
      { q: 'Which address?', a: 'rustorePublic' },
      { q: 'RuStore public API address', a: 'http://127.0.0.1:9' },
      { q: 'What now?', a: 'keep' },
      { q: 'Which address?', a: 'done' },
    ]);
    expect(run.code).toBe(ExitCode.ok);
    const whatNow = run.prompter.asked.filter((a) => a.message === 'What now?');
    expect(whatNow[1]!.choices).toEqual([
      'Type the Omnidesk account (address, API key, e-mail) again',
      'Check again',
      'Skip for now',
    ]);
    expect(run.prompter.refused.map((r) => r.reason)).toEqual([
      'Unknown country codes: XXX. Use ISO 3166 alpha-3 codes such as USA, RUS, DEU.',
    ]);
    expect(run.config.apps).toMatchObject([{ appId: '1000000001', filters: { countries: ['USA'] } }]);
    expect(run.config.stores).toEqual({ rustore: { publicBaseUrl: 'http://127.0.0.1:9' } });
    expect(run.out).toContain('✗ http://127.0.0.1:9 does not answer');
    expect(run.out).not.toContain('All set.');
    // The Omnidesk account passed once typed again; the address that does not answer is listed.
    expect(run.out).toContain('Saved, but these checks did not pass:\n  - RuStore public API');
  });

  it('`-` clears the countries; a typed Google Play package is looked up with the key, and can be typed again', async () => {
    const omni = await startOmnidesk();
    const s = session(omni);
    const stores = await startStores(s.dir);
    stores.gp.addApp('com.acme.notes');
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
        googlePlay: { baseUrl: stores.gp.baseUrl, serviceAccountPath: stores.files.serviceAccount },
      },
      apps: [{ id: 'ios', store: 'app-store', appId: '1000000001', filters: { countries: ['USA', 'RUS'] } }],
    });
    const run = await s.run([
      { q: 'What do you want to edit?', a: 'apps' },
      { q: 'Apps:', a: { kind: 'add' } },
      { q: 'Store:', a: 'google-play' },
      { q: 'Package name', a: 'com.acme.nothere' },
      { q: 'What now?', a: 'retype' },
      { q: 'Package name', a: 'https://play.google.com/store/apps/details?id=com.acme.notes' },
      { q: 'Display name', a: ENTER },
      { q: 'Short id', a: ENTER },
      { q: 'Apps:', a: { kind: 'done' } },
      { q: 'What do you want to edit?', a: 'filters' },
      { q: 'Filters of which app?', a: 0 },
      { q: 'Reviews to send', a: ENTER },
      { q: 'Old unanswered', a: ENTER },
      { q: 'Ratings to send', a: ENTER },
      { q: 'Countries', a: '-' },
      { q: 'Review length', a: ENTER },
      { q: 'Add labels', a: ENTER },
      { q: 'What do you want to edit?', a: 'done' },
    ]);
    expect(run.code).toBe(ExitCode.ok);
    expect(run.out).toContain('✗ The store does not know this app:');
    expect(run.prompter.asked.find((a) => a.message.startsWith('Countries'))!.message).toContain('(type - to clear)');
    expect(run.config.apps).toMatchObject([
      { id: 'ios', filters: { countries: [] } },
      { id: 'acme-notes', appId: 'com.acme.notes' },
    ]);
    expect(run.out).toContain('All set.');
  });
});

describe('init: the channel step can be skipped too', () => {
  it('"Skip for now" in the channel list leaves no channel and says what remains', async () => {
    const omni = await startOmnidesk();
    const s = session(omni);
    const run = await s.run([
      ...accountSteps(),
      { q: 'Custom channel', a: 'Skip for now' },
      { q: 'Apps:', a: 'Skip for now' },
      { q: 'App Store Connect credentials', a: 'skip' },
      { q: 'Google Play credentials', a: 'skip' },
      { q: 'RuStore credentials', a: 'skip' },
      { q: 'Change an address', a: false },
    ]);
    expect(run.code).toBe(ExitCode.ok);
    expect(run.config.omnidesk).not.toHaveProperty('channel');
    expect(run.out).toContain('  - the custom channel: no case can be created without it (step 2)');
    expect(run.out).not.toContain('All set.');
    // A skip is not a failed check: it is listed once, as missing.
    expect(run.out).not.toContain('these checks did not pass');
  });
});

describe('init: address flags on a re-run', () => {
  it('are saved at once, Omnidesk included, and say so', async () => {
    const omni = await startOmnidesk();
    const s = session(omni);
    s.seed({ omnidesk: { subdomain: 'acme', staffEmail: staff.email, apiKey: staff.apiKey } });
    const run = await s.run([{ q: 'What do you want to edit?', a: 'done' }], {
      omnideskUrl: omni.emu.baseUrl,
      rustorePublicUrl: 'http://127.0.0.1:9/',
    });
    expect(run.code).toBe(ExitCode.ok);
    expect(run.config).toMatchObject({
      omnidesk: { baseUrl: omni.emu.baseUrl },
      stores: { rustore: { publicBaseUrl: 'http://127.0.0.1:9' } },
    });
    expect(run.out).toContain(
      `saved: Omnidesk address ${omni.emu.baseUrl}; RuStore public API address http://127.0.0.1:9`,
    );
  });
});
