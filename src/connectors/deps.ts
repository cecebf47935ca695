import type { Dispatcher } from 'undici';
import type { Logger } from '../log.js';

/**
 * Requests spent against a store quota, kept across runs (SQLite in production) so that a
 * cron job every five minutes still respects an hourly or daily quota.
 */
export interface UsageLedger {
  /** Requests recorded under `key` at or after `sinceMs`. */
  count(key: string, sinceMs: number): Promise<number>;
  record(key: string, atMs: number): Promise<void>;
}

export function memoryUsageLedger(): UsageLedger {
  const entries: { key: string; at: number }[] = [];
  return {
    count: (key, since) => Promise.resolve(entries.filter((e) => e.key === key && e.at >= since).length),
    record: (key, at) => {
      entries.push({ key, at });
      return Promise.resolve();
    },
  };
}

/** What every connector factory receives besides its settings and credentials. */
export interface ConnectorDeps {
  logger: Logger;
  /** undici dispatcher (tests may pass a MockAgent); default: the global one. */
  dispatcher?: Dispatcher | undefined;
  /** Replaces sleeping between retries (tests make it instant). */
  wait?: ((ms: number) => Promise<void>) | undefined;
  /** Base of retry backoff in ms (default 500). */
  backoffBaseMs?: number | undefined;
  timeoutMs?: number | undefined;
  now?: (() => number) | undefined;
  /** Quota bookkeeping across runs; default in memory. */
  usage?: UsageLedger | undefined;
}
