/**
 * serve-hook's `/metrics` listener: its own port, on loopback by default, so the reverse proxy
 * that publishes the webhook never exposes it. GET /metrics only; anything else is 404.
 */
import { createServer } from 'node:http';
import { listen } from '../server/listen.js';
import type { StateDb } from '../state/handle.js';
import { addLiveMetrics, addSnapshotGauges, newRegistry } from './prometheus.js';
import { metricsSnapshot } from './snapshot.js';
import type { ReplyMetrics, WebhookMetrics } from './types.js';

export interface MetricsServer {
  url: string;
  metrics: { webhooks: WebhookMetrics; replies: ReplyMetrics };
  close(): Promise<void>;
}

export async function startMetricsServer(opts: { db: StateDb; host: string; port: number }): Promise<MetricsServer> {
  const registry = newRegistry();
  const metrics = addLiveMetrics(registry);
  addSnapshotGauges(registry, () => metricsSnapshot(opts.db));
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? '' : text),
      (err: unknown) =>
        res
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`),
    );
  });
  const { url } = await listen(server, opts.port, opts.host);
  return {
    url: `${url}/metrics`,
    metrics,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
