/**
 * The one HTTP client every connector uses (undici): timeouts, retries with backoff and
 * jitter, rate-limit policies, a concurrency limit per host, JSON checked with zod, and
 * typed RemoteErrors whose messages never carry a secret (headers are never quoted).
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { request as undiciRequest, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { RemoteError, type RemoteErrorKind } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ConnectorDeps } from '../deps.js';
import { backoffDelay, sleep } from '../../util/sleep.js';
import { retryAfterOnly, type HeaderBag, type RateLimitPolicy } from './rate-limit.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface ErrorDescription {
  kind?: RemoteErrorKind;
  code?: string | undefined;
  message?: string | undefined;
  hint?: string | undefined;
  /** Wait the service asked for in its error body (Omnidesk's `retry_after`), when headers do not say. */
  retryAfterMs?: number | undefined;
}

export interface HttpClientOptions {
  /** Human name used in errors: "Omnidesk", "App Store Connect". */
  service: string;
  baseUrl: string;
  dispatcher?: Dispatcher | undefined;
  timeoutMs?: number | undefined;
  /** Attempts after the first, for retryable failures. */
  retries?: number | undefined;
  backoffBaseMs?: number | undefined;
  backoffMaxMs?: number | undefined;
  /** Requests in flight per host. */
  concurrency?: number | undefined;
  rateLimit?: RateLimitPolicy | undefined;
  /** Auth headers for each attempt (tokens are fetched or refreshed here). */
  auth?: (() => Promise<Record<string, string>>) | undefined;
  /** Called on 401 before one more try with fresh auth. */
  onUnauthorized?: (() => void) | undefined;
  /** Service-specific reading of an error body (codes, messages, permission vs quota). */
  describeError?: ((status: number, body: unknown, headers: HeaderBag) => ErrorDescription) | undefined;
  logger?: Logger | undefined;
  wait?: ((ms: number) => Promise<void>) | undefined;
}

export interface RequestOptions<S extends z.ZodType> {
  method?: HttpMethod;
  /** Path joined to baseUrl, or an absolute URL (e.g. `links.next`). */
  path: string;
  query?: Record<string, string | number | boolean | readonly (string | number)[] | undefined>;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  schema: S;
  /**
   * Whether sending twice is harmless. Non-idempotent requests are retried only when the
   * service certainly did not act (429, connection refused); otherwise the caller reconciles.
   */
  idempotent?: boolean;
  /** Rate-limit cost (Omnidesk counts writes double). */
  cost?: number;
  /** Skip auth (token endpoints). */
  anonymous?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse<T> {
  status: number;
  headers: HeaderBag;
  data: T;
}

const hostLimits = new Map<string, LimitFunction>();

function limitFor(host: string, concurrency: number): LimitFunction {
  const key = `${host}#${concurrency}`;
  let limit = hostLimits.get(key);
  if (!limit) {
    limit = pLimit(concurrency);
    hostLimits.set(key, limit);
  }
  return limit;
}

function defaultKind(status: number): RemoteErrorKind {
  if (status === 401) return 'auth';
  if (status === 403) return 'permission';
  if (status === 404) return 'not-found';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'transient';
  return 'rejected';
}

/** Network failures where the request surely never reached the service. */
const notSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function formatZodPath(issue: z.core.$ZodIssue): string {
  return (
    issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '') || '(body)'
  );
}

/** The transport settings every connector takes from its deps, in one place. */
export function transportFrom(
  deps: ConnectorDeps,
): Pick<HttpClientOptions, 'dispatcher' | 'timeoutMs' | 'backoffBaseMs' | 'logger' | 'wait'> {
  return {
    dispatcher: deps.dispatcher,
    timeoutMs: deps.timeoutMs,
    backoffBaseMs: deps.backoffBaseMs,
    logger: deps.logger,
    wait: deps.wait,
  };
}

export class HttpClient {
  readonly service: string;
  private readonly opts: HttpClientOptions;
  private readonly rate: RateLimitPolicy;
  private readonly wait: (ms: number) => Promise<void>;
  /** Requests sent, for reports and benchmarks. */
  requestCount = 0;

  constructor(opts: HttpClientOptions) {
    this.opts = opts;
    this.service = opts.service;
    this.wait = opts.wait ?? ((ms) => sleep(ms));
    this.rate = opts.rateLimit ?? retryAfterOnly(this.wait);
  }

  get rateLimit(): RateLimitPolicy {
    return this.rate;
  }

