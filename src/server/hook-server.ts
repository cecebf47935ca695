/**
 * The webhook listener (node:http). It only verifies, reads a bounded body and records:
 * the answer must go back to Omnidesk in milliseconds, whatever the stores are doing.
 *   POST /omnidesk/webhook/<secret>   (or ?secret=…)  → 200 {"status":"ok"}
 *   GET  /healthz                                     → 200 {"ok":true,…}
 * Anything without the right secret is a plain 404, so the route does not reveal itself.
 * It stays up under hostile clients: header and request timeouts are checked every half
 * second (Node's default check runs every 30 s), connections are capped below the descriptor
 * limit, and no database wait blocks the event loop (see routes/omnidesk.ts).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { WebhookMetrics, WebhookRejection } from '../metrics/types.js';
import { isBusy } from '../state/retry-busy.js';
import { guardConnections } from './connection-guard.js';
import { listen } from './listen.js';
import { handleOmnideskWebhook, type WebhookCounters, type WebhookSink } from './routes/omnidesk.js';
import { maskedTarget, matchWebhookPath, secretMatches } from './verify.js';

export interface HookServerOptions {
  host: string;
  port: number;
  secret: string;
  maxBodyBytes: number;
  logger: Logger;
  sink: WebhookSink;
  /** Called after a new reply was recorded (the caller schedules publishing). */
  onRecorded: () => void;
  /** Extra fields for /healthz (pending counts). */
  health: () => Promise<Record<string, unknown>>;
  /** Longest wait for in-flight requests on close before their sockets are cut. */
  closeTimeoutMs?: number | undefined;
  /** A client must send all headers within this (default 5 s), the whole request within requestTimeoutMs (15 s). */
  headersTimeoutMs?: number | undefined;
  requestTimeoutMs?: number | undefined;
  /** How often those timeouts are checked (default 500 ms). */
  timeoutCheckMs?: number | undefined;
  /** Open connections at most (default: below the descriptor limit); see connection-guard.ts. */
  maxConnections?: number | undefined;
  /** Asynchronous wait for a write lock held by another process before answering 503 (default 8 s). */
  lockWaitMs?: number | undefined;
  /** Counts webhooks received and refused (serve-hook --metrics-port). */
  metrics?: WebhookMetrics | undefined;
}

/** Descriptors kept free for the database, logs and outgoing requests. */
const reservedDescriptors = 128;

/** The connection cap: below the soft descriptor limit (Linux: /proc/self/limits), at most 4096. */
export function defaultMaxConnections(limitsText?: string): number {
  let text = limitsText;
  try {
    text ??= readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return 1000;
  }
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(text)?.[1];
  if (soft === undefined) return 1000;
  if (soft === 'unlimited') return 4096;
  return Math.max(16, Math.min(4096, Number(soft) - reservedDescriptors));
}

export interface HookServer {
  /** `http://host:port`, without any path or secret. */
  readonly url: string;
  readonly port: number;
  /** Connections open now. */
  openConnections(): number;
  /** Stops accepting, lets in-flight requests finish, then resolves. */
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

export async function startHookServer(opts: HookServerOptions): Promise<HookServer> {
  let closing = false;
  const counters: WebhookCounters = { refused: 0, busy: 0 };
  const headersTimeout = opts.headersTimeoutMs ?? 5_000;
  const server = createServer(
    {
      headersTimeout,
      requestTimeout: Math.max(headersTimeout, opts.requestTimeoutMs ?? 15_000),
      connectionsCheckingInterval: opts.timeoutCheckMs ?? 500,
    },
    (req, res) => {
      const started = performance.now();
      res.on('finish', () => {
        const meta = {
          method: req.method,
          path: maskedTarget(req.url ?? '/'),
          status: res.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
        };
        if (req.url === '/healthz') opts.logger.debug('http', meta);
        else opts.logger.info('http', meta);
        // A keep-alive socket becomes idle just after `finish`; close it so close() can end.
        if (closing) setImmediate(() => server.closeIdleConnections());
      });
      if (closing) res.setHeader('connection', 'close');
      handle(req, res, opts, counters).catch((err: unknown) => {
        opts.logger.error('request failed', { error: err instanceof Error ? err.message : String(err) });
        if (!res.headersSent) send(res, 500, { status: 'error', error: 'internal error' });
      });
    },
  );
  const connections = guardConnections(server, opts.maxConnections ?? defaultMaxConnections(), opts.logger);

  const { url, port } = await listen(server, opts.port, opts.host);

  return {
    url,
    port,
    openConnections: () => connections.open(),
    close: () => {
      closing = true;
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), opts.closeTimeoutMs ?? 10_000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  opts: HookServerOptions,
  counters: WebhookCounters,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://listener.local');
  if (url.pathname === '/healthz') {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, { error: 'method not allowed' }, { allow: 'GET' });
    let counts: Record<string, unknown>;
    try {
      counts = await opts.health();
    } catch (err) {
      // The listener is up even when the state cannot be read this instant (locked, being checkpointed).
      if (!isBusy(err)) throw err;
      counts = { stateBusy: true };
    }
    const setAside =
      counters.refused + counters.busy > 0 ? { refusedWebhooks: counters.refused, busyWebhooks: counters.busy } : {};
    return send(res, 200, { ok: true, ...counts, ...setAside });
  }
  const target = matchWebhookPath(url);
  const metrics = opts.metrics;
  if (!target || !secretMatches(target.secret, opts.secret)) {
    metrics?.rejected(target ? 'secret' : 'not-found');
    // Unread bodies of strangers are not worth reading: close the connection instead.
    return send(res, 404, { error: 'not found' }, { connection: 'close' });
  }
  if (req.method === 'GET' || req.method === 'HEAD') return send(res, 200, { status: 'ready' });
  if (req.method !== 'POST') {
    metrics?.rejected('method');
    return send(res, 405, { error: 'method not allowed' }, { allow: 'POST', connection: 'close' });
  }
  metrics?.received();

  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > opts.maxBodyBytes) return tooLarge(req, res, opts);
  let body: string;
  try {
    body = await readBody(req, opts.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) return tooLarge(req, res, opts);
    throw err;
  }
  const result = await handleOmnideskWebhook(String(req.headers['content-type'] ?? ''), body, {
    sink: opts.sink,
    logger: opts.logger,
    onRecorded: opts.onRecorded,
    lockWaitMs: opts.lockWaitMs ?? 8_000,
    counters,
  });
  if (result.status >= 400) metrics?.rejected(rejection(result.status));
  send(res, result.status, result.json, result.headers);
}

function rejection(status: number): WebhookRejection {
  if (status === 400) return 'invalid';
  if (status === 503) return 'busy';
  return 'error';
}

/** Answers 413 without reading the rest, then drops the connection. */
function tooLarge(req: IncomingMessage, res: ServerResponse, opts: HookServerOptions): void {
  const max = opts.maxBodyBytes;
  opts.metrics?.rejected('too-large');
  req.pause();
  res.on('finish', () => req.socket.destroy());
  send(res, 413, { status: 'error', error: `body larger than ${max} bytes` }, { connection: 'close' });
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  json: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(json);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}
