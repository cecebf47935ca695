import { describe, expect, it } from 'vitest';
import { readYesNo } from '../../../../src/commands/init/prompts.js';
import {
  endpointFlags,
  getEndpoint,
  normaliseAppId,
  parseCountries,
  parseOmnideskAddress,
  setEndpoint,
  storeOfUrl,
} from '../../../../src/commands/init/questions.js';
import { missingForDelivery } from '../../../../src/config/complete.js';
import { jsonErrorLine } from '../../../../src/config/load.js';
import { configSchema } from '../../../../src/config/schema.js';

describe('what people type, read as they mean it', () => {
  it('an Omnidesk address: a subdomain, or a full URL that becomes the base URL', () => {
    expect(parseOmnideskAddress('company')).toEqual({ subdomain: 'company' });
    expect(parseOmnideskAddress('https://Company.omnidesk.ru/staff/cases')).toEqual({ subdomain: 'company' });
    expect(parseOmnideskAddress('http://127.0.0.1:45191')).toEqual({
      subdomain: '127-0-0-1',
      baseUrl: 'http://127.0.0.1:45191',
    });
    // Not the subdomain "localhost": a host and port is an address.
    expect(parseOmnideskAddress('localhost:45191')).toEqual({
      subdomain: 'localhost',
      baseUrl: 'http://localhost:45191',
    });
    expect(parseOmnideskAddress('http://localhost:45191/')).toEqual({
      subdomain: 'localhost',
      baseUrl: 'http://localhost:45191',
    });
    expect(parseOmnideskAddress('https://help.example.com/omni')).toEqual({
      subdomain: 'help-example-com',
      baseUrl: 'https://help.example.com/omni',
    });
    expect(parseOmnideskAddress('ftp://x.example.com')).toBeUndefined();
    expect(parseOmnideskAddress('my company')).toBeUndefined();
  });

  it('app ids from store URLs and `id…`', () => {
    expect(normaliseAppId('app-store', 'https://apps.apple.com/us/app/acme-notes/id1234567890?platform=iphone')).toBe(
      '1234567890',
    );
    expect(normaliseAppId('app-store', 'id1234567890')).toBe('1234567890');
    expect(normaliseAppId('app-store', '1234567890')).toBe('1234567890');
    expect(normaliseAppId('google-play', 'https://play.google.com/store/apps/details?id=com.acme.notes&hl=ru')).toBe(
      'com.acme.notes',
    );
    expect(normaliseAppId('rustore', 'https://www.rustore.ru/catalog/app/ru.acme.notes')).toBe('ru.acme.notes');
    expect(storeOfUrl('https://apps.apple.com/app/id1')).toBe('app-store');
    expect(storeOfUrl('https://www.rustore.ru/catalog/app/x.y')).toBe('rustore');
    expect(storeOfUrl('com.acme.notes')).toBeUndefined();
  });

  it('country codes from the ISO list only: XXX and Cyrillic look-alikes are refused', () => {
    expect(parseCountries('usa, rus')).toEqual({ ok: ['USA', 'RUS'] });
    expect(parseCountries('USA, XXX, США')).toEqual({ bad: ['XXX', 'США'] });
    expect(
      configSchema.safeParse({ apps: [{ id: 'a', store: 'app-store', appId: '1', filters: { countries: ['XXX'] } }] })
        .success,
    ).toBe(false);
  });

  it('д/н: `н` is no, `д` yes, empty the default, anything else asks again', () => {
    expect(readYesNo('ru', 'н', true)).toBe(false);
    expect(readYesNo('ru', 'нет', true)).toBe(false);
    expect(readYesNo('ru', 'Д', false)).toBe(true);
    expect(readYesNo('ru', 'n', true)).toBe(false);
    expect(readYesNo('ru', '', false)).toBe(false);
    expect(readYesNo('ru', 'может', true)).toBeUndefined();
    expect(readYesNo('en', 'nope', true)).toBeUndefined();
  });

  it('endpoint flags are checked; set and cleared in the draft without empty sections', () => {
    expect(endpointFlags({ rustoreUrl: 'http://127.0.0.1:9/', appStoreUrl: 'nope' })).toEqual({
      flags: { rustore: 'http://127.0.0.1:9' },
      problems: [
        {
          path: '--app-store-url',
          value: 'nope',
          message: expect.stringContaining('"nope" is not a full URL') as string,
        },
      ],
    });
    const set = setEndpoint({}, 'googlePlayToken', 'http://127.0.0.1:1/token');
    expect(set).toEqual({ stores: { googlePlay: { tokenUri: 'http://127.0.0.1:1/token' } } });
    expect(getEndpoint(set, 'googlePlayToken')).toBe('http://127.0.0.1:1/token');
    expect(setEndpoint(set, 'googlePlayToken', undefined)).toEqual({});
    expect(() => setEndpoint({}, 'omnidesk', 'http://x')).toThrow(/account comes first/);
  });
});

describe('a config that cannot deliver', () => {
  it('names the missing account key, channel, case field and apps', () => {
    const config = configSchema.parse({ omnidesk: { subdomain: 'a', staffEmail: 'a@a.test' } });
    expect(missingForDelivery(config).map((m) => [m.path, m.step])).toEqual([
      ['omnidesk.apiKey', 'omnidesk'],
      ['omnidesk.channel', 'channel'],
      ['omnidesk.caseFieldId', 'channel'],
      ['apps', 'apps'],
    ]);
    const off = configSchema.parse({
      omnidesk: { subdomain: 'a', staffEmail: 'a@a.test', apiKey: 'k', channel: 'cch1', caseFieldId: 1 },
      apps: [{ id: 'x', store: 'rustore', appId: 'a.b', enabled: false }],
    });
    expect(missingForDelivery(off)).toEqual([
      { path: 'apps', message: 'every app is switched off (enabled: false)', step: 'apps' },
    ]);
  });

  it('JSON errors give the line and column', () => {
    expect(jsonErrorLine('{\n  "a": 1,\n  x\n}', 'Unexpected token x in JSON at position 14')).toBe(
      ' (line 3, column 3)',
    );
    expect(jsonErrorLine('{', 'Unexpected end of JSON input')).toBe('');
  });
});

describe('init --non-interactive in Russian', () => {
  it('names unreadable flags in the chosen language', async () => {
    const { applyFlags } = await import('../../../../src/commands/init/non-interactive.js');
    const { messagesFor } = await import('../../../../src/commands/init/messages.js');
    const opts = { subdomain: 'my company', email: 'nope', app: ['app-store:acme'], rustoreUrl: 'nope' };
    const ru = applyFlags({}, opts, {}, messagesFor('ru').flags).problems.map((p) => `${p.path}: ${p.message}`);
    expect(ru).toEqual([
      '--subdomain: «my company» — не адрес Omnidesk (поддомен company, company.omnidesk.ru, company.deskie.io или полный адрес)',
      '--rustore-url: «nope» — не полный адрес вида https://proxy.example.com или http://127.0.0.1:8080',
      '--email: «nope» — не адрес электронной почты',
      '--app: «app-store:acme»: номер приложения в App Store — число, например 1234567890 (или id1234567890, или ссылка apps.apple.com)',
    ]);
    expect(applyFlags({}, { email: 'nope' }, {}).problems).toEqual([
      { path: '--email', message: '"nope" is not an e-mail address' },
    ]);
  });
});
