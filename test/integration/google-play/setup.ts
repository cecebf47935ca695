/**
 * One Google Play emulator plus a connector wired to it, sharing a clock the test can move.
 */
import { afterEach } from 'vitest';
import { googlePlaySchema, type GooglePlayConfig } from '../../../src/config/schema.js';
import { memoryUsageLedger, type UsageLedger } from '../../../src/connectors/deps.js';
import {
  createGooglePlayConnector,
  type GooglePlayConnector,
} from '../../../src/connectors/stores/google-play/index.js';
import { GooglePlayEmulator, type GooglePlayEmulatorOptions } from '../../../src/emulators/google-play.js';
import { memoryLogger } from '../../../src/log.js';
import { makeServiceAccount, type TestServiceAccount } from '../../helpers/google-keys.js';

export const pkg = 'com.acme.notes';

export interface Clock {
  now: number;
  advance(ms: number): void;
}

export interface GooglePlaySetup {
  emu: GooglePlayEmulator;
  sa: TestServiceAccount;
  clock: Clock;
  usage: UsageLedger;
  logger: ReturnType<typeof memoryLogger>;
  cfg: GooglePlayConfig;
  connect(overrides?: Partial<GooglePlayConfig>, account?: TestServiceAccount): GooglePlayConnector;
  connector: GooglePlayConnector;
  /** Requests to the service (not the inspection API), as `METHOD path status`. */
  log(): string[];
}

export async function startGooglePlay(
  emuOpts: Partial<GooglePlayEmulatorOptions> = {},
  cfgInput: Partial<GooglePlayConfig> = {},
): Promise<GooglePlaySetup> {
  const clock: Clock = {
    now: Date.now(),
    advance(ms) {
      this.now += ms;
    },
  };
  const emu = new GooglePlayEmulator({ serviceAccounts: [], now: () => clock.now, ...emuOpts });
  await emu.start();
  afterEach(() => emu.stop());
  const sa = makeServiceAccount(emu.tokenUri);
  emu.addServiceAccount(sa.clientEmail, sa.publicKeyPem);
  const usage = memoryUsageLedger();
  const logger = memoryLogger();
  const cfg = googlePlaySchema.parse({ baseUrl: emu.baseUrl, ...cfgInput });
  const connect = (overrides: Partial<GooglePlayConfig> = {}, account: TestServiceAccount = sa): GooglePlayConnector =>
    createGooglePlayConnector(
      { ...cfg, ...overrides },
      { serviceAccount: account.account },
      { logger, usage, now: () => clock.now, wait: async () => {}, backoffBaseMs: 1, timeoutMs: 5_000 },
    );
  return {
    emu,
    sa,
    clock,
    usage,
    logger,
    cfg,
    connect,
    connector: connect(),
    log: () => emu.server.serviceRequests().map((r) => `${r.method} ${r.path} ${r.status}`),
  };
}

export async function collect<T>(it: AsyncIterable<T[]>): Promise<T[][]> {
  const pages: T[][] = [];
  for await (const page of it) pages.push(page);
  return pages;
}
