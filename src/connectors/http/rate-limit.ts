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
  /** Resolves when a request of this cost may go; it is then in flight until `observe` or `abandon`. */
  acquire(cost: number): Promise<void>;
  /** Learn the remaining budget from a response to a request of `cost` (no longer in flight). */
  observe(status: number, headers: HeaderBag, cost?: number): void;
  /**
   * A request of `cost` got no answer (network error, timeout: the service may have counted
   * it), or was never sent (`sent` false: its units are free again).
   */
  abandon?(cost: number, sent?: boolean): void;
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
  /**
   * `fixed` (Omnidesk): the window starts with its first request and turns over `windowMs`
   * later, so it is reckoned from the first answer heard in it (never earlier than the
   * service's own start). `rolling` (Apple's hour): full again only `windowMs` after the last answer.
   */
  window?: 'fixed' | 'rolling';
  /** Reads the budget from headers; undefined when the response does not carry it. */
  read(headers: HeaderBag): { remaining: number; limit?: number | undefined } | undefined;
  retryAfter?(headers: HeaderBag): number | undefined;
  /** Units kept in reserve for other processes sharing the account (e.g. serve-hook). */
  reserve?: number;
  now?: () => number;
  wait?: (ms: number) => Promise<void>;
}

/**
 * A budget learnt from headers, counting the requests in flight: a header tells what the
 * service had left when it answered, not what the requests still on their way will take.
 * When what is left, less what is in flight, would not cover the request (plus the reserve),
 * the request waits for the answers in flight, or, if they cannot free enough, for the
 * window to turn over.
 */
export class HeaderBudget implements RateLimitPolicy {
  /** Units the service still accepts in this window as last heard (in-flight requests not taken off). */
  private left: number | undefined;
  private limit: number | undefined;
  private inFlight = 0;
  /** When the current window is full again; undefined until an answer in it was heard. */
  private windowEnd: number | undefined;
  private blockedUntil = 0;
  private waiters: (() => void)[] = [];
  private readonly now: () => number;
  private readonly wait: (ms: number) => Promise<void>;

  constructor(private readonly opts: BudgetOptions) {
    this.now = opts.now ?? Date.now;
    this.wait = opts.wait ?? ((ms) => sleep(ms));
  }

  async acquire(cost: number): Promise<void> {
    const reserve = this.opts.reserve ?? 0;
    for (;;) {
      const now = this.now();
      if (now < this.blockedUntil) {
        const until = this.blockedUntil;
        await this.wait(until - now);
        // Waited out (even on a clock that tests do not advance): the window has turned over.
        if (this.blockedUntil === until) {
          this.blockedUntil = 0;
          this.turnOver();
        }
        continue;
      }
      if (this.windowEnd !== undefined && now >= this.windowEnd) this.turnOver();
      if (this.left === undefined || this.left - this.inFlight - cost >= reserve) {
        this.inFlight += cost;
        return;
      }
      // Enough once the answers in flight are in (the service may have counted some already),
      // or a window not heard from yet, which the first answer dates.
      if (this.inFlight > 0 && (this.left - cost >= reserve || this.windowEnd === undefined)) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      // A fresh window with nothing in flight cannot get fuller: a request dearer than the rest goes.
      if (this.windowEnd === undefined) {
        this.inFlight += cost;
        return;
      }
      const until = this.windowEnd;
      await this.wait(until - now);
      if (this.windowEnd === until) this.turnOver();
    }
  }

  observe(status: number, headers: HeaderBag, cost = 0): void {
    const now = this.now();
    this.settle(cost);
    const budget = this.opts.read(headers);
    if (budget) {
      if (budget.limit !== undefined) this.limit = budget.limit;
      if (this.opts.window === 'fixed' && this.windowEnd !== undefined) {
        // Answers overtake each other: within a window the budget only goes down.
        this.left = Math.min(this.left ?? budget.remaining, budget.remaining);
      } else {
        this.left = budget.remaining;
        this.windowEnd = now + this.opts.windowMs;
      }
    }
    if (status === 429) {
      const after = this.retryAfterMs(headers);
      if (after !== undefined) {
        this.blockedUntil = Math.max(this.blockedUntil, now + after);
        this.windowEnd = this.blockedUntil;
        this.left = 0;
      }
    }
    this.wake();
  }

  abandon(cost: number, sent = true): void {
    this.settle(cost);
    if (sent && this.left !== undefined) this.left = Math.max(0, this.left - cost);
    this.wake();
  }

  retryAfterMs(headers: HeaderBag): number | undefined {
    return this.opts.retryAfter?.(headers) ?? retryAfterHeaderMs(headers, this.now());
  }

  snapshot(): { remaining?: number | undefined; limit?: number | undefined } {
    return {
      remaining: this.left === undefined ? undefined : Math.max(0, this.left - this.inFlight),
      limit: this.limit,
    };
  }

  private settle(cost: number): void {
    this.inFlight = Math.max(0, this.inFlight - cost);
  }

  /** A new window: the whole limit (if known) less what is already on its way. */
  private turnOver(): void {
    this.left = this.limit;
    this.windowEnd = undefined;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
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
