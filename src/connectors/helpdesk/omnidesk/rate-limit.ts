/**
 * Omnidesk's per-minute budget (KB 324737): every response carries `api_calls_left` and
 * `rate_limit_per_minute`, writes cost 2 units, a 429 says `retry_after` seconds. The budget
 * is per account, so other integrations spend it too: we learn it from headers, count what we
 * have in flight (a header does not know it yet), and may also keep below a configured ceiling
 * (`omnidesk.requestsPerMinute`).
 */
import { header, HeaderBudget, type HeaderBag, type RateLimitPolicy } from '../../http/rate-limit.js';
import { sleep } from '../../../util/sleep.js';

export interface OmnideskBudgetOptions {
  windowMs: number;
  /** Local ceiling in units per window; unset = only what the headers say. */
  requestsPerMinute?: number | undefined;
  now?: (() => number) | undefined;
  wait?: ((ms: number) => Promise<void>) | undefined;
}

function num(headers: HeaderBag, name: string): number | undefined {
  const v = header(headers, name);
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function readOmniBudget(headers: HeaderBag): { remaining: number; limit?: number | undefined } | undefined {
  const remaining = num(headers, 'api_calls_left');
  return remaining === undefined ? undefined : { remaining, limit: num(headers, 'rate_limit_per_minute') };
}

/** `retry_after` (seconds, underscored as Omnidesk sends it) in ms. */
export function omniRetryAfterMs(headers: HeaderBag): number | undefined {
  const secs = num(headers, 'retry_after');
  return secs === undefined ? undefined : Math.max(0, secs * 1000);
}

/** Sliding-window counter for the configured ceiling. */
class LocalCeiling {
  private spent: { at: number; cost: number }[] = [];
  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly wait: (ms: number) => Promise<void>,
  ) {}

  async acquire(cost: number): Promise<void> {
    for (;;) {
      const now = this.now();
      this.spent = this.spent.filter((s) => now - s.at < this.windowMs);
      const used = this.spent.reduce((sum, s) => sum + s.cost, 0);
      // A single request dearer than the ceiling still goes once the window is empty.
      if (used + cost <= this.perWindow || this.spent.length === 0) {
        this.spent.push({ at: now, cost });
        return;
      }
      await this.wait(this.spent[0]!.at + this.windowMs - now);
    }
  }
}

export function omnideskBudget(opts: OmnideskBudgetOptions): RateLimitPolicy {
  const now = opts.now ?? Date.now;
  const wait = opts.wait ?? ((ms: number) => sleep(ms));
  const budget = new HeaderBudget({
    windowMs: opts.windowMs,
    window: 'fixed',
    read: readOmniBudget,
    retryAfter: omniRetryAfterMs,
    now,
    wait,
  });
  const ceiling = opts.requestsPerMinute
    ? new LocalCeiling(opts.requestsPerMinute, opts.windowMs, now, wait)
    : undefined;
  return {
    async acquire(cost) {
      await ceiling?.acquire(cost);
      await budget.acquire(cost);
    },
    observe: (status, headers, cost) => budget.observe(status, headers, cost),
    abandon: (cost, sent) => budget.abandon(cost, sent),
    retryAfterMs: (headers) => budget.retryAfterMs(headers),
    snapshot() {
      const s = budget.snapshot();
      const limit =
        opts.requestsPerMinute && s.limit !== undefined
          ? Math.min(opts.requestsPerMinute, s.limit)
          : (s.limit ?? opts.requestsPerMinute);
      return { remaining: s.remaining, limit };
    },
  };
}
