/**
 * The wizard against real emulators, with scripted prompts: an Omnidesk (and, when asked, the
 * three store APIs with fresh keys written to files), a temp config path, and a command context
 * whose output is captured.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { CommandContext } from '../../../../src/commands/context.js';
import type { InitOptions } from '../../../../src/commands/init/options.js';
import { interactiveInit } from '../../../../src/commands/init/interactive.js';
import type { Env } from '../../../../src/config/load.js';
import { AppStoreConnectEmulator } from '../../../../src/emulators/app-store-connect.js';
import { GooglePlayEmulator } from '../../../../src/emulators/google-play.js';
import { OmnideskEmulator, type EmuCaseField, type EmuChannel } from '../../../../src/emulators/omnidesk.js';
import { RuStoreEmulator } from '../../../../src/emulators/rustore.js';
import type { ExitCodeValue } from '../../../../src/errors.js';
import { memoryLogger } from '../../../../src/log.js';
import { makeServiceAccount } from '../../../helpers/google-keys.js';
import { ecP256KeyPair } from '../../../helpers/keys.js';
import { ScriptedPrompter, type ScriptStep } from '../../../helpers/prompt-stub.js';
import { ruStoreTestKey } from '../../../helpers/rustore-keys.js';
import { tempDir } from '../../../helpers/temp.js';

export const staff = { email: 'admin@example.test', apiKey: 'omni-test-key-0001', staffId: 1 };
export const fast = { wait: async () => {}, backoffBaseMs: 1, timeoutMs: 5_000 };

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

export interface Omni {
  emu: OmnideskEmulator;
  /** Case fields as the emulator serves them: push to "create" one in the admin. */
  fields: EmuCaseField[];
}

export async function startOmnidesk(opts: { channels?: EmuChannel[]; fields?: EmuCaseField[] } = {}): Promise<Omni> {
  const fields = opts.fields ?? [{ fieldId: 7, title: 'App reviews', fieldType: 'text' }];
  const emu = new OmnideskEmulator({
    staff: [staff],
    channels: opts.channels ?? [
      { id: 3, title: 'App reviews' },
      { id: 4, title: 'Chat' },
    ],
    caseFields: fields,
  });
  await emu.start();
  stops.push(() => emu.stop());
  return { emu, fields };
}

export interface Stores {
  asc: AppStoreConnectEmulator;
  gp: GooglePlayEmulator;
  ru: RuStoreEmulator;
  files: { p8: string; serviceAccount: string; ruKey: string };
  keys: { issuerId: string; keyId: string; ruKeyId: string; ruKeyBase64: string };
  /** The stores' base URLs, as a config file would hold them. */
  storesConfig: Record<string, unknown>;
}

export async function startStores(dir: string): Promise<Stores> {
  const issuerId = '69a6de7e-1111-47e3-e053-5b8c7c11a4d1';
  const keyId = 'WIZKEY1234';
  const apple = ecP256KeyPair();
  const asc = new AppStoreConnectEmulator({ issuerId, keyId, publicKeyPem: apple.publicKeyPem });
  const gp = new GooglePlayEmulator({ serviceAccounts: [] });
  const ruKey = ruStoreTestKey('424242');
  const ru = new RuStoreEmulator({
    keys: [{ keyId: ruKey.keyId, publicKeyPem: ruKey.publicKeyPem }],
    retryAfterSec: 0,
  });
  await Promise.all([asc.start(), gp.start(), ru.start()]);
  stops.push(() => Promise.all([asc.stop(), gp.stop(), ru.stop()]).then(() => undefined));
  const sa = makeServiceAccount(gp.tokenUri);
  gp.addServiceAccount(sa.clientEmail, sa.publicKeyPem);
  asc.addApp({ id: '1000000001', name: 'Acme iOS', bundleId: 'com.acme.ios' });
  asc.addApp({ id: '1000000002', name: 'Acme Lite', bundleId: 'com.acme.lite' });
  ru.addApp('ru.acme.app', 'Акме');
  const files = {
    p8: join(dir, 'AuthKey_WIZKEY1234.p8'),
    serviceAccount: join(dir, 'service-account.json'),
    ruKey: join(dir, 'rustore.txt'),
  };
  writeFileSync(files.p8, apple.privateKeyPem, { mode: 0o600 });
  writeFileSync(files.serviceAccount, JSON.stringify(sa.account), { mode: 0o600 });
  writeFileSync(files.ruKey, ruKey.privateKeyBase64, { mode: 0o600 });
  return {
    asc,
    gp,
    ru,
    files,
    keys: { issuerId, keyId, ruKeyId: ruKey.keyId, ruKeyBase64: ruKey.privateKeyBase64 },
    storesConfig: {
      appStore: { baseUrl: asc.baseUrl },
      googlePlay: { baseUrl: gp.baseUrl },
      rustore: { baseUrl: ru.server.baseUrl },
    },
  };
}

export interface Run {
  code: ExitCodeValue;
  prompter: ScriptedPrompter;
  /** Everything the wizard printed, redacted lines and unredacted ones in order. */
  out: string;
  unredacted: string[];
  config: Record<string, unknown>;
}

export interface Session {
  dir: string;
  configPath: string;
  env: Env;
  run(script: ScriptStep[], opts?: InitOptions): Promise<Run>;
  /** Writes a config file as if made earlier (or by hand). */
  seed(config: Record<string, unknown>): void;
}

export function session(omni: Omni | undefined, env: Env = {}): Session {
  const dir = tempDir('asodesk-omni-init-');
  const configPath = join(dir, 'config.json');
  const fullEnv: Env = { ...(omni ? { ASODESK_OMNI_OMNIDESK_BASE_URL: omni.emu.baseUrl } : {}), ...env };
  return {
    dir,
    configPath,
    env: fullEnv,
    seed: (config) => writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 }),
    async run(script, opts = {}) {
      const lines: string[] = [];
      const unredacted: string[] = [];
      const ctx: CommandContext = {
        location: { configPath, dbPath: join(dir, 'state.db') },
        logger: memoryLogger(),
        json: false,
        quiet: false,
        env: fullEnv,
        out: (t) => lines.push(t),
      };
      const prompter = new ScriptedPrompter(script);
      const code = await interactiveInit(ctx, opts, {
        prompt: prompter,
        say: (t) => lines.push(t),
        sayUnredacted: (t) => {
          lines.push(t);
          unredacted.push(t);
        },
        deps: fast,
      });
      const config = existsSync(configPath)
        ? (JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>)
        : {};
      return { code, prompter, out: lines.join('\n'), unredacted, config };
    },
  };
}

/** Step 1 answered right. */
export function accountSteps(subdomain = 'acme'): ScriptStep[] {
  return [
    { q: 'Omnidesk address', a: subdomain },
    { q: 'API key', a: staff.apiKey },
    { q: 'E-mail of the main admin', a: staff.email },
  ];
}
