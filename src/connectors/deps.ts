import type { Dispatcher } from 'undici';
import type { Logger } from '../log.js';

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
}
