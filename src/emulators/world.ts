/**
 * All four API emulators (and the stores' public sources) on loopback with fresh keys, and a config pointing at them: the
 * embedded default that `demo`, the integration tests, the chaos suite and the benchmark run on.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigInput } from '../config/schema.js';
import { AppStoreConnectEmulator } from './app-store-connect.js';
import { AppStorePublicEmulator } from './app-store-public.js';
import { GooglePlayPublicEmulator } from './google-play-public.js';
import { RuStorePublicEmulator } from './rustore-public.js';
import { GooglePlayEmulator } from './google-play.js';
import { ecP256KeyPair, rsaKeyPair } from './keys.js';
import { OmnideskEmulator, type OmnideskEmulatorOptions } from './omnidesk.js';
import { RuStoreEmulator, type RuStoreEmulatorOptions } from './rustore.js';

export interface WorldOptions {
  /** Folder for the config, the database and the key files. */
  dir: string;
  omnidesk?: OmnideskEmulatorOptions | undefined;
  /** Google Play: most reviews per page (forces paging). */
  playPageSize?: number | undefined;
  /** App Store: delay before a response reads PUBLISHED. */
  applePublishDelayMs?: number | undefined;
  ruStoreModerationDelayMs?: number | undefined;
  /** RuStore emulator settings beyond the defaults (a deployment that ignores `sort`, …). */
  ruStore?: Partial<RuStoreEmulatorOptions> | undefined;
  /** Stores whose credentials are left out of the config (their apps read public sources). */
  withoutCredentials?: readonly ('app-store' | 'google-play' | 'rustore')[] | undefined;
}

export const worldApps = {
  ios: { id: 'ios', name: 'Acme iOS', store: 'app-store', appId: '1000000001' },
  android: { id: 'android', name: 'Acme Android', store: 'google-play', appId: 'com.acme.reviews' },
  rustore: { id: 'rustore', name: 'Acme RuStore', store: 'rustore', appId: 'ru.acme.reviews' },
} as const;

export const worldStaff = {
  email: 'admin@example.test',
  apiKey: 'omni-test-key-0001',
  staffId: 1,
  fullName: 'Anna Admin',
};

export interface World {
  dir: string;
  configPath: string;
  dbPath: string;
  config: ConfigInput;
  omnidesk: OmnideskEmulator;
  appStore: AppStoreConnectEmulator;
  googlePlay: GooglePlayEmulator;
  rustore: RuStoreEmulator;
  /** The stores' public sources (reviews without credentials). */
  appStorePublic: AppStorePublicEmulator;
  googlePlayPublic: GooglePlayPublicEmulator;
  rustorePublic: RuStorePublicEmulator;
  /** Writes `config` (after changes) to `configPath`, mode 0600. */
  saveConfig(): void;
  stop(): Promise<void>;
}

