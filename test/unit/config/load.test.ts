import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../src/config/load.js';
import { writeConfigFile } from '../../../src/config/store.js';
import { ConfigError } from '../../../src/errors.js';
import { tempDir } from '../../helpers/temp.js';

const base = { omnidesk: { subdomain: 'acme', staffEmail: 'admin@acme.test', apiKey: 'k-123456789' } };

describe('config parsing', () => {
  it('fills defaults for stores, webhook and app filters', () => {
    const { config, problems } = parseConfig(
      { ...base, apps: [{ id: 'ios', store: 'app-store', appId: '123456' }] },
      {},
    );
    expect(problems).toEqual([]);
    expect(config?.stores.appStore.baseUrl).toBe('https://api.appstoreconnect.apple.com');
    expect(config?.apps[0]?.filters).toEqual({
      reviewType: 'all',
      backlog: 10,
      ratings: [1, 2, 3, 4, 5],
      countries: [],
      languages: [],
      length: 'all',
    });
    expect(config?.webhook.port).toBe(8787);
  });

  it('names each bad field', () => {
    const { config, problems } = parseConfig(
      {
        omnidesk: { subdomain: 'acme', staffEmail: 'not-an-email' },
        apps: [{ id: 'x', store: 'google-play', appId: 'com.x.y', filters: { backlog: 101 } }],
      },
      {},
    );
    expect(config).toBeUndefined();
    expect(problems.map((p) => p.path).sort()).toEqual(['apps.0.filters.backlog', 'omnidesk.staffEmail']);
  });

  it('applies cross-field rules', () => {
    const { problems } = parseConfig(
      {
        ...base,
        apps: [
          { id: 'a', store: 'app-store', appId: 'com.not.numeric' },
          { id: 'a', store: 'google-play', appId: 'com.x.y' },
        ],
      },
      {},
    );
    expect(problems.map((p) => p.path)).toEqual(['apps.0.appId', 'apps.1.id']);
  });

  it('reports unknown fields by name', () => {
    const { problems } = parseConfig({ ...base, webhok: {} }, {});
    expect(problems[0]?.message).toContain('webhok');
  });

  it('takes secrets from env vars', () => {
    const { config } = parseConfig(
      { omnidesk: { subdomain: 'acme', staffEmail: 'a@acme.test' } },
      { ASODESK_OMNI_OMNIDESK_API_KEY: 'from-env-123', ASODESK_OMNI_RUSTORE_KEY_ID: '42' },
    );
    expect(config?.omnidesk?.apiKey).toBe('from-env-123');
    expect(config?.stores.rustore.keyId).toBe('42');
  });

  it('loadConfig throws a ConfigError with exit code 3 listing problems', () => {
    const dir = tempDir();
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify({ apps: [{ id: 'a', store: 'nowhere', appId: '1' }] }));
    try {
      loadConfig({ configPath: path, dbPath: join(dir, 'db') }, {});
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).exitCode).toBe(3);
      expect((err as ConfigError).message).toContain('apps.0.store');
    }
  });

  it('writes the config file with mode 0600', () => {
    const dir = tempDir();
    const path = join(dir, 'sub', 'config.json');
    writeConfigFile(path, base);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadConfig({ configPath: path, dbPath: join(dir, 'db') }, {}).omnidesk?.subdomain).toBe('acme');
  });
});
