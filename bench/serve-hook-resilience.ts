/**
 * serve-hook under a hostile neighbourhood, with the load in separate processes (not the
 * listener's own event loop): `/healthz` latency (sequential requests) while
 *   a. another process holds the state file's write lock for 10 s (`BEGIN IMMEDIATE`), with a
 *      webhook delivered during the lock (its status and time to acknowledgement);
 *   b. 1,000 slow connections (slowloris, bench/slow-clients-child.mjs) stay open.
 * Reported, not a CI gate on absolute time (the target p99 < 50 ms decides off CI only).
 *   npx tsx bench/serve-hook-resilience.ts [--lock-seconds 10] [--slow 1000] [--slow-seconds 6] [--cap N]
 * (`--cap` below `--slow` shows the cap at work: the oldest idle connections make room.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const { values } = parseArgs({
  options: {
    'lock-seconds': { type: 'string', default: '10' },
    slow: { type: 'string', default: '1000' },
    'slow-seconds': { type: 'string', default: '6' },
    cap: { type: 'string' },
  },
});
const lockMs = Number(values['lock-seconds']) * 1000;
const slowCount = Number(values.slow);
const slowMs = Number(values['slow-seconds']) * 1000;
const secret = 'bench-secret-0123456789abcdefgh';

const dir = mkdtempSync(join(tmpdir(), 'asodesk-omni-bench-res-'));
const dbPath = join(dir, 'state.db');
const db = openDb(dbPath);
const config = configSchema.parse({
  apps: [{ id: 'android', store: 'google-play', appId: 'com.acme.app' }],
  webhook: {
    secret,
    lockWaitMs: lockMs + 10_000,
    ...(values.cap !== undefined && { maxConnections: Number(values.cap) }),
  },
});
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
const row = await new ReviewStore(db).insert(
  {
    store: 'google-play',
    appId: 'com.acme.app',
    reviewId: 'gp:1',
    rating: 3,
    text: 'ok',
    createdAt: new Date().toISOString(),
    origin: 'api',
  },
  'deliver',
  null,
);
await new ReviewStore(db).setCase(row.reviewKey, 1, undefined);

const logger = new Logger({ level: 'info', format: 'json', sink: { write: () => {} } });
const hook = await startServeHook({ db, config, services, logger, host: '127.0.0.1', port: 0 });
const pool = new Pool(hook.server.url, { connections: 4 });

async function healthzWhile(running: () => boolean): Promise<{ latencies: number[]; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  while (running()) {
    const t = performance.now();
    try {
      const res = await pool.request({ method: 'GET', path: '/healthz' });
      await res.body.text();
      if (res.statusCode === 200) latencies.push(performance.now() - t);
      else errors += 1;
    } catch {
      errors += 1;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return { latencies, errors };
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const p = (q: number): string => (s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN).toFixed(2);
  return `n ${s.length}   p50 ${p(0.5)} ms   p99 ${p(0.99)} ms   max ${(s.at(-1) ?? NaN).toFixed(2)} ms`;
}

function lines(child: ChildProcess, want: RegExp): Promise<string> {
  return new Promise((resolveLine, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = want.exec(out);
      if (m) resolveLine(m[0]);
    });
    child.on('exit', () => reject(new Error(`child exited: ${out}`)));
  });
}

// a. A foreign write lock held for lockMs.
const lockScript = `const D=require('better-sqlite3');const db=new D(process.argv[1]);db.exec('BEGIN IMMEDIATE');process.stdout.write('locked\\n');setTimeout(()=>{db.exec('COMMIT');db.close();process.stdout.write('released\\n');process.exit(0)},Number(process.argv[2]));`;
const locker = spawn(process.execPath, ['-e', lockScript, dbPath, String(lockMs)], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
await lines(locker, /locked/);
let locked = true;
const lockReleased = new Promise<void>((r) => locker.on('exit', () => ((locked = false), r())));
const hookStarted = performance.now();
const body = new URLSearchParams({
  type: 'message_new',
  'object[message_id]': '1',
  'object[case_id]': '1',
  'object[staff_id]': '7',
  'object[user_id]': '0',
  'object[content]': 'Thanks!',
}).toString();
const webhook = pool
  .request({
    method: 'POST',
    path: `/omnidesk/webhook/${secret}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  })
  .then(async (res) => ({ status: res.statusCode, ms: (await res.body.text(), performance.now() - hookStarted) }));
const underLock = await healthzWhile(() => locked);
await lockReleased;
const hookAnswer = await webhook;
const recorded = (await hook.publisher.outbox.all()).length;

// b. slowCount slow connections from another process.
const slow = spawn(
  process.execPath,
  [join(root, 'bench/slow-clients-child.mjs'), String(hook.server.port), String(slowCount)],
  { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
);
await lines(slow, /ready \d+/);
const slowEnd = performance.now() + slowMs;
const underSlow = await healthzWhile(() => performance.now() < slowEnd);
const slowSummary = new Promise<string>((r) => {
  let out = '';
  slow.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  slow.on('exit', () => r(/stopped.*/.exec(out)?.[0] ?? ''));
});
slow.kill('SIGTERM');
const slowReport = await slowSummary;

await hook.stop();
await pool.close();
db.closeSync();
rmSync(dir, { recursive: true, force: true });

const p99 = (ms: number[]): number =>
  [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor(0.99 * ms.length))] ?? NaN;
console.log(
  `serve-hook /healthz during a ${lockMs / 1000} s foreign write lock: ${stats(underLock.latencies)}   errors ${underLock.errors}`,
);
console.log(
  `  webhook delivered during the lock: ${hookAnswer.status} after ${(hookAnswer.ms / 1000).toFixed(2)} s; rows recorded ${recorded}`,
);
console.log(
  `serve-hook /healthz during ${slowCount} slow connections${values.cap === undefined ? '' : ` (cap ${values.cap})`}: ${stats(underSlow.latencies)}   errors ${underSlow.errors}   (${slowReport})`,
);
console.log(
  `  lockP99Ms ${p99(underLock.latencies).toFixed(2)} slowP99Ms ${p99(underSlow.latencies).toFixed(2)} lockErrors ${underLock.errors} slowErrors ${underSlow.errors} webhookStatus ${hookAnswer.status} recorded ${recorded}`,
);
