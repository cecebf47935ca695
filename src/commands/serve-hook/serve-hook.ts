/**
 * `serve-hook`: the webhook listener plus a publishing loop. A recorded reply triggers a
 * debounced flush; a timer retries failed ones and reads back pending answers. On SIGTERM or
 * SIGINT it stops accepting, lets in-flight requests and the running flush end, closes the db.
 */
import { loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { ReplyPublisher } from '../../engine/reply-publisher.js';
import type { Services } from '../../engine/services.js';
import { ConfigError, errorMessage, ExitCode, UserError, type ExitCodeValue } from '../../errors.js';
import type { Logger } from '../../log.js';
import { startHookServer, type HookServer } from '../../server/hook-server.js';
import { openDb, type Db } from '../../state/db.js';
import { sqliteUsageLedger } from '../../state/usage.js';
import type { CommandContext } from '../context.js';
import type { ServeHookOptions } from './index.js';

export async function serveHookCommand(ctx: CommandContext, opts: ServeHookOptions): Promise<ExitCodeValue> {
  const config = loadConfig(ctx.location, ctx.env);
  if (!config.webhook.secret) {
    throw new ConfigError(
      'No webhook secret is configured, so serve-hook cannot tell Omnidesk from anyone else.',
      [{ path: 'webhook.secret', message: 'not set' }],
      'Run `asodesk-omni init` (step "Webhook") or set ASODESK_OMNI_WEBHOOK_SECRET.',
    );
  }
  const host = opts.host ?? config.webhook.host;
  const port = opts.port === undefined ? config.webhook.port : parsePort(opts.port);

  const db = openDb(ctx.location.dbPath);
  let services: (Services & { close(): Promise<void> }) | undefined;
  try {
    // Loaded here, not at the top: the loop below is used by tests and the bench without connectors.
    const { buildServices } = await import('../../engine/wiring.js');
    services = buildServices(config, ctx.location, ctx.logger, { usage: sqliteUsageLedger(db) });
    const running = await startServeHook({ db, config, services, logger: ctx.logger, host, port }).catch((err: unknown) => {
      throw listenError(err, host, port);
    });
    ctx.out(`Listening on ${running.server.url}/omnidesk/webhook/*** (*** = webhook.secret)`);
    if (config.webhook.publicUrl) ctx.out(`Omnidesk custom channel webhook URL: ${config.webhook.publicUrl.replace(/\/+$/, '')}/omnidesk/webhook/<secret>`);
    const signal = await nextSignal();
    ctx.logger.info('shutting down', { signal });
    await running.stop();
    return ExitCode.ok;
  } finally {
    await services?.close();
    db.close();
  }
}

function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new UserError(`Cannot listen on ${host}:${port}: the port is in use.`, ExitCode.unexpected, 'Stop the other process or pick another port with --port (or webhook.port).');
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') return new UserError(`Cannot listen on ${host}:${port} (${code}).`, ExitCode.unexpected, 'Use a port above 1024 and an address of this machine (--host, webhook.host).');
  return err;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UserError(`--port must be a number from 0 to 65535, not "${value}"`, ExitCode.usage);
  return n;
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

export interface ServeHookDeps {
  db: Db;
  config: Config;
  services: Services;
  logger: Logger;
  host: string;
  port: number;
  publisher?: ReplyPublisher | undefined;
  /** Wait after a recorded reply before flushing, so a burst is published in one pass. */
  debounceMs?: number | undefined;
  /** How often due retries are flushed. */
  retryIntervalMs?: number | undefined;
  /** How often pending App Store / RuStore answers are read back. */
  readBackIntervalMs?: number | undefined;
}

export interface RunningServeHook {
  server: HookServer;
  publisher: ReplyPublisher;
  loop: PublishLoop;
  /** Graceful stop: no new requests, in-flight ones answered, the current flush finished. */
  stop(): Promise<void>;
}

/** Starts the listener and the publishing loop; the caller owns db and services. */
export async function startServeHook(deps: ServeHookDeps): Promise<RunningServeHook> {
  const secret = deps.config.webhook.secret;
  if (!secret) throw new ConfigError('No webhook secret is configured.');
  const publisher = deps.publisher ?? new ReplyPublisher({ db: deps.db, config: deps.config, services: deps.services, logger: deps.logger });
  const loop = new PublishLoop(publisher, deps.logger, deps.debounceMs ?? 200);
  const server = await startHookServer({
    host: deps.host,
    port: deps.port,
    secret,
    maxBodyBytes: deps.config.webhook.maxBodyBytes,
    logger: deps.logger,
    sink: publisher,
    onRecorded: () => loop.kick(),
    health: () => {
      const c = publisher.outbox.counts();
      return { pending: c.pending + c.sending, awaiting: c.awaiting, failed: c.failed };
    },
  });
  // Replies recorded before a restart (or by a killed listener) go out now.
  loop.enqueueFlush();
  loop.enqueueReadBack();
  loop.every(deps.retryIntervalMs ?? 30_000, () => loop.enqueueFlush());
  loop.every(deps.readBackIntervalMs ?? 10 * 60_000, () => loop.enqueueReadBack());
  return {
    server,
    publisher,
    loop,
    stop: async () => {
      await server.close();
      await loop.stop();
    },
  };
}

/**
 * Runs flushes and read-backs one at a time. Kicks during a flush queue one more flush
 * (never more than one waiting), so a burst of webhooks costs a couple of passes.
 */
export class PublishLoop {
  private chain: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private debounce: NodeJS.Timeout | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly publisher: ReplyPublisher,
    private readonly logger: Logger,
    private readonly debounceMs: number,
  ) {}

  kick(): void {
    if (this.stopped || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.enqueueFlush();
    }, this.debounceMs);
  }

  enqueueFlush(): void {
    if (this.stopped || this.flushQueued) return;
    this.flushQueued = true;
    this.enqueue(async () => {
      this.flushQueued = false;
      const report = await this.publisher.flush();
      if (Object.values(report).some((n) => n > 0)) this.logger.info('replies flushed', { ...report });
    });
  }

  enqueueReadBack(): void {
    if (this.stopped) return;
    this.enqueue(async () => {
      const report = await this.publisher.readBack();
      if (report.checked > 0) this.logger.info('replies read back', { ...report });
    });
  }

  every(ms: number, task: () => void): void {
    const t = setInterval(task, ms);
    t.unref();
    this.timers.push(t);
  }

  /** Resolves when everything queued so far has run. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** No new work; the running task finishes, queued ones are left to the next run. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = undefined;
    for (const t of this.timers) clearInterval(t);
    await this.chain;
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      // Stopping: only the running task finishes; what is left stays in the outbox for the next run.
      if (this.stopped) return;
      try {
        await task();
      } catch (err) {
        this.logger.error('publishing replies failed', { error: errorMessage(err) });
      }
    });
  }
}
