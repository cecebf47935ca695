/**
 * The webhook listener plus its publishing loop, as `serve-hook`, the demo, the tests and the
 * benchmark run it. A recorded reply triggers a debounced flush; a timer retries failed ones
 * and reads back answers the stores publish later or moderate.
 */
import type { Config } from '../config/schema.js';
import { PublishLoop } from '../engine/publish-loop.js';
import { ReplyPublisher } from '../engine/reply-publisher.js';
import type { Services } from '../engine/services.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ReplyMetrics, WebhookMetrics } from '../metrics/types.js';
import type { StateDb } from '../state/handle.js';
import { preferAsyncLockWaits } from '../state/retry-busy.js';
import { startHookServer, type HookServer } from './hook-server.js';

export interface ServeHookDeps {
  db: StateDb;
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
  /** How often answers awaiting publication or moderation are read back. */
  readBackIntervalMs?: number | undefined;
  /** Live counters for /metrics (serve-hook --metrics-port). */
  metrics?: { webhooks: WebhookMetrics; replies: ReplyMetrics } | undefined;
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
  // A listener never waits synchronously on a lock another process holds: a short busy timeout,
  // then asynchronous retries (the webhook route, and the loop before each pass).
  preferAsyncLockWaits(deps.db);
  const publisher =
    deps.publisher ??
    new ReplyPublisher({
      db: deps.db,
      config: deps.config,
      services: deps.services,
      logger: deps.logger,
      metrics: deps.metrics?.replies,
    });
  const loop = new PublishLoop(publisher, deps.logger, deps.debounceMs ?? 200, deps.db);
  const hook = deps.config.webhook;
  const server = await startHookServer({
    host: deps.host,
    port: deps.port,
    secret,
    maxBodyBytes: hook.maxBodyBytes,
    maxConnections: hook.maxConnections,
    headersTimeoutMs: hook.headersTimeoutMs,
    requestTimeoutMs: hook.requestTimeoutMs,
    lockWaitMs: hook.lockWaitMs,
    logger: deps.logger,
    sink: publisher,
    metrics: deps.metrics?.webhooks,
    onRecorded: () => loop.kick(),
    health: async () => {
      const c = await publisher.outbox.counts();
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
