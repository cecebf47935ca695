/**
 * Rate-limit policies. Each service tells its budget differently (Omnidesk `api_calls_left`,
 * Apple `X-Rate-Limit`, Google nothing but 429/403); a policy learns from every response and
 * holds requests back *before* the budget runs out, instead of waiting for the 429.
 */
import { sleep } from '../../util/sleep.js';

export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

export function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export interface RateLimitPolicy {
  /** Resolves when a request of this cost may go. */
  acquire(cost: number): Promise<void>;
  /** Learn the remaining budget from any response. */
  observe(status: number, headers: HeaderBag): void;
  /** How long to wait after a 429, from the service's own headers, if it says. */
  retryAfterMs(headers: HeaderBag): number | undefined;
  /** Remaining budget as last seen, for `status` and reports. */
  snapshot(): { remaining?: number | undefined; limit?: number | undefined };
}

/** Standard `Retry-After` (seconds or HTTP date). */
export function retryAfterHeaderMs(headers: HeaderBag, now = Date.now()): number | undefined {
  const v = header(headers, 'retry-after');
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface BudgetOptions {
  windowMs: number;
  /** Reads the budget from headers; undefined when the response does not carry it. */
  read(headers: HeaderBag): { remaining: number; limit?: number | undefined } | undefined;
  retryAfter?(headers: HeaderBag): number | undefined;
  /** Units kept in reserve for other processes sharing the account (e.g. serve-hook). */
  reserve?: number;
  now?: () => number;
  wait?: (ms: number) => Promise<void>;
}

/**
 * A budget learnt from headers. When what is left would not cover the request (plus the
 * reserve), requests wait until the window has turned over.
 */
export class HeaderBudget implements RateLimitPolicy {
  private remaining: number | undefined;
  private limit: number | undefined;
  private seenAt = 0;
  private blockedUntil = 0;
  private readonly now: () => number;
  private readonly wait: (ms: number) => Promise<void>;

  constructor(private readonly opts: BudgetOptions) {
    this.now = opts.now ?? Date.now;
    this.wait = opts.wait ?? ((ms) => sleep(ms));
  }

  async acquire(cost: number): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now < this.blockedUntil) {
        const until = this.blockedUntil;
        await this.wait(until - now);
        // Waited out (even on a clock that tests do not advance): the window has turned over.
        if (this.blockedUntil === until) {
          this.blockedUntil = 0;
          this.remaining = undefined;
        }
        continue;
      }
      // A window that has turned over since we last heard from the service is full again.
      if (this.remaining !== undefined && now - this.seenAt >= this.opts.windowMs) this.remaining = undefined;
      if (this.remaining === undefined) return;
      if (this.remaining - cost >= (this.opts.reserve ?? 0)) {
        // Spend locally at once so parallel workers do not all take the last unit; the next
        // response's headers correct the figure.
        this.remaining -= cost;
        return;
      }
      this.blockedUntil = this.seenAt + this.opts.windowMs;
    }
  }

  observe(status: number, headers: HeaderBag): void {
    const budget = this.opts.read(headers);
    if (budget) {
      this.remaining = budget.remaining;
      if (budget.limit !== undefined) this.limit = budget.limit;
      this.seenAt = this.now();
    }
    if (status === 429) {
      const after = this.retryAfterMs(headers);
      if (after !== undefined) this.blockedUntil = Math.max(this.blockedUntil, this.now() + after);
    }
  }

  retryAfterMs(headers: HeaderBag): number | undefined {
    return this.opts.retryAfter?.(headers) ?? retryAfterHeaderMs(headers, this.now());
  }

  snapshot(): { remaining?: number | undefined; limit?: number | undefined } {
    return { remaining: this.remaining, limit: this.limit };
  }
}

/** No budget headers: only honour Retry-After on 429. */
export function retryAfterOnly(wait?: (ms: number) => Promise<void>): RateLimitPolicy {
  return new HeaderBudget({ windowMs: 60_000, read: () => undefined, ...(wait ? { wait } : {}) });
}

/**
 * Spaces requests at least `intervalMs` apart and honours Retry-After on 429. Time comes from
 * `now`/`wait` so tests can run it on a fake clock and assert the pacing.
 */
export class MinIntervalPolicy implements RateLimitPolicy {
  private nextAt = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<void> = (ms) => sleep(ms),
  ) {}

  async acquire(): Promise<void> {
    const now = this.now();
    const delay = this.nextAt - now;
    this.nextAt = Math.max(now, this.nextAt) + this.intervalMs;
    if (delay > 0) await this.wait(delay);
  }

  observe(): void {}

  retryAfterMs(headers: HeaderBag): number | undefined {
    return retryAfterHeaderMs(headers, this.now());
  }

  snapshot(): { remaining?: number | undefined; limit?: number | undefined } {
    return {};
  }
}
