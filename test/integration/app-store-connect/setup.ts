/**
 * One emulator + one connector per test, sharing a fake clock: waiting (backoff, quota) moves
 * the clock instead of sleeping, so hour-long waits take no time.
 */
import { SignJWT, importPKCS8 } from 'jose';
import { request } from 'undici';
import { onTestFinished } from 'vitest';
import { appStoreSchema, type AppStoreConfig } from '../../../src/config/schema.js';
import type { AppStoreCredentials } from '../../../src/connectors/stores/app-store-connect/settings.js';
import {
  createAppStoreConnector,
  type AppStoreConnector,
} from '../../../src/connectors/stores/app-store-connect/index.js';
import {
  AppStoreConnectEmulator,
  type AppStoreConnectEmulatorOptions,
} from '../../../src/emulators/app-store-connect.js';
import { memoryLogger } from '../../../src/log.js';
import { ecP256KeyPair, type PemKeyPair } from '../../helpers/keys.js';

export const issuerId = '57246542-96fe-1a63-e053-0824d011072a';
export const keyId = '2X9R4HXF34';
export const appId = '682658836';

export interface Clock {
  now: number;
}

export interface AppStoreSetup {
  emu: AppStoreConnectEmulator;
  connector: AppStoreConnector;
  keys: PemKeyPair;
  clock: Clock;
  /** Every wait the connector asked for, in ms. */
  waits: number[];
  /** A second connector on the same emulator (other credentials, clock offset…). */
  connect(opts?: ConnectOptions): AppStoreConnector;
}

export interface ConnectOptions {
  cfg?: Partial<AppStoreConfig>;
  creds?: Partial<AppStoreCredentials>;
  /** The connector's clock runs this far from the emulator's (clock skew). */
  clockOffsetMs?: number;
}

export async function startAppStore(
  opts: { emu?: Partial<AppStoreConnectEmulatorOptions> } & ConnectOptions = {},
): Promise<AppStoreSetup> {
  const keys = ecP256KeyPair();
  const clock: Clock = { now: Date.now() };
  const waits: number[] = [];
  const emu = new AppStoreConnectEmulator({
    issuerId,
    keyId,
    publicKeyPem: keys.publicKeyPem,
    now: () => clock.now,
    ...opts.emu,
  });
  await emu.start();
  onTestFinished(() => emu.stop());
  emu.addApp({ id: appId, name: 'Demo App', bundleId: 'com.example.demo' });

  const connect = (c: ConnectOptions = {}): AppStoreConnector => {
    const cfg = appStoreSchema.parse({
      issuerId,
      keyId,
      privateKey: keys.privateKeyPem,
      baseUrl: emu.baseUrl,
      ...c.cfg,
    });
    const creds: AppStoreCredentials = { issuerId, keyId, privateKeyPem: keys.privateKeyPem, ...c.creds };
    return createAppStoreConnector(cfg, creds, {
      logger: memoryLogger(),
      now: () => clock.now + (c.clockOffsetMs ?? 0),
      wait: async (ms) => {
        waits.push(ms);
        clock.now += ms;
      },
      backoffBaseMs: 10,
      timeoutMs: 5_000,
    });
  };
  return { emu, connector: connect(opts), keys, clock, waits, connect };
}

export async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

/** A token made by hand, to try the emulator's checks one by one. */
export async function craftToken(
  privateKeyPem: string,
  claims: { kid?: string; iss?: string; aud?: string; iat: number; exp: number; scope?: string[] },
): Promise<string> {
  const jwt = new SignJWT(claims.scope ? { scope: claims.scope } : {})
    .setProtectedHeader({ alg: 'ES256', kid: claims.kid ?? keyId, typ: 'JWT' })
    .setIssuer(claims.iss ?? issuerId)
    .setAudience(claims.aud ?? 'appstoreconnect-v1')
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp);
  return jwt.sign(await importPKCS8(privateKeyPem, 'ES256'));
}

export async function rawGet(
  baseUrl: string,
  path: string,
  token?: string,
): Promise<{ status: number; headers: Record<string, unknown>; json: unknown }> {
  const res = await request(new URL(path, baseUrl), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Query of a logged request, decoded. */
export function queryOf(q: string): URLSearchParams {
  return new URLSearchParams(q.startsWith('?') ? q.slice(1) : q);
}
