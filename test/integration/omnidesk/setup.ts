import { afterEach, expect } from 'vitest';
import type { OmnideskConfig } from '../../../src/config/schema.js';
import type { ConnectorDeps } from '../../../src/connectors/deps.js';
import { createOmnidesk, type OmnideskOptions } from '../../../src/connectors/helpdesk/omnidesk/index.js';
import type { CaseDraft } from '../../../src/connectors/helpdesk/types.js';
import { OmnideskEmulator, type OmnideskEmulatorOptions } from '../../../src/emulators/omnidesk.js';
import { RemoteError } from '../../../src/errors.js';
import { memoryLogger } from '../../../src/log.js';
import { sleep } from '../../../src/util/sleep.js';

export const staffEmail = 'admin@example.test';
export const apiKey = 'omni-test-key-0001';

const running: OmnideskEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
});

export async function startEmulator(opts: OmnideskEmulatorOptions = {}): Promise<OmnideskEmulator> {
  const emu = new OmnideskEmulator(opts);
  running.push(emu);
  await emu.start();
  return emu;
}

export interface Setup {
  cfg?: Partial<OmnideskConfig>;
  emulator?: OmnideskEmulatorOptions;
  connector?: OmnideskOptions;
  deps?: Partial<ConnectorDeps>;
}

/** An emulator and a connector pointed at it; waits are real but recorded (retries are fast). */
export async function startOmnidesk(setup: Setup = {}) {
  const emu = await startEmulator(setup.emulator);
  const waits: number[] = [];
  const logger = memoryLogger();
  const cfg: OmnideskConfig = {
    subdomain: 'acme',
    baseUrl: emu.baseUrl,
    staffEmail,
    apiKey,
    channel: 'cch1',
    caseFieldId: 1,
    ...setup.cfg,
  };
  const deps: ConnectorDeps = {
    logger,
    backoffBaseMs: 1,
    timeoutMs: 2_000,
    wait: async (ms) => {
      waits.push(ms);
      await sleep(Math.min(ms, 3_000));
    },
    ...setup.deps,
  };
  const helpdesk = createOmnidesk(cfg, deps, setup.connector);
  return { emu, helpdesk, waits, logger, cfg, deps };
}

export function draft(userCustomId: string, over: Partial<CaseDraft> = {}): CaseDraft {
  return {
    userCustomId,
    userFullName: 'Ann Reviewer',
    subject: '★2 Google Play review',
    content: 'The app crashes on start',
    contentHtml: '<p>The app crashes on start</p>',
    labelIds: [],
    ...over,
  };
}

export async function remoteError(p: Promise<unknown>): Promise<RemoteError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RemoteError);
  return err as RemoteError;
}

/** Service requests as "METHOD path" lines (query left out). */
export function calls(emu: OmnideskEmulator): string[] {
  return emu.server.serviceRequests().map((r) => `${r.method} ${r.path}`);
}
