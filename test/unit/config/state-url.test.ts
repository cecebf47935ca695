import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { resolveLocation } from '../../../src/config/location.js';
import { maskStateUrl, stateTarget, stateUrlProblem } from '../../../src/config/state-url.js';
import { ConfigError } from '../../../src/errors.js';
import { redact } from '../../../src/log.js';

const url = 'postgres://asodesk:s3cret-passw0rd-xyz@db.internal:5432/asodesk';

describe('the state URL', () => {
  it('accepts postgres:// and postgresql:// URLs and names what is wrong with others', () => {
    expect(stateUrlProblem(url)).toBeUndefined();
    expect(stateUrlProblem('postgresql://u@localhost/db')).toBeUndefined();
    expect(stateUrlProblem('postgres:///db?host=/run/postgresql')).toBeUndefined();
    expect(stateUrlProblem('mysql://u:p@h/db')).toMatch(/scheme "mysql" is not supported/);
    expect(stateUrlProblem('db.internal:5432')).toMatch(/scheme|not a URL/);
    expect(stateUrlProblem('just words')).toMatch(/not a URL/);
    expect(stateUrlProblem('postgres:///db')).toMatch(/no host/);
  });

  it('is shown only with its password masked', () => {
    expect(maskStateUrl(url)).toBe('postgres://asodesk:***@db.internal:5432/asodesk');
    expect(maskStateUrl('postgres://u@h/db?password=abcdefghijk')).toBe('postgres://u@h/db?password=***');
    expect(maskStateUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(maskStateUrl('::not a url::')).toBe('***');
  });

  it('--state and ASODESK_OMNI_STATE_URL win over state.url, which wins over the SQLite file', () => {
    const flag = resolveLocation({ config: '/c/config.json', state: url }, {});
    expect(stateTarget(flag, 'postgres://other@h/db')).toEqual({
      kind: 'postgres',
      url,
      shown: 'postgres://asodesk:***@db.internal:5432/asodesk',
    });
    const env = resolveLocation({ config: '/c/config.json' }, { ASODESK_OMNI_STATE_URL: ` ${url} ` });
    expect(stateTarget(env)).toMatchObject({ kind: 'postgres', url });
    const none = resolveLocation({ config: '/c/config.json' }, { ASODESK_OMNI_STATE_URL: '' });
    expect(stateTarget(none, 'postgres://other@h/db')).toMatchObject({
      kind: 'postgres',
      url: 'postgres://other@h/db',
    });
    expect(stateTarget(none)).toEqual({ kind: 'sqlite', path: '/c/asodesk-omni.db' });
  });

  it('a bad --state URL is a config error naming the setting, without the URL', () => {
    const bad = 'mysql://root:hunter2-long-pass@h/db';
    const location = resolveLocation({ config: '/c/config.json', state: bad }, {});
    let error: unknown;
    try {
      stateTarget(location);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/--state or ASODESK_OMNI_STATE_URL/);
    expect((error as ConfigError).message).not.toContain('hunter2');
  });

  it('state.url in the config is checked, registered as a secret, and can come from the environment', () => {
    const omnidesk = { subdomain: 'acme', staffEmail: 'a@acme.test', apiKey: 'key-0123456789' };
    const bad = parseConfig({ omnidesk, state: { url: 'redis://h' } }, {});
    expect(bad.problems).toEqual([expect.objectContaining({ path: 'state.url' })]);
    const fromEnv = parseConfig({ omnidesk }, { ASODESK_OMNI_STATE_URL: url });
    expect(fromEnv.config?.state?.url).toBe(url);
    expect(redact(`connecting to ${url}`)).toBe('connecting to ***');
    expect(redact('password s3cret-passw0rd-xyz')).toBe('password ***');
  });
});
