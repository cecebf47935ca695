import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../../../src/commands/context.js';
import type { InitOptions } from '../../../../src/commands/init/options.js';
import { nonInteractiveInit } from '../../../../src/commands/init/non-interactive.js';
import type { Env } from '../../../../src/config/load.js';
import { ConfigError, ExitCode, NeedsInputError, UserError } from '../../../../src/errors.js';
import { memoryLogger } from '../../../../src/log.js';
import { tempDir } from '../../../helpers/temp.js';
import { staff, startOmnidesk, startStores } from './setup.js';

function context(env: Env, json = false): { ctx: CommandContext; lines: string[]; configPath: string; dir: string } {
  const dir = tempDir('asodesk-omni-ni-');
  const configPath = join(dir, 'config.json');
  const lines: string[] = [];
  return {
    ctx: {
      location: { configPath, dbPath: join(dir, 'state.db') },
      logger: memoryLogger(),
      json,
      quiet: false,
      env,
      out: (t) => lines.push(t),
    },
    lines,
    configPath,
    dir,
  };
}

async function fails(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

const ready: InitOptions = {
  nonInteractive: true,
  subdomain: 'acme.omnidesk.ru',
  email: staff.email,
  channel: '3',
  app: ['app-store:1000000001', 'google-play:com.acme.notes'],
};

describe('init --non-interactive', () => {
  it('names every missing setting at once and exits 4, writing nothing', async () => {
    const { ctx, configPath } = context({});
    const err = await fails(nonInteractiveInit(ctx, { nonInteractive: true, email: staff.email }));
    expect(err).toBeInstanceOf(NeedsInputError);
    expect(err.exitCode).toBe(ExitCode.needsInput);
    expect(err.message).toContain('omnidesk.subdomain (--subdomain company)');
    expect(err.message).toContain('omnidesk.apiKey (env ASODESK_OMNI_OMNIDESK_API_KEY)');
    expect(err.message).toContain('omnidesk.channel (--channel cch12)');
    expect(err.message).toContain('apps: at least one');
    expect(err.message).not.toContain('staffEmail');
    expect(err.hint).toContain('flags, environment variables or in the --from file');
    expect(existsSync(configPath)).toBe(false);
  });

  it('a half-given store key is named too; unreadable flags are a config error (exit 3)', async () => {
    const { ctx } = context({ ASODESK_OMNI_OMNIDESK_API_KEY: staff.apiKey, ASODESK_OMNI_APPSTORE_KEY_ID: 'ABC123' });
    const missing = await fails(nonInteractiveInit(ctx, ready));
    expect(missing.message).toContain('stores.appStore.issuerId (env ASODESK_OMNI_APPSTORE_ISSUER_ID)');
    expect(missing.message).toContain('stores.appStore.privateKeyPath (env ASODESK_OMNI_APPSTORE_PRIVATE_KEY_PATH)');

    const bad = await fails(
      nonInteractiveInit(context({}).ctx, { ...ready, email: 'not-an-email', app: ['play:com.x'] }),
    );
    expect(bad).toBeInstanceOf(ConfigError);
    expect(bad.exitCode).toBe(ExitCode.config);
    expect(bad.message).toContain('--email: "not-an-email" is not an e-mail address');
    expect(bad.message).toContain('--app: "play:com.x" should be store:id');
  });

  it('checks live, finds the channel title and the case field, and writes the config (0600); the key stays in the env', async () => {
    const omni = await startOmnidesk();
    const { ctx, configPath, lines, dir } = context({
      ASODESK_OMNI_OMNIDESK_API_KEY: staff.apiKey,
      ASODESK_OMNI_OMNIDESK_BASE_URL: omni.emu.baseUrl,
    });
    const stores = await startStores(dir);
    writeFileSync(
      join(dir, 'from.json'),
      JSON.stringify({
        stores: {
          rustore: {
            baseUrl: stores.ru.server.baseUrl,
            keyId: stores.keys.ruKeyId,
            privateKeyPath: stores.files.ruKey,
          },
        },
        webhook: { publicUrl: 'https://hooks.example.com' },
      }),
    );
    const code = await nonInteractiveInit(ctx, { ...ready, from: join(dir, 'from.json') });
    expect(code).toBe(ExitCode.ok);
    const written = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(written.omnidesk).toEqual({
      subdomain: 'acme',
      staffEmail: staff.email,
      channel: 'cch3',
      baseUrl: omni.emu.baseUrl,
      channelTitle: 'App reviews',
      caseFieldId: 7,
    });
    expect(written.webhook!.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(written.apps).toEqual([
      { id: 'ios-1000000001', store: 'app-store', appId: '1000000001' },
      { id: 'acme-notes', store: 'google-play', appId: 'com.acme.notes' },
    ]);
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
    expect(lines).toEqual(
      expect.arrayContaining([
        '✓ case field cf_7 found.',
        '✓ RuStore accepted the credentials.',
        `✓ Config written to ${configPath}.`,
      ]),
    );
    expect(omni.emu.server.serviceRequests().map((r) => r.path)).toEqual(
      expect.arrayContaining(['/api/custom_channels.json', '/api/custom_fields.json']),
    );
  });

  it('a wrong key fails the live check (exit 3, nothing written); --offline writes without asking anyone', async () => {
    const omni = await startOmnidesk();
    const env = { ASODESK_OMNI_OMNIDESK_API_KEY: 'wrong-key-000', ASODESK_OMNI_OMNIDESK_BASE_URL: omni.emu.baseUrl };
    const live = context(env);
    const err = await fails(nonInteractiveInit(live.ctx, ready));
    expect(err.exitCode).toBe(ExitCode.config);
    expect(err.message).toContain('the API key is wrong or was deleted');
    expect(err.hint).toContain('--offline');
    expect(existsSync(live.configPath)).toBe(false);

    const before = omni.emu.server.serviceRequests().length;
    const offline = context(env, true);
    expect(await nonInteractiveInit(offline.ctx, { ...ready, offline: true, lang: 'ru' })).toBe(ExitCode.ok);
    expect(omni.emu.server.serviceRequests().length).toBe(before);
    expect(JSON.parse(offline.lines.join(''))).toMatchObject({ ok: true, checked: false, caseFieldId: null });
    expect(JSON.parse(readFileSync(offline.configPath, 'utf8'))).toMatchObject({
      language: 'ru',
      omnidesk: { channel: 'cch3' },
    });
  });

  it('an unknown channel lists the channels there are', async () => {
    const omni = await startOmnidesk();
    const { ctx } = context({
      ASODESK_OMNI_OMNIDESK_API_KEY: staff.apiKey,
      ASODESK_OMNI_OMNIDESK_BASE_URL: omni.emu.baseUrl,
    });
    const err = await fails(nonInteractiveInit(ctx, { ...ready, channel: 'cch99' }));
    expect(err.message).toContain(
      'omnidesk.channel: Omnidesk has no custom channel cch99 (channels: cch3 "App reviews", cch4 "Chat")',
    );
  });
});
