/**
 * A loopback HTTP server with a route table, a request log, and fault injection. Each emulator
 * (Omnidesk, the stores, the public sources) is a route table on top of this, so they all
 * share the same inspection API and fault switches:
 *   GET  /__emulator/requests          the request log (method, path, status, time)
 *   POST /__emulator/faults            {"rate":0.2,"kinds":["500","drop"],"seed":1} or {"next":["429","500"]}
 *   DELETE /__emulator/faults          clear faults
 *   DELETE /__emulator/requests        clear the log
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

export const faultKinds = ['500', '502', '503', '429', 'slow', 'drop', 'malformed', 'timeout'] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface EmuRequest {
  method: string;
  path: string;
  url: URL;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  bodyText: string;
  /** Parsed JSON body, when the body is JSON. */
  json: unknown;
  /** Parsed form body (`application/x-www-form-urlencoded`). */
  form: URLSearchParams | undefined;
  params: Record<string, string>;
}

export interface EmuResponse {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export type Handler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>;
/** Changes the service's answer after its route made it (a store gone wrong: endless paging, bad records). */
export type ResponseRewrite = (req: EmuRequest, res: EmuResponse) => EmuResponse;

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
  fault?: FaultKind | undefined;
  at: number;
  /** Body as received, for tests that check what a client sent. */
  body: string;
}

interface Route {
  method: string;
  regex: RegExp;
  keys: string[];
  handler: Handler;
}

const faultsBody = z.object({
  rate: z.number().min(0).max(1).optional(),
  kinds: z.array(z.enum(faultKinds)).optional(),
  next: z.array(z.enum(faultKinds)).optional(),
  seed: z.number().int().optional(),
  slowMs: z.number().int().min(0).optional(),
  /** Only requests whose path starts with this are faulted (e.g. skip the token endpoint). */
  pathPrefix: z.string().optional(),
});
export type FaultSettings = z.input<typeof faultsBody>;

/** Small deterministic PRNG so that a chaos run can be replayed from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface EmulatorOptions {
  name: string;
  /** How this service answers a 429 injected as a fault (its own body and headers). */
  rateLimitedResponse?: () => EmuResponse;
  /** How this service answers a 5xx injected as a fault. */
  serverErrorResponse?: (status: number) => EmuResponse;
  maxBodyBytes?: number;
}

export class EmulatorServer {
  readonly name: string;
  readonly requests: LoggedRequest[] = [];
  private readonly routes: Route[] = [];
  private server: Server | undefined;
  private faultRate = 0;
  private faultKindsEnabled: FaultKind[] = [];
  private faultQueue: FaultKind[] = [];
  private faultPathPrefix: string | undefined;
  private slowMs = 2_000;
  /** Added to every service answer (not the `/__emulator` routes): a far-away service, for benchmarks. */
  private latencyMs = 0;
  /** Requests under this path wait here until `release()`: a run frozen midway, for tests. */
  private held: { pathPrefix: string; waiting: (() => void)[] } | undefined;
  private random: () => number = mulberry32(1);
  private rewrite: ResponseRewrite | undefined;
  private readonly opts: EmulatorOptions;
  baseUrl = '';

  constructor(opts: EmulatorOptions) {
    this.opts = opts;
    this.name = opts.name;
    this.route('GET', '/__emulator/requests', () => ({ status: 200, json: { requests: this.requests } }));
    this.route('DELETE', '/__emulator/requests', () => {
      this.requests.length = 0;
      return { status: 204 };
    });
    this.route('POST', '/__emulator/faults', (req) => {
      const parsed = faultsBody.safeParse(req.json);
      if (!parsed.success) return { status: 400, json: { error: parsed.error.issues[0]?.message } };
      this.setFaults(parsed.data);
      return { status: 200, json: { ok: true } };
    });
    this.route('DELETE', '/__emulator/faults', () => {
      this.clearFaults();
      return { status: 204 };
    });
  }

