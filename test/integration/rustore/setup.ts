/**
 * Starts a RuStore emulator and a connector pointed at it, with instant retries and one clock
 * shared by both (tests move it to expire tokens or finish moderation).
 */
import { afterEach } from 'vitest';
import { rustoreSchema } from '../../../src/config/schema.js';
import type { RuStoreCredentials } from '../../../src/connectors/stores/rustore/settings.js';
import type { ConnectorDeps } from '../../../src/connectors/deps.js';
import { createRuStoreConnector, type RuStoreConnector } from '../../../src/connectors/stores/rustore/index.js';
import type { AppRef } from '../../../src/connectors/stores/types.js';
import { RuStoreEmulator, type RuStoreEmulatorOptions } from '../../../src/emulators/rustore.js';
import { Logger } from '../../../src/log.js';
import { ruStoreTestKey } from '../../helpers/rustore-keys.js';

export const pkg = 'ru.example.app';
export const app: AppRef = { store: 'rustore', appId: pkg };

export interface Setup {
  emu: RuStoreEmulator;
  connector: RuStoreConnector;
  clock: { now: number };
  logLines: string[];
  /** Service requests whose path starts with this (default: all). */
  requests(prefix?: string): { method: string; path: string; query: string; status: number; body: string }[];
}

export interface SetupOptions {
  emulator?: Partial<RuStoreEmulatorOptions>;
  creds?: Partial<RuStoreCredentials>;
  deps?: Partial<ConnectorDeps>;
  maxReplyLength?: number;
}

const running: RuStoreEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
});

export async function setup(opts: SetupOptions = {}): Promise<Setup> {
  const key = ruStoreTestKey();
  const clock = { now: Date.parse('2025-03-01T09:00:00.000Z') };
  const emu = new RuStoreEmulator({
    keys: [{ keyId: key.keyId, publicKeyPem: key.publicKeyPem }],
    now: () => clock.now,
    retryAfterSec: 0,
    ...opts.emulator,
  });
  running.push(emu);
  const baseUrl = await emu.start();
  const logLines: string[] = [];
  const cfg = rustoreSchema.parse({ baseUrl, ...(opts.maxReplyLength ? { maxReplyLength: opts.maxReplyLength } : {}) });
  const connector = createRuStoreConnector(
    cfg,
    { keyId: key.keyId, privateKey: key.privateKeyBase64, ...opts.creds },
    {
      logger: new Logger({ level: 'debug', format: 'json', sink: { write: (l) => logLines.push(l) } }),
      wait: async () => {},
      backoffBaseMs: 1,
      timeoutMs: 5_000,
      now: () => clock.now,
      ...opts.deps,
    },
  );
  return {
    emu,
    connector,
    clock,
    logLines,
    requests: (prefix = '/') => emu.server.serviceRequests().filter((r) => r.path.startsWith(prefix)),
  };
}

export async function collect<T>(it: AsyncIterable<T[]>): Promise<T[][]> {
  const pages: T[][] = [];
  for await (const page of it) pages.push(page);
  return pages;
}
