/**
 * The webhook listener (node:http). It only verifies, reads a bounded body and records:
 * the answer must go back to Omnidesk in milliseconds, whatever the stores are doing.
 *   POST /omnidesk/webhook/<secret>   (or ?secret=…)  → 200 {"status":"ok"}
 *   GET  /healthz                                     → 200 {"ok":true,…}
 * Anything without the right secret is a plain 404, so the route does not reveal itself.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { handleOmnideskWebhook, type WebhookSink } from './routes/omnidesk.js';
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
  health: () => Record<string, unknown>;
  /** Longest wait for in-flight requests on close before their sockets are cut. */
  closeTimeoutMs?: number | undefined;
}

export interface HookServer {
  /** `http://host:port`, without any path or secret. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish, then resolves. */
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

export async function startHookServer(opts: HookServerOptions): Promise<HookServer> {
  let closing = false;
  const server = createServer((req, res) => {
    const started = performance.now();
    res.on('finish', () => {
      const meta = { method: req.method, path: maskedTarget(req.url ?? '/'), status: res.statusCode, ms: Math.round((performance.now() - started) * 10) / 10 };
      if (req.url === '/healthz') opts.logger.debug('http', meta);
      else opts.logger.info('http', meta);
      // A keep-alive socket becomes idle just after `finish`; close it so close() can end.
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    if (closing) res.setHeader('connection', 'close');
    handle(req, res, opts).catch((err: unknown) => {
      opts.logger.error('request failed', { error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) send(res, 500, { status: 'error', error: 'internal error' });
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
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

async function handle(req: IncomingMessage, res: ServerResponse, opts: HookServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://listener.local');
  if (url.pathname === '/healthz') {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' }, { allow: 'GET' });
    return send(res, 200, { ok: true, ...opts.health() });
  }
  const target = matchWebhookPath(url);
  if (!target || !secretMatches(target.secret, opts.secret)) {
    // Unread bodies of strangers are not worth reading: close the connection instead.
    return send(res, 404, { error: 'not found' }, { connection: 'close' });
  }
  if (req.method === 'GET' || req.method === 'HEAD') return send(res, 200, { status: 'ready' });
  if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' }, { allow: 'POST', connection: 'close' });

  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > opts.maxBodyBytes) return tooLarge(req, res, opts.maxBodyBytes);
  let body: string;
  try {
    body = await readBody(req, opts.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) return tooLarge(req, res, opts.maxBodyBytes);
    throw err;
  }
  const result = handleOmnideskWebhook(String(req.headers['content-type'] ?? ''), body, opts.sink, opts.logger, opts.onRecorded);
  send(res, result.status, result.json);
}

/** Answers 413 without reading the rest, then drops the connection. */
function tooLarge(req: IncomingMessage, res: ServerResponse, max: number): void {
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

function send(res: ServerResponse, status: number, json: Record<string, unknown>, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(json);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}