  /**
   * Rewrites the JSON of every successful answer (a copy) before it is sent: tests corrupt one
   * record the way a real service might. `undefined` stops rewriting.
   */
  rewriteJson(fn: ((path: string, json: unknown) => unknown) | undefined): void {
    this.rewriteResponses(
      fn &&
        ((req, res) =>
          res.status < 300 && res.json !== undefined ? { ...res, json: fn(req.path, structuredClone(res.json)) } : res),
    );
  }

  /** `pattern` like `/api/cases/:caseId/messages.json`; params are URL-decoded. */
  route(method: string, pattern: string, handler: Handler): this {
    const keys: string[] = [];
    const source = pattern
      .split('/')
      .map((part) =>
        part.replace(
          /:([A-Za-z_]+)|([.*+?^${}()|[\]\\])/g,
          (_m, key: string | undefined, special: string | undefined) => {
            if (key) {
              keys.push(key);
              return '([^/]+?)';
            }
            return `\\${special}`;
          },
        ),
      )
      .join('/');
    this.routes.push({ method, regex: new RegExp(`^${source}$`), keys, handler });
    return this;
  }

  setFaults(settings: FaultSettings): void {
    if (settings.rate !== undefined) this.faultRate = settings.rate;
    if (settings.kinds) this.faultKindsEnabled = [...settings.kinds];
    if (settings.next) this.faultQueue.push(...settings.next);
    if (settings.seed !== undefined) this.random = mulberry32(settings.seed);
    if (settings.slowMs !== undefined) this.slowMs = settings.slowMs;
    if (settings.pathPrefix !== undefined) this.faultPathPrefix = settings.pathPrefix;
  }

  /** Every later answer of the service passes through `fn`; undefined removes it. */
  rewriteResponses(fn: ResponseRewrite | undefined): void {
    this.rewrite = fn;
  }

  /** Every later service request waits this long before it is answered (0: none). */
  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  /** From now on, requests under `pathPrefix` get no answer until `release()`. */
  hold(pathPrefix: string): void {
    this.held = { pathPrefix, waiting: [] };
  }

  /** Requests waiting in `hold` right now. */
  heldCount(): number {
    return this.held?.waiting.length ?? 0;
  }

  /** Answers every held request and stops holding. */
  release(): void {
    const waiting = this.held?.waiting ?? [];
    this.held = undefined;
    for (const go of waiting) go();
  }

  clearFaults(): void {
    this.faultRate = 0;
    this.faultKindsEnabled = [];
    this.faultQueue = [];
    this.faultPathPrefix = undefined;
  }

