/**
 * Acknowledgement latency of serve-hook under load: the listener on loopback with a temp
 * SQLite file, 500 webhook deliveries per second for a few seconds (undici), publishing to
 * instant in-memory stores in the background. Prints p50/p99; the target is p99 < 50 ms.
 *   npx tsx bench/serve-hook-latency.ts [--rate 500] [--seconds 4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startServeHook } from '../src/server/serve-hook.js';
import { configSchema } from '../src/config/schema.js';
import type { Helpdesk } from '../src/connectors/helpdesk/types.js';
import type { StoreConnector } from '../src/connectors/stores/types.js';
import type { Services } from '../src/engine/services.js';
import { Logger } from '../src/log.js';
import { openDb } from '../src/state/db.js';
import { ReviewStore } from '../src/state/reviews.js';

const { values } = parseArgs({
  options: { rate: { type: 'string', default: '500' }, seconds: { type: 'string', default: '4' } },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const secret = 'bench-secret-0123456789abcdefgh';

const dir = mkdtempSync(join(tmpdir(), 'asodesk-omni-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const db = openDb(join(dir, 'state.db'));
const config = configSchema.parse({
  apps: [{ id: 'android', store: 'google-play', appId: 'com.acme.app' }],
  webhook: { secret },
});

// Instant fakes: the bench measures the listener and the outbox, not the stores.
const helpdesk = {
  addNote: () => Promise.resolve({ messageId: 1 }),
  listMessages: () => Promise.resolve([]),
} as unknown as Helpdesk;
const store: StoreConnector = {
  store: 'google-play',
  origin: 'api',
  capabilities: {
    reply: true,
    maxReplyLength: 350,
    replyNeedsReadBack: false,
    editDetection: 'edit-date',
    recreatesEditedReviews: false,
  },
  ping: async () => {},
  readPages: async function* () {},
  publishReply: () => Promise.resolve({ state: 'PUBLISHED' }),
};
const services: Services = {
  helpdesk,
  sourceFor: () => ({ connector: store, credentialsMissing: false }),
  replyConnector: () => store,
};
const reviews = new ReviewStore(db);
const cases = 200;
for (let c = 1; c <= cases; c++) {
  const row = reviews.insert(
    {
      store: 'google-play',
      appId: 'com.acme.app',
      reviewId: `gp:${c}`,
      rating: 3,
      text: 'ok',
      createdAt: new Date().toISOString(),
      origin: 'api',
    },
    'deliver',
    null,
  );
  reviews.setCase(row.reviewKey, c, undefined);
}

// Access logs are formatted as in production, then dropped.
const logger = new Logger({ level: 'info', format: 'json', sink: { write: () => {} } });
const hook = await startServeHook({ db, config, services, logger, host: '127.0.0.1', port: 0 });
const path = `/omnidesk/webhook/${secret}`;
const pool = new Pool(hook.server.url, { connections: 64, pipelining: 1 });

const latencies: number[] = [];
let errors = 0;
let nextId = 1;

async function fire(): Promise<void> {
  const id = nextId++;
  const body = new URLSearchParams({
    type: 'message_new',
    'object[message_id]': String(id),
    'object[case_id]': String((id % cases) + 1),
    'object[staff_id]': '7',
    'object[user_id]': '0',
    'object[content]': `Thanks for the review #${id}`,
    'object[note]': '0',
    'object[sent_via_rule]': '0',
  }).toString();
  const started = performance.now();
  try {
    const res = await pool.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    await res.body.text();
    if (res.statusCode !== 200) errors += 1;
    else latencies.push(performance.now() - started);
  } catch {
    errors += 1;
  }
}

const total = rate * seconds;
const tickMs = 10;
const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
const inFlight: Promise<void>[] = [];
const began = performance.now();
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    for (let i = 0; i < perTick && inFlight.length < total; i++) inFlight.push(fire());
    if (inFlight.length >= total) {
      clearInterval(timer);
      resolve();
    }
  }, tickMs);
});
await Promise.all(inFlight);
const elapsed = (performance.now() - began) / 1000;
// Let the background publishing catch up, to show it keeps pace.
await hook.loop.idle();
hook.loop.enqueueFlush();
await hook.loop.idle();

const sorted = [...latencies].sort((a, b) => a - b);
const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const counts = hook.publisher.outbox.counts();
await hook.stop();
await pool.close();
db.close();
rmSync(dir, { recursive: true, force: true });

const fmt = (n: number): string => `${n.toFixed(2)} ms`;
console.log(
  `serve-hook acknowledgement latency: ${latencies.length} ok, ${errors} errors, ${(inFlight.length / elapsed).toFixed(0)} req/s over ${elapsed.toFixed(1)} s`,
);
console.log(
  `  p50 ${fmt(pct(50))}   p90 ${fmt(pct(90))}   p99 ${fmt(pct(99))}   max ${fmt(sorted[sorted.length - 1] ?? NaN)}`,
);
console.log(`  outbox after the run: ${JSON.stringify(counts)}`);
console.log(`  target p99 < 50 ms: ${pct(99) < 50 ? 'met' : 'NOT met'}`);
process.exitCode = pct(99) < 50 && errors === 0 ? 0 : 1;
