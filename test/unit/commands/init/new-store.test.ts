/**
 * Adding a store is a connector folder: a store known only to the wizard registry (a fake one,
 * registered here) shows up in `init --help`, the wizard's store list, its app id and
 * credential questions, the endpoint list and the non-interactive flags, with no edit of
 * src/commands/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import type { WithContext } from '../../../../src/commands/context.js';
import { registerInit } from '../../../../src/commands/init/index.js';
import { applyFlags, missingSettings } from '../../../../src/commands/init/non-interactive.js';
import { endpointList, storeOfUrl } from '../../../../src/commands/init/questions.js';
import { appsStep } from '../../../../src/commands/init/steps/apps.js';
import { credentialsStep } from '../../../../src/commands/init/steps/credentials.js';
import { Wizard } from '../../../../src/commands/init/wizard.js';
import type { StoreId } from '../../../../src/connectors/stores/ids.js';
import type { StoreWizard } from '../../../../src/connectors/stores/wizard-types.js';
import type * as Wizards from '../../../../src/connectors/stores/wizards.js';
import { memoryLogger } from '../../../../src/log.js';
import { ENTER, ScriptedPrompter } from '../../../helpers/prompt-stub.js';
import { tempDir } from '../../../helpers/temp.js';

const fake = vi.hoisted((): StoreWizard => ({
  id: 'acme-market' as StoreId,
  name: 'Acme Market',
  consoleName: 'Acme Market Console',
  configKey: 'acmeMarket',
  envPattern: 'ASODESK_OMNI_ACME_MARKET_*',
  appFlagHint: 'acme-market:<am-number>',
  exampleAppId: 'am-1',
  filters: { countries: false, languages: true },
  texts: {
    en: {
      appIdQuestion: 'Acme Market app id (am-<number>):',
      appIdProblem: 'An Acme Market id looks like am-123.',
      flagAppIdProblem: 'an Acme Market id looks like am-123',
    },
    ru: {
      appIdQuestion: 'Номер приложения в Acme Market (am-<число>):',
      appIdProblem: 'Номер в Acme Market выглядит как am-123.',
      flagAppIdProblem: 'номер в Acme Market выглядит как am-123',
    },
  },
  isStorePage: (url) => url.hostname === 'market.acme.test',
  normaliseAppId: (text) => /am-\d+/.exec(text.trim().toLowerCase())?.[0] ?? text.trim(),
  isAppId: (id) => /^am-\d+$/.test(id),
  endpoints: [
    {
      id: 'acmeMarket',
      flag: '--acme-market-url',
      field: 'baseUrl',
      production: 'https://api.market.acme.test',
      help: 'Acme Market API base URL',
      names: { en: 'Acme Market API', ru: 'API Acme Market' },
    },
  ],
  credentialFlags: [{ flag: '--acme-market-token', field: 'token', isPath: false, help: 'Acme Market: API token' }],
  credentialGroups: [['token'], ['account']],
  askCredentials: async (p, current) => ({
    account: await p.text('Acme Market account:', typeof current.account === 'string' ? current.account : undefined),
    token: await p.secret('Acme Market API token:'),
  }),
  demoAnswer: (s) => `token ${typeof s.token === 'string' ? s.token : ''}`,
}));

vi.mock('../../../../src/connectors/stores/wizards.js', async (importOriginal) => {
  const real = await importOriginal<typeof Wizards>();
  return {
    ...real,
    allStoreWizards: () => [...real.allStoreWizards(), fake],
    storeWizard: (id: StoreId) => (id === fake.id ? fake : real.storeWizard(id)),
  };
});

function wizard(prompt: ScriptedPrompter): { w: Wizard; said: string[]; configPath: string } {
  const dir = tempDir('asodesk-omni-new-store-');
  const configPath = join(dir, 'config.json');
  const said: string[] = [];
  const w = new Wizard({
    location: { configPath, dbPath: join(dir, 'state.db') },
    env: {},
    logger: memoryLogger(),
    lang: 'en',
    draft: {},
    io: { prompt, say: (t) => said.push(t), sayUnredacted: (t) => said.push(t) },
  });
  return { w, said, configPath };
}

describe('a store added to the registry only', () => {
  it('gets its flags in `init --help`, declared from its wizard module once a command is dispatched', async () => {
    let out = '';
    const program = new Command('asodesk-omni').exitOverride().configureOutput({ writeOut: (t) => (out += t) });
    const noAction: WithContext = () => () => {};
    registerInit(program, noAction);
    const init = program.commands.find((c) => c.name() === 'init')!;
    // The program's own --help does not load the stores' wizard modules.
    expect(init.options.map((o) => o.long)).not.toContain('--app');
    await expect(program.parseAsync(['init', '--help'], { from: 'user' })).rejects.toMatchObject({
      code: 'commander.helpDisplayed',
    });
    expect(out).toContain('acme-market:<am-number>');
    expect(out).toMatch(/--acme-market-token <id>\s+Acme Market: API token/);
    expect(out).toMatch(/--acme-market-url <url>\s+advanced: Acme Market API base URL/);
    expect(out).toContain('ASODESK_OMNI_ACME_MARKET_*');
  });

  it('is offered by the wizard: store list, its app id rule, its credential questions', async () => {
    const prompt = new ScriptedPrompter([
      { q: 'Apps:', a: { kind: 'add' } },
      { q: 'Store:', a: 'Acme Market' },
      { q: 'Acme Market app id', a: 'acme' },
      { q: 'Acme Market app id', a: 'https://market.acme.test/app/AM-42' },
      { q: 'Display name', a: 'Acme' },
      { q: 'Short id', a: ENTER },
      { q: 'Apps:', a: { kind: 'done' } },
      { q: 'Acme Market Console credentials:', a: 'ask' },
      { q: 'Acme Market account:', a: 'acme-inc' },
      { q: 'Acme Market API token:', a: 'secret-token' },
      // No connector is registered for it here: the live check fails, the answers are kept.
      { q: 'What now?', a: 'keep' },
    ]);
    const { w, said, configPath } = wizard(prompt);
    await appsStep(w);
    await credentialsStep(w);

    expect(prompt.remaining).toBe(0);
    expect(prompt.asked.find((a) => a.message === 'Store:')?.choices).toEqual([
      'App Store',
      'Google Play',
      'RuStore',
      'Acme Market',
    ]);
    expect(prompt.refused.map((r) => r.reason)).toEqual(['An Acme Market id looks like am-123.']);
    expect(said.join('\n')).toContain('Until Acme Market Console credentials are added (step 5)');
    expect(JSON.parse(readFileSync(configPath, 'utf8'))).toMatchObject({
      apps: [{ id: 'acme', store: 'acme-market', appId: 'am-42', name: 'Acme' }],
      stores: { acmeMarket: { account: 'acme-inc', token: 'secret-token' } },
    });
  });

  it('is read from `init --non-interactive` flags, a pasted store page and the endpoint list', () => {
    const { draft, problems } = applyFlags(
      {},
      { app: ['acme-market:am-7', 'acme-market:nope'], acmeMarketToken: ' t0k ', acmeMarketUrl: 'http://127.0.0.1:9/' },
      {},
    );
    expect(problems).toEqual([{ path: '--app', message: '"acme-market:nope": an Acme Market id looks like am-123' }]);
    expect(draft.apps).toEqual([{ id: 'am-7', store: 'acme-market', appId: 'am-7' }]);
    expect(draft.stores).toEqual({ acmeMarket: { token: 't0k', baseUrl: 'http://127.0.0.1:9' } });
    // Half a set of credentials names what is missing.
    expect(missingSettings(draft, {})).toContain('stores.acmeMarket.account');
    expect(missingSettings({}, {}).join('\n')).toContain('--app acme-market:am-1');
    expect(storeOfUrl('https://market.acme.test/app/am-3')).toBe('acme-market');
    expect(endpointList().map((e) => e.flag)).toContain('--acme-market-url');
  });
});
