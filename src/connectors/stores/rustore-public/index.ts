/**
 * RuStore reviews without the API key, from the backend the rustore.ru app pages use
 * (`/comment/comment`, no auth). Read-only: answering needs the RuStore Public API key.
 */
import type { Config, RuStoreConfig } from '../../../config/schema.js';
import { RemoteError } from '../../../errors.js';
import { sleep } from '../../../util/sleep.js';
import type { ConnectorDeps } from '../../deps.js';
import { HttpClient, transportFrom } from '../../http/client.js';
import { MinIntervalPolicy } from '../../http/rate-limit.js';
import {
  publicCapabilities,
  type AppRef,
  type Capabilities,
  type ReadOptions,
  type ReviewPage,
  type StoreConnector,
} from '../types.js';
import { mapComments } from './map.js';
import { envelopeSchema, publicCommentPageSchema } from './schema.js';

/** A public, unauthenticated review source was found (see README.md): reviews flow without the key. */
export const rustorePublicAvailable = true;

/** The page size rustore.ru itself asks for. */
export const publicPageSize = 20;
/** 25 pages × 20 = the 500 newest reviews per sync at most. */
export const defaultMaxPages = 25;
export const defaultPageIntervalMs = 1_000;
/**
 * Client version header: one public client reports the backend refuses some calls without it
 * (400); the site's own pages send it. Harmless to send always.
 */
export const ruStoreVerCode = '1000';

export interface RuStorePublicOptions {
  pageIntervalMs?: number;
  maxPages?: number;
}

export class RuStorePublicSource implements StoreConnector {
  static readonly id = 'rustore-public';
  static readonly store = 'rustore';
  static fromConfig(config: Config, deps: ConnectorDeps): RuStorePublicSource {
    return new RuStorePublicSource(config.stores.rustore, deps);
  }

  readonly store = 'rustore' as const;
  readonly origin = 'public' as const;
  readonly capabilities: Capabilities = {
    ...publicCapabilities,
    editDetection: 'edit-date',
    recreatesEditedReviews: false,
  };
  private readonly client: HttpClient;
  private readonly maxPages: number;

  constructor(cfg: RuStoreConfig, deps: ConnectorDeps, options: RuStorePublicOptions = {}) {
    this.maxPages = options.maxPages ?? defaultMaxPages;
    this.client = new HttpClient({
      ...transportFrom(deps),
      service: 'RuStore (public pages)',
      baseUrl: cfg.publicBaseUrl,
      concurrency: 1,
      rateLimit: new MinIntervalPolicy(
        options.pageIntervalMs ?? defaultPageIntervalMs,
        deps.now ?? Date.now,
        deps.wait ?? ((ms) => sleep(ms)),
      ),
      describeError: (_status, body) => {
        const env = envelopeSchema.safeParse(body);
        return env.success ? { code: env.data.code, message: env.data.message ?? env.data.code } : {};
      },
    });
  }

  async ping(): Promise<void> {
    // RuStore's own app always exists; any well-formed page proves the backend answers.
    await this.page('ru.vk.store', 0, 1);
  }

  async *readPages(app: AppRef, opts: ReadOptions = {}): AsyncIterable<ReviewPage> {
    for (let n = 0; n < this.maxPages; n++) {
      const comments = await this.page(app.appId, n, publicPageSize, opts.signal);
      const { ok: reviews, setAside } = mapComments(comments, app.appId);
      const last = comments.length < publicPageSize || n + 1 >= this.maxPages;
      yield { reviews, setAside, next: last ? undefined : String(n + 1) };
      if (last) return;
    }
  }

  private async page(packageName: string, pageNumber: number, pageSize: number, signal?: AbortSignal) {
    const res = await this.client.request({
      path: '/comment/comment',
      query: { packageName, sortBy: 'NEW_FIRST', pageNumber, pageSize },
      headers: { ruStoreVerCode },
      schema: publicCommentPageSchema,
      signal,
    });
    if (res.data.code !== 'OK') {
      throw new RemoteError({
        kind: 'rejected',
        service: this.client.service,
        code: res.data.code,
        message: `${this.client.service}: ${res.data.message ?? res.data.code}`,
      });
    }
    return res.data.body?.content ?? [];
  }
}

export function createRuStorePublicSource(
  cfg: RuStoreConfig,
  deps: ConnectorDeps,
  options: RuStorePublicOptions = {},
): StoreConnector {
  return new RuStorePublicSource(cfg, deps, options);
}
