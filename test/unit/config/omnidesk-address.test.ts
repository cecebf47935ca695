/**
 * Deskie (deskie.io, Omnidesk's English edition, the same API): the account address in every form
 * people type it, the domain in the config, the base URL and the state's owner derived from it.
 */
import { describe, expect, it } from 'vitest';
import { parseOmnideskAddress, setOmnidesk } from '../../../src/commands/init/questions.js';
import { omnideskBaseUrl } from '../../../src/config/omnidesk-address.js';
import { omnideskSchema } from '../../../src/config/schema.js';
import { ownerOf } from '../../../src/state/identity.js';

describe('the Omnidesk account address', () => {
  it('reads acme, acme.omnidesk.ru, acme.deskie.io and their URLs', () => {
    expect(parseOmnideskAddress('acme')).toEqual({ subdomain: 'acme' });
    expect(parseOmnideskAddress('acme.omnidesk.ru')).toEqual({ subdomain: 'acme' });
    expect(parseOmnideskAddress('https://acme.omnidesk.ru/staff/cases')).toEqual({ subdomain: 'acme' });
    expect(parseOmnideskAddress('acme.deskie.io')).toEqual({ subdomain: 'acme', domain: 'deskie.io' });
    expect(parseOmnideskAddress(' https://ACME.deskie.io/ ')).toEqual({ subdomain: 'acme', domain: 'deskie.io' });
    expect(parseOmnideskAddress('https://acme.deskie.io/staff/cases/list')).toEqual({
      subdomain: 'acme',
      domain: 'deskie.io',
    });
    expect(parseOmnideskAddress('my company.deskie.io')).toBeUndefined();
    // Any other host stays a base URL (a proxy, the emulator).
    expect(parseOmnideskAddress('http://127.0.0.1:8080')).toEqual({
      subdomain: '127-0-0-1',
      baseUrl: 'http://127.0.0.1:8080',
    });
  });

  it('builds https://<subdomain>.<domain>; a base URL overrides both', () => {
    expect(omnideskBaseUrl({ subdomain: 'acme' })).toBe('https://acme.omnidesk.ru');
    expect(omnideskBaseUrl({ subdomain: 'acme', domain: 'deskie.io' })).toBe('https://acme.deskie.io');
    expect(omnideskBaseUrl({ subdomain: 'acme', domain: 'deskie.io', baseUrl: 'http://127.0.0.1:9' })).toBe(
      'http://127.0.0.1:9',
    );
    expect(ownerOf({ subdomain: 'acme', domain: 'deskie.io', channel: 'cch1' })).toEqual({
      account: 'https://acme.deskie.io',
      channel: 'cch1',
    });
    // The same subdomain on the other edition is another account.
    expect(ownerOf({ subdomain: 'acme', channel: 'cch1' })!.account).toBe('https://acme.omnidesk.ru');
  });

  it('takes omnidesk.domain omnidesk.ru or deskie.io, and names the field otherwise', () => {
    const base = { subdomain: 'acme', staffEmail: 'a@acme.test' };
    expect(omnideskSchema.parse({ ...base, domain: 'deskie.io' }).domain).toBe('deskie.io');
    expect(omnideskSchema.parse(base).domain).toBeUndefined();
    const bad = omnideskSchema.safeParse({ ...base, domain: 'deskie.com' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({ path: ['domain'], message: 'omnidesk.ru or deskie.io' });
  });

  it('init writes the domain for a Deskie account and removes it when the account moves back', () => {
    const deskie = setOmnidesk({}, { subdomain: 'acme', domain: 'deskie.io', staffEmail: 'a@acme.test' });
    expect(deskie.omnidesk).toEqual({ subdomain: 'acme', domain: 'deskie.io', staffEmail: 'a@acme.test' });
    const back = setOmnidesk(deskie, { subdomain: 'acme', staffEmail: 'a@acme.test' });
    expect(back.omnidesk).toEqual({ subdomain: 'acme', staffEmail: 'a@acme.test' });
  });
});
