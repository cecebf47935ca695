/**
 * Acknowledgement latency of serve-hook under an open-loop load: the listener in this process
 * on loopback with a temp SQLite file holding `--stored` published replies, publishing to
 * instant in-memory stores in the background; the load from bench/hook-load-child.mjs in its
 * own process on a fixed schedule (latency from each request's due time), optionally while
 * bench/disk-writer-child.mjs writes to the same disk. Prints one JSON line (the last) with the
 * percentiles and this process's CPU per webhook; the target is p99 < 50 ms.
 *   npx tsx bench/serve-hook-latency.ts [--rate 500] [--seconds 4] [--stored 50000] [--disk-load]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startServeHook } from '../src/server/serve-hook.js';
import { configSchema } from '../src/config/schema.js';
import type { Helpdesk } from '../src/connectors/helpdesk/types.js';
import type { StoreConnector } from '../src/connectors/stores/types.js';
import type { Services } from '../src/engine/services.js';
import { Logger } from '../src/log.js';
import { openDb } from '../src/state/db.js';
import { ReplyOutbox } from '../src/state/replies.js';
import { ReviewStore } from '../src/state/reviews.js';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '4' },
    stored: { type: 'string', default: '50000' },
    'disk-load': { type: 'boolean', default: false },
  },
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
const keys: string[] = [];
for (let c = 1; c <= cases; c++) {
  const row = await reviews.insert(
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
  await reviews.setCase(row.reviewKey, c, undefined);
  keys.push(row.reviewKey);
}
// Replies published before the run, spread over the reviews (what a listener holds after months).
const stored = Number(values.stored);
const outbox = new ReplyOutbox(db);
await db.transaction(async () => {
  for (let i = 0; i < stored; i++) {
    const messageId = 10_000_000 + i;
    await outbox.record({
      messageId,
      caseId: (i % cases) + 1,
      reviewKey: keys[i % cases],
      staffId: 7,
      text: `Old reply ${i}`,
    });
    await outbox.markSent(messageId, 'PUBLISHED', `answer-${i}`, true);
    await outbox.markNoted(messageId, 'published:PUBLISHED');
  }
});

// Access logs are formatted as in production, then dropped.
const logger = new Logger({ level: 'info', format: 'json', sink: { write: () => {} } });
const hook = await startServeHook({ db, config, services, logger, host: '127.0.0.1', port: 0 });
const path = `/omnidesk/webhook/${secret}`;

function child(args: string[], onLine?: (line: string) => void): { done: Promise<string>; kill(): void } {
  const proc = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  proc.stdout.on('data', (d: Buffer) => {
    chunks.push(d);
    onLine?.(d.toString());
  });
  const done = new Promise<string>((resolveDone) =>
    proc.on('close', () => resolveDone(Buffer.concat(chunks).toString())),
  );
  return { done, kill: () => proc.kill('SIGTERM') };
}

let writer: ReturnType<typeof child> | undefined;
if (values['disk-load']) {
  let ready: () => void = () => {};
  const started = new Promise<void>((r) => (ready = r));
  writer = child([join(root, 'bench/disk-writer-child.mjs'), join(dir, 'disk-load.bin')], (l) => {
    if (l.includes('ready')) ready();
  });
  await started;
}

const cpuBefore = process.cpuUsage();
const load = child([
  join(root, 'bench/hook-load-child.mjs'),
  hook.server.url,
  path,
  String(rate),
  String(seconds),
  String(cases),
  '1',
]);
const result = JSON.parse((await load.done).trim().split('\n').at(-1)!) as Record<string, number>;
// The background publishing catches up, to show it keeps pace (its CPU is counted too).
await hook.loop.idle();
hook.loop.enqueueFlush();
await hook.loop.idle();
const cpu = process.cpuUsage(cpuBefore);
writer?.kill();
await writer?.done;

const counts = await hook.publisher.outbox.counts();
await hook.stop();
db.closeSync();
rmSync(dir, { recursive: true, force: true });

const published = counts.published - stored;
const out = {
  rate,
  seconds,
  stored,
  diskLoad: values['disk-load'] ? 1 : 0,
  ...result,
  published,
  cpuMsPerWebhook: Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, result.ok ?? 0)) * 1000) / 1000,
};
console.error(
  `serve-hook at ${rate} req/s for ${seconds} s, ${stored} stored replies${values['disk-load'] ? ', disk loaded by another process' : ''}: ` +
    `${result.ok} ok, ${result.errors} errors, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms; ${out.published} published; ${out.cpuMsPerWebhook} ms CPU per webhook`,
);
console.log(JSON.stringify(out));
