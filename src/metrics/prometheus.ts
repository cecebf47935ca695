/**
 * The Prometheus families (prom-client), on a registry of their own: the state's figures as
 * gauges read at each scrape (metricsSnapshot), and serve-hook's live counters. Loaded only by
 * `serve-hook --metrics-port` and `sync --metrics-file`. Label values are app ids, store ids,
 * reasons and outcomes: never a secret, a review's text or a customer's name.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ReplyMetrics, WebhookMetrics } from './types.js';
import type { AppFigures, MetricsSnapshot } from './snapshot.js';

const p = 'asodesk_omni_';

const epochSeconds = (iso: string | null): number | undefined => (iso === null ? undefined : Date.parse(iso) / 1000);

/** Adds the state's figures; `read` is called once per scrape. */
export function addSnapshotGauges(registry: Registry, read: () => Promise<MetricsSnapshot>): void {
  // A promise, set synchronously by the first family's collect: the families of one scrape are
  // collected concurrently and must all see the one read.
  let current: Promise<MetricsSnapshot> | undefined;
  const snap = (): Promise<MetricsSnapshot> => (current ??= read());
  const single = (
    name: string,
    help: string,
    value: (s: MetricsSnapshot) => number | null | undefined,
    first = false,
  ) =>
    new Gauge({
      name: p + name,
      help,
      registers: [registry],
      async collect() {
        // The first family of a scrape reads the state; the others reuse what it read.
        if (first) current = read();
        const s = await snap();
        this.reset();
        const v = value(s);
        if (v !== null && v !== undefined) this.set(v);
      },
    });
  const perApp = (name: string, help: string, value: (a: AppFigures) => number) =>
    new Gauge({
      name: p + name,
      help,
      labelNames: ['app', 'store'],
      registers: [registry],
      async collect() {
        const s = await snap();
        this.reset();
        for (const a of s.sync.apps) this.set({ app: a.app, store: a.store }, value(a));
      },
    });
  single(
    'sync_last_run_timestamp_seconds',
    'When the last sync finished (Unix time)',
    (s) => epochSeconds(s.sync.lastRunAt),
    true,
  );
  single(
    'sync_last_success_timestamp_seconds',
    'When the last sync that ended ok finished (Unix time); alert when it is too old',
    (s) => epochSeconds(s.sync.lastSuccessAt),
  );
  single('sync_duration_seconds', 'Wall time of the last sync', (s) => s.sync.durationSeconds);
  single('sync_ok', '1 when the last sync ended ok, 0 otherwise', (s) =>
    s.sync.outcome === null ? undefined : s.sync.outcome === 'ok' ? 1 : 0,
  );
  perApp('sync_reviews_fetched', 'Reviews read from the store by the last sync', (a) => a.fetched);
  perApp('sync_reviews_delivered', 'Cases created and updated by the last sync', (a) => a.delivered);
  perApp('sync_reviews_set_aside', 'Store records set aside as malformed by the last sync', (a) => a.setAside);
  perApp('sync_reviews_failed', 'Deliveries that failed in the last sync (retried next run)', (a) => a.failed);
  single('omnidesk_quota_left', "Omnidesk's api_calls_left as the last sync saw it", (s) => s.sync.omnideskQuotaLeft);
  single('reply_outbox_depth', 'Replies still to publish in the stores', (s) => s.replies.outboxDepth);
  single(
    'reply_oldest_pending_age_seconds',
    'Age of the oldest reply still to publish',
    (s) => s.replies.oldestPendingAgeSeconds,
  );
}

/** serve-hook's live counters, behind the interfaces the listener and the publisher call. */
export function addLiveMetrics(registry: Registry): { webhooks: WebhookMetrics; replies: ReplyMetrics } {
  const received = new Counter({
    name: `${p}webhooks_received_total`,
    help: 'Webhook POSTs with the right secret',
    registers: [registry],
  });
  const rejected = new Counter({
    name: `${p}webhooks_rejected_total`,
    help: 'Webhook requests refused, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const replies = new Counter({
    name: `${p}replies_total`,
    help: 'Replies handled, by store and outcome (published, awaiting the store, refused, failed, retrying)',
    labelNames: ['store', 'outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: `${p}reply_publish_duration_seconds`,
    help: "Time of the store's answer to a publish request",
    labelNames: ['store'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    webhooks: { received: () => received.inc(), rejected: (reason) => rejected.inc({ reason }) },
    replies: {
      outcome: (store, outcome) => replies.inc({ store, outcome }),
      publishSeconds: (store, s) => latency.observe({ store }, s),
    },
  };
}

export function newRegistry(): Registry {
  return new Registry();
}