export async function startWorld(opts: WorldOptions): Promise<World> {
  const apple = ecP256KeyPair();
  const google = rsaKeyPair();
  const ru = rsaKeyPair();
  const issuerId = '69a6de7e-0000-47e3-e053-5b8c7c11a4d1';
  const keyId = 'DEMOKEY123';
  const clientEmail = 'reviews@acme-demo.iam.gserviceaccount.com';
  const ruKeyId = '1000001';

  const omnidesk = new OmnideskEmulator({ staff: [worldStaff], ...opts.omnidesk });
  const appStore = new AppStoreConnectEmulator({
    issuerId,
    keyId,
    publicKeyPem: apple.publicKeyPem,
    publishDelayMs: opts.applePublishDelayMs ?? 0,
  });
  const googlePlay = new GooglePlayEmulator({
    serviceAccounts: [{ clientEmail, publicKeyPem: google.publicKeyPem }],
    pageSize: opts.playPageSize,
  });
  const rustore = new RuStoreEmulator({
    keys: [{ keyId: ruKeyId, publicKeyPem: ru.publicKeyPem }],
    moderationDelayMs: opts.ruStoreModerationDelayMs ?? 0,
    retryAfterSec: 0,
    ...opts.ruStore,
  });
  const appStorePublic = new AppStorePublicEmulator();
  const googlePlayPublic = new GooglePlayPublicEmulator();
  const rustorePublic = new RuStorePublicEmulator();
  const [omniUrl, appleUrl, googleUrl, ruUrl, applePublicUrl, googlePublicUrl, ruPublicUrl] = await Promise.all([
    omnidesk.start(),
    appStore.start(),
    googlePlay.start(),
    rustore.start(),
    appStorePublic.start(),
    googlePlayPublic.start(),
    rustorePublic.start(),
  ]);

  appStore.addApp({ id: worldApps.ios.appId, name: worldApps.ios.name, bundleId: 'com.acme.ios' });
  googlePlay.addApp(worldApps.android.appId);
  rustore.addApp(worldApps.rustore.appId, worldApps.rustore.name);

  const without = new Set(opts.withoutCredentials ?? []);
  const appleKeyPath = join(opts.dir, 'AuthKey_DEMOKEY123.p8');
  const googleKeyPath = join(opts.dir, 'google-service-account.json');
  const ruKeyPath = join(opts.dir, 'rustore-private-key.txt');
  writeFileSync(appleKeyPath, apple.privateKeyPem, { mode: 0o600 });
  writeFileSync(
    googleKeyPath,
    JSON.stringify(
      {
        type: 'service_account',
        project_id: 'acme-demo',
        private_key_id: 'demo-key-1',
        private_key: google.privateKeyPem,
        client_email: clientEmail,
        token_uri: googlePlay.tokenUri,
      },
      null,
      2,
    ),
    { mode: 0o600 },
  );
  writeFileSync(ruKeyPath, ru.privateKeyBase64Der, { mode: 0o600 });

  const config: ConfigInput = {
    omnidesk: {
      subdomain: 'acme',
      baseUrl: omniUrl,
      staffEmail: worldStaff.email,
      apiKey: worldStaff.apiKey,
      channel: 'cch1',
      channelTitle: 'App reviews',
      caseFieldId: 1,
    },
    stores: {
      appStore: {
        baseUrl: appleUrl,
        publicBaseUrl: applePublicUrl,
        publicCountries: ['us', 'ru', 'jp'],
        ...(without.has('app-store') ? {} : { issuerId, keyId, privateKeyPath: appleKeyPath }),
      },
      googlePlay: {
        baseUrl: googleUrl,
        publicBaseUrl: googlePublicUrl,
        tokenUri: googlePlay.tokenUri,
        ...(without.has('google-play') ? {} : { serviceAccountPath: googleKeyPath }),
      },
      rustore: {
        baseUrl: ruUrl,
        publicBaseUrl: ruPublicUrl,
        ...(without.has('rustore') ? {} : { keyId: ruKeyId, privateKeyPath: ruKeyPath }),
      },
    },
    apps: [
      { ...worldApps.ios, filters: { backlog: 100 } },
      { ...worldApps.android, filters: { backlog: 100 } },
      { ...worldApps.rustore, filters: { backlog: 100 } },
    ],
    webhook: { host: '127.0.0.1', port: 0, secret: 'demo-secret-0123456789abcdefghij' },
  };
  const configPath = join(opts.dir, 'config.json');
  const world: World = {
    dir: opts.dir,
    configPath,
    dbPath: join(opts.dir, 'state.db'),
    config,
    omnidesk,
    appStore,
    googlePlay,
    rustore,
    appStorePublic,
    googlePlayPublic,
    rustorePublic,
    saveConfig: () => writeFileSync(configPath, JSON.stringify(world.config, null, 2), { mode: 0o600 }),
    stop: async () => {
      await Promise.all(
        [omnidesk, appStore, googlePlay, rustore, appStorePublic, googlePlayPublic, rustorePublic].map((e) => e.stop()),
      );
    },
  };
  world.saveConfig();
  return world;
}
