/**
 * The Reply to Reviews quotas are per app: GET (list + get) 200 per hour, POST (reply) 2,000
 * per day (https://support.google.com/googleplay/android-developer/contact/review_apiqr).
 * Google sends no budget headers, so we count our own requests in the usage ledger (kept
 * across runs) and refuse before sending. Windows are rolling, which never lets more through
 * than a fixed hour or day would.
 */
import type { Config } from '../../../config/schema.js';
import type { UsageLedger } from '../../deps.js';
import type { QuotaStatus } from '../types.js';
import { RemoteError } from '../../../errors.js';

export type QuotaKind = 'get' | 'post';

export interface QuotaLimits {
  getPerHour: number;
  postPerDay: number;
}

const windowMs: Record<QuotaKind, number> = { get: 3_600_000, post: 86_400_000 };
const what: Record<QuotaKind, string> = { get: 'hourly quota of review reads', post: 'daily quota of replies' };

export function quotaKey(kind: QuotaKind, packageName: string): string {
  return `google-play:${kind}:${packageName}`;
}

export class QuotaBook {
  private readonly seen = new Set<string>();

  constructor(
    private readonly ledger: UsageLedger,
    private readonly limits: QuotaLimits,
    private readonly now: () => number,
  ) {}

  limit(kind: QuotaKind): number {
    return kind === 'get' ? this.limits.getPerHour : this.limits.postPerDay;
  }

  async remaining(kind: QuotaKind, packageName: string): Promise<number> {
    const used = await this.ledger.count(quotaKey(kind, packageName), this.now() - windowMs[kind]);
    return Math.max(0, this.limit(kind) - used);
  }

  /** Counts one request, or throws RemoteError `quota` (nothing sent) when the budget is spent. */
  async spend(kind: QuotaKind, packageName: string): Promise<void> {
    this.seen.add(packageName);
    const now = this.now();
    if ((await this.remaining(kind, packageName)) <= 0) {
      const at = await this.freesAt(kind, packageName);
      const minutes = Math.max(1, Math.ceil((at - now) / 60_000));
      throw new RemoteError({
        kind: 'quota',
        service: 'Google Play',
        code: 'CLIENT_QUOTA',
        retryAfterMs: at - now,
        message: `Google Play: the ${what[kind]} for ${packageName} (${this.limit(kind)}) is spent; the next request is possible at ${new Date(at).toISOString()} (in ${minutes} min). Nothing was sent.`,
        hint: 'Google can raise the quota: https://support.google.com/googleplay/android-developer/contact/review_apiqr',
      });
    }
    await this.ledger.record(quotaKey(kind, packageName), now);
  }

  /**
   * When the oldest request that keeps the window full drops out. The ledger only counts, so
   * we search for the earliest window start that holds fewer than the limit.
   */
  async freesAt(kind: QuotaKind, packageName: string): Promise<number> {
    const key = quotaKey(kind, packageName);
    const limit = this.limit(kind);
    const now = this.now();
    let lo = now - windowMs[kind];
    let hi = now + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await this.ledger.count(key, mid)) < limit) hi = mid;
      else lo = mid + 1;
    }
    return lo + windowMs[kind];
  }

  /** Remaining GET and POST budget per app seen, plus the smallest of each. */
  async snapshot(): Promise<Record<string, number | undefined>> {
    const out: Record<string, number | undefined> = {};
    if (this.seen.size === 0) return { get: undefined, post: undefined };
    for (const pkg of this.seen) {
      for (const kind of ['get', 'post'] as const) {
        const left = await this.remaining(kind, pkg);
        out[`${kind}:${pkg}`] = left;
        out[kind] = Math.min(out[kind] ?? Infinity, left);
      }
    }
    return out;
  }
}

/** What is left of an app's quotas, from the usage records alone (`status` sends nothing). */
export async function quotaStatus(
  config: Config,
  usage: UsageLedger,
  appId: string,
  now: number,
): Promise<QuotaStatus> {
  const gp = config.stores.googlePlay;
  const gets = await usage.count(quotaKey('get', appId), now - windowMs.get);
  const posts = await usage.count(quotaKey('post', appId), now - windowMs.post);
  return {
    getPerHour: gp.quotaGetPerHour,
    getLeftThisHour: Math.max(0, gp.quotaGetPerHour - gets),
    postPerDay: gp.quotaPostPerDay,
    postLeftToday: Math.max(0, gp.quotaPostPerDay - posts),
  };
}
