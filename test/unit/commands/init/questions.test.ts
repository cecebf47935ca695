import { describe, expect, it } from 'vitest';
import {
  absolutePath,
  detectLang,
  findCaseField,
  isValidAppId,
  normaliseChannel,
  normaliseSubdomain,
  parseCountries,
  parseLanguages,
  setChannel,
  setCredentials,
  setFilters,
  suggestLocalId,
  webhookUrl,
} from '../../../../src/commands/init/questions.js';
import { messagesFor } from '../../../../src/commands/init/messages.js';

describe('init answers → config (pure)', () => {
  it('normalises the Omnidesk address', () => {
    expect(normaliseSubdomain('company')).toBe('company');
    expect(normaliseSubdomain(' Company.omnidesk.ru ')).toBe('company');
    expect(normaliseSubdomain('https://company.omnidesk.ru/staff/cases/list')).toBe('company');
    expect(normaliseSubdomain('company.omnidesk.ru/staff')).toBe('company');
    expect(normaliseSubdomain('my company')).toBeUndefined();
    expect(normaliseSubdomain('')).toBeUndefined();
    expect(normaliseSubdomain('https://help.example.com')).toBeUndefined();
  });

  it('reads channels, countries, languages and app ids as people type them', () => {
    expect(normaliseChannel('12')).toBe('cch12');
    expect(normaliseChannel('CCH7')).toBe('cch7');
    expect(normaliseChannel('chat')).toBeUndefined();
    expect(parseCountries('usa, rus;deu')).toEqual({ ok: ['USA', 'RUS', 'DEU'] });
    expect(parseCountries('')).toEqual({ ok: [] });
    expect(parseCountries('us, RUS')).toEqual({ bad: ['us'] });
    expect(parseLanguages('en pt_BR zh-Hans')).toEqual({ ok: ['en', 'pt-BR', 'zh-Hans'] });
    expect(parseLanguages('english')).toEqual({ bad: ['english'] });
    expect(isValidAppId('app-store', '1234567890')).toBe(true);
    expect(isValidAppId('app-store', 'com.acme')).toBe(false);
    expect(isValidAppId('rustore', 'ru.acme.app')).toBe(true);
    expect(isValidAppId('google-play', 'acme')).toBe(false);
  });

  it('suggests unique local ids', () => {
    expect(suggestLocalId('app-store', '123', 'Acme Notes!', [])).toBe('acme-notes');
    expect(suggestLocalId('app-store', '123', 'Заметки', [])).toBe('ios-123');
    expect(suggestLocalId('google-play', 'com.acme.Notes', undefined, ['acme-notes'])).toBe('acme-notes-2');
    // Readable: the reverse-domain prefix goes, the rest stays (not just "reviews").
    expect(suggestLocalId('google-play', 'com.acme.reviews', undefined, [])).toBe('acme-reviews');
    expect(suggestLocalId('rustore', 'ru.acme.reviews.beta', undefined, [])).toBe('acme-reviews-beta');
  });

  it('builds the webhook URL on the route serve-hook listens on', () => {
    expect(webhookUrl('https://hooks.example.com/', 'abc')).toBe('https://hooks.example.com/omnidesk/webhook/abc');
    expect(webhookUrl('https://example.com/asodesk', 's3cr3t')).toBe(
      'https://example.com/asodesk/omnidesk/webhook/s3cr3t',
    );
  });

  it('finds the case text field titled like the channel, and tells a near miss', () => {
    const fields = [
      { fieldId: 1, title: 'Reviews', fieldType: 'text', level: 'user' },
      { fieldId: 2, title: 'Other', fieldType: 'text', level: 'case' },
    ];
    expect(findCaseField(fields, 'Reviews')).toEqual({ nearMiss: fields[0] });
    expect(
      findCaseField([...fields, { fieldId: 3, title: ' reviews ', fieldType: 'text', level: 'case' }], 'Reviews').field
        ?.fieldId,
    ).toBe(3);
    expect(findCaseField(fields, 'Chat')).toEqual({});
  });

  it('changes the draft without writing defaults; another channel drops the old case field', () => {
    const draft = {
      omnidesk: { subdomain: 'a', staffEmail: 'a@b.c', channel: 'cch1', channelTitle: 'One', caseFieldId: 4 },
    };
    expect(setChannel(draft, { id: 'cch1', title: 'One' }).omnidesk).toEqual(draft.omnidesk);
    expect(setChannel(draft, { id: 'cch2', title: 'Two' }).omnidesk).toEqual({
      subdomain: 'a',
      staffEmail: 'a@b.c',
      channel: 'cch2',
      channelTitle: 'Two',
    });
    const withApp = { apps: [{ id: 'x', store: 'rustore' as const, appId: 'ru.a.b' }] };
    const filtered = setFilters(withApp, 0, {
      reviewType: 'all',
      backlog: 5,
      ratings: [5, 1],
      countries: ['USA'],
      languages: ['en'],
      length: 'all',
      tags: true,
    });
    // Countries only exist for App Store apps, languages for Google Play.
    expect(filtered.apps![0]).toEqual({
      id: 'x',
      store: 'rustore',
      appId: 'ru.a.b',
      filters: { reviewType: 'all', backlog: 5, ratings: [1, 5], length: 'all' },
      tags: true,
    });
  });

  it('sets, replaces and removes store credentials; no empty sections are left', () => {
    const d1 = setCredentials({}, 'rustore', { keyId: '1', privateKey: 'BASE64' });
    expect(d1).toEqual({ stores: { rustore: { keyId: '1', privateKey: 'BASE64' } } });
    const d2 = setCredentials(
      { stores: { rustore: { baseUrl: 'http://x', keyId: '1', privateKey: 'B' } } },
      'rustore',
      { keyId: '2', privateKeyPath: '/k' },
    );
    expect(d2.stores!.rustore).toEqual({ baseUrl: 'http://x', keyId: '2', privateKeyPath: '/k' });
    expect(setCredentials(d1, 'rustore', undefined)).toEqual({});
    expect(setCredentials(d2, 'rustore', undefined)).toEqual({ stores: { rustore: { baseUrl: 'http://x' } } });
  });

  it('picks the language and resolves typed paths', () => {
    expect(detectLang(undefined, { LANG: 'ru_RU.UTF-8' })).toBe('ru');
    expect(detectLang(undefined, { LC_ALL: 'en_US.UTF-8', LANG: 'ru_RU.UTF-8' })).toBe('en');
    expect(detectLang('ru', {})).toBe('ru');
    expect(detectLang(undefined, {})).toBe('en');
    expect(absolutePath("'~/keys/a.p8'", '/work', '/home/me')).toBe('/home/me/keys/a.p8');
    expect(absolutePath('keys/a.p8', '/work', undefined)).toBe('/work/keys/a.p8');
  });

  it('has every text in both languages', () => {
    const keys = (o: object, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        v && typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
      );
    expect(keys(messagesFor('ru')).sort()).toEqual(keys(messagesFor('en')).sort());
  });
});