  /** Requests to the service itself (not the inspection API). */
  serviceRequests(): LoggedRequest[] {
    return this.requests.filter((r) => !r.path.startsWith('/__emulator'));
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    // Keep-alive as long as a real front end keeps it: undici drops a connection whose hint is
    // under its 2 s threshold, which made every request a new connection. `stop()` closes
    // idle and killed clients' sockets itself.
    this.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${addr.port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private pickFault(path: string): FaultKind | undefined {
    if (path.startsWith('/__emulator')) return undefined;
    if (this.faultPathPrefix && !path.startsWith(this.faultPathPrefix)) return undefined;
    if (this.faultQueue.length > 0) return this.faultQueue.shift();
    if (this.faultRate > 0 && this.faultKindsEnabled.length > 0 && this.random() < this.faultRate) {
      return this.faultKindsEnabled[Math.floor(this.random() * this.faultKindsEnabled.length)];
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    const method = req.method ?? 'GET';
    let bodyText = '';
    try {
      bodyText = await readBody(req, this.opts.maxBodyBytes ?? 10 * 1024 * 1024);
    } catch {
      this.send(res, { status: 413, text: 'body too large' });
      return;
    }
    const entry: LoggedRequest = {
      method,
      path: url.pathname,
      query: url.search,
      status: 0,
      at: Date.now(),
      body: bodyText,
    };
    this.requests.push(entry);
    const held = this.held;
    if (held && url.pathname.startsWith(held.pathPrefix)) await new Promise<void>((go) => held.waiting.push(go));

    if (this.latencyMs > 0 && !url.pathname.startsWith('/__emulator/'))
      await new Promise((r) => setTimeout(r, this.latencyMs));

    const fault = this.pickFault(url.pathname);
    entry.fault = fault;
    if (fault === 'drop') {
      entry.status = -1;
      req.socket.destroy();
      return;
    }
    if (fault === 'timeout') {
      // Never answer; the client's timeout has to fire.
      entry.status = -1;
      return;
    }
    if (fault === 'slow') await new Promise((r) => setTimeout(r, this.slowMs));
    if (fault === '429') {
      const r = this.opts.rateLimitedResponse?.() ?? {
        status: 429,
        json: { error: 'rate limited' },
        headers: { 'retry-after': '1' },
      };
      entry.status = r.status;
      this.send(res, r);
      return;
    }
    if (fault === '500' || fault === '502' || fault === '503') {
      const status = Number(fault);
      const r = this.opts.serverErrorResponse?.(status) ?? { status, json: { error: 'internal error' } };
      entry.status = r.status;
      this.send(res, r);
      return;
    }

    const contentType = String(req.headers['content-type'] ?? '');
    let json: unknown;
    let form: URLSearchParams | undefined;
    if (bodyText && contentType.includes('json')) {
      try {
        json = JSON.parse(bodyText);
      } catch {
        json = undefined;
      }
    } else if (bodyText && contentType.includes('x-www-form-urlencoded')) {
      form = new URLSearchParams(bodyText);
    }

    let response: EmuResponse = { status: 404, json: { error: 'not_found' } };
    let methodMismatch = false;
    for (const route of this.routes) {
      const m = route.regex.exec(url.pathname);
      if (!m) continue;
      if (route.method !== method) {
        methodMismatch = true;
        continue;
      }
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1] ?? '')));
      try {
        const emuReq: EmuRequest = {
          method,
          path: url.pathname,
          url,
          query: url.searchParams,
          headers: req.headers,
          bodyText,
          json,
          form,
          params,
        };
        response = await route.handler(emuReq);
        if (this.rewrite && !url.pathname.startsWith('/__emulator')) response = this.rewrite(emuReq, response);
      } catch (err) {
        response = { status: 500, json: { error: 'emulator_error', message: (err as Error).message } };
      }
      methodMismatch = false;
      break;
    }
    if (methodMismatch) response = { status: 405, json: { error: 'method_not_allowed' } };
    if (fault === 'malformed' && response.status < 300) {
      response = {
        status: response.status,
        text: '{"data": [{"truncated',
        headers: { 'content-type': 'application/json', ...response.headers },
      };
    }
    entry.status = response.status;
    this.send(res, response);
  }

  private send(res: ServerResponse, r: EmuResponse): void {
    if (res.destroyed) return;
    const headers: Record<string, string> = { ...r.headers };
    let body = '';
    if (r.json !== undefined) {
      body = JSON.stringify(r.json);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    } else if (r.text !== undefined) {
      body = r.text;
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    }
    res.writeHead(r.status, headers);
    res.end(body);
  }
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Error('too large'));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The Authorization Basic pair, or undefined. */
export function basicAuth(req: EmuRequest): { user: string; password: string } | undefined {
  const h = req.headers.authorization;
  if (!h?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? undefined : { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

export function bearer(req: EmuRequest): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7) : undefined;
}

/** What every service emulator exposes besides its own test API. */
export abstract class ServiceEmulator {
  abstract readonly server: EmulatorServer;

  get baseUrl(): string {
    return this.server.baseUrl;
  }

  start(port = 0): Promise<string> {
    return this.server.start(port);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}