  url(path: string, query?: RequestOptions<z.ZodType>['query']): URL {
    const url = /^https?:\/\//.test(path)
      ? new URL(path)
      : new URL(this.opts.baseUrl.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`));
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      url.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
    return url;
  }

  async request<S extends z.ZodType>(req: RequestOptions<S>): Promise<HttpResponse<z.infer<S>>> {
    const method = req.method ?? 'GET';
    const idempotent = req.idempotent ?? method !== 'POST';
    const retries = this.opts.retries ?? 4;
    const url = this.url(req.path, req.query);
    const limit = limitFor(url.host, this.opts.concurrency ?? 4);
    let refreshedAuth = false;

    for (let attempt = 0; ; attempt++) {
      let delay: number | undefined;
      try {
        return await limit(() => this.once(method, url, req));
      } catch (err) {
        if (!(err instanceof RemoteError)) throw err;
        if (err.kind === 'auth' && !refreshedAuth && this.opts.onUnauthorized && !req.anonymous) {
          refreshedAuth = true;
          this.opts.onUnauthorized();
          attempt--; // a token refresh is not a retry
          continue;
        }
        const safeToRepeat = idempotent || err.kind === 'rate-limited' || err.code === 'NOT_SENT';
        if (!err.retryable || !safeToRepeat || attempt >= retries) throw err;
        delay =
          err.retryAfterMs ?? backoffDelay(attempt, this.opts.backoffBaseMs ?? 500, this.opts.backoffMaxMs ?? 30_000);
        this.opts.logger?.debug('retrying request', {
          service: this.service,
          method,
          path: url.pathname,
          attempt: attempt + 1,
          delayMs: delay,
          reason: err.message,
        });
      }
      await this.wait(delay);
    }
  }

  private async once<S extends z.ZodType>(
    method: HttpMethod,
    url: URL,
    req: RequestOptions<S>,
  ): Promise<HttpResponse<z.infer<S>>> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': 'asodesk-omni',
      ...req.headers,
    };
    let body: string | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    } else if (req.form) {
      body = new URLSearchParams(req.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    // From here the request is in flight for the budget until its answer (or its failure);
    // auth comes after the wait, so a token is not stale when the request goes.
    const cost = req.cost ?? 1;
    await this.rate.acquire(cost);
    if (!req.anonymous && this.opts.auth) {
      try {
        Object.assign(headers, await this.opts.auth());
      } catch (err) {
        this.rate.abandon?.(cost, false);
        throw err;
      }
    }
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 30_000);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;

    let status: number;
    let resHeaders: HeaderBag;
    let text: string;
    this.requestCount++;
    try {
      const res = await undiciRequest(url, { method, headers, body, signal, dispatcher: this.opts.dispatcher });
      status = res.statusCode;
      resHeaders = res.headers;
      text = await res.body.text();
    } catch (err) {
      this.rate.abandon?.(cost);
      if (req.signal?.aborted) throw err;
      const code = errorCode(err);
      const timedOut = timeout.aborted;
      throw new RemoteError({
        kind: 'transient',
        service: this.service,
        code: code && notSentCodes.has(code) ? 'NOT_SENT' : timedOut ? 'TIMEOUT' : code,
        message: `${this.service}: ${timedOut ? `no answer within ${this.opts.timeoutMs ?? 30_000} ms` : `network error (${code ?? (err as Error).message})`} on ${method} ${url.pathname}`,
        cause: err,
      });
    }
    this.rate.observe(status, resHeaders, cost);

    let parsed: unknown;
    const isJson = text.length > 0;
    if (isJson) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }

    if (status >= 400) throw this.errorFor(status, parsed ?? text, resHeaders, method, url);
    if (isJson && parsed === undefined) {
      throw new RemoteError({
        kind: 'bad-payload',
        service: this.service,
        status,
        message: `${this.service}: the answer to ${method} ${url.pathname} is not JSON`,
      });
    }
    const result = req.schema.safeParse(parsed ?? {});
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new RemoteError({
        kind: 'bad-payload',
        service: this.service,
        status,
        message: `${this.service}: unexpected answer to ${method} ${url.pathname}: field "${formatZodPath(issue)}" ${issue.message}`,
      });
    }
    return { status, headers: resHeaders, data: result.data as z.infer<S> };
  }

  private errorFor(status: number, body: unknown, headers: HeaderBag, method: string, url: URL): RemoteError {
    const described = this.opts.describeError?.(status, body, headers) ?? {};
    const kind = described.kind ?? defaultKind(status);
    const detail =
      described.message ?? (typeof body === 'string' && body.length > 0 && body.length < 200 ? body : `HTTP ${status}`);
    return new RemoteError({
      kind,
      service: this.service,
      status,
      code: described.code,
      retryAfterMs:
        status === 429 || kind === 'rate-limited'
          ? (this.rate.retryAfterMs(headers) ?? described.retryAfterMs)
          : undefined,
      message: `${this.service}: ${detail} (HTTP ${status} on ${method} ${url.pathname})`,
      hint: described.hint,
    });
  }
}
