/**
 * Sync workers on one PostgreSQL state (#16): N apps × M reviews delivered by 1, 2 and 4
 * workers (separate processes of the built CLI) against emulators that answer every store
 * request after a fixed latency, each run on a fresh database and fresh emulators; then an idle
 * sync of all apps on PostgreSQL and on the SQLite file. Every run is checked: each review in
 * exactly one Omnidesk case. Writes bench-results/workers.json.
 *
 * Last, two serve-hook replicas (separate processes) on the PostgreSQL state, each loaded by an
 * open-loop generator at half the rate: their acknowledgement percentiles.
 *
 *   npm run build && npx tsx bench/workers.ts [--apps 200] [--reviews 100] [--latency 100] [--workers 1,2,4]
 *                                             [--hook-rate 200] [--hook-seconds 4]
 *
 * A PostgreSQL server: ASODESK_OMNI_TEST_PG_URL, or an embedded one started here.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { AppConfig } from '../src/config/schema.js';
import type { SyncReport } from '../src/engine/report.js';
import { startWorld, type World } from '../src/emulators/world.js';
import { startEmbeddedPg } from '../test/pg-server.js';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const { values } = parseArgs({
  options: {
    apps: { type: 'string', default: '200' },
    reviews: { type: 'string', default: '100' },
    latency: { type: 'string', default: '100' },
    workers: { type: 'string', default: '1,2,4' },
    'hook-rate': { type: 'string', default: '200' },
    'hook-seconds': { type: 'string', default: '4' },
  },
});
const appsCount = Number(values.apps);
const perApp = Number(values.reviews);
const latencyMs = Number(values.latency);
const workerCounts = values.workers.split(',').map(Number);
const stores = ['app-store', 'google-play', 'rustore'] as const;

async function seededWorld(): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'asodesk-omni-bench-workers-'));
  const world = await startWorld({ dir, omnidesk: { requestsPerMinute: 1_000_000_000 } });
  const apps: AppConfig[] = [];
  for (let i = 0; i < appsCount; i++) {
    const store = stores[i % 3]!;
    const appId =
      store === 'app-store'
        ? String(2_000_000_000 + i)
        : store === 'google-play'
          ? `com.bench.w${i}`
          : `ru.bench.w${i}`;
    if (store === 'app-store') world.appStore.addApp({ id: appId, name: `W ${i}`, bundleId: `com.bench.wios${i}` });
    else if (store === 'google-play') world.googlePlay.addApp(appId);
    else world.rustore.addApp(appId, `W ${i}`);
    for (let j = 0; j < perApp; j++) {
      const text = `Review {b${i}-${j}} ${'lorem ipsum dolor '.repeat(1 + (j % 5))}`;
      const rating = 1 + ((j * 7) % 5);
      if (store === 'app-store')
        world.appStore.addReview(appId, { rating, title: 'Title', body: text, reviewerNickname: `n${i}-${j}` });
      else if (store === 'google-play')
        world.googlePlay.addReview(appId, { authorName: `A ${j}`, text, starRating: rating, reviewerLanguage: 'en' });
      else world.rustore.addComment(appId, { userName: `U ${j}`, appRating: rating, commentText: text });
    }
    apps.push({
      id: `app${i}`,
      name: `W ${i}`,
      store,
      appId,
      enabled: true,
      source: 'auto',
      tags: true,
      // The first sync delivers the backlog: every review here.
      filters: {
        reviewType: 'all',
        backlog: 100,
        ratings: [1, 2, 3, 4, 5],
        countries: [],
        languages: [],
        length: 'all',
      },
    });
  }
  world.config.apps = apps;
  world.saveConfig();
  for (const e of [world.appStore, world.googlePlay, world.rustore]) e.server.setLatency(latencyMs);
  return world;
}

interface Run {
  code: number | null;
  report: SyncReport | undefined;
  stderr: string;
}

function sync(world: World, stateArgs: readonly string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [join(root, 'bin/asodesk-omni.js'), 'sync', '--json', '-q', '-c', world.configPath, ...stateArgs],
      { cwd: world.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', fail);
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString();
      let report: SyncReport | undefined;
      try {
        report = JSON.parse(text) as SyncReport;
      } catch {
        report = undefined;
      }
      done({ code, report, stderr: Buffer.concat(err).toString().slice(-2000) });
    });
  });
}

/** Each review in exactly one case, judged from the Omnidesk emulator. */
function casesCheck(world: World): { cases: number; duplicates: number; missing: number } {
  const tokens = world.omnidesk
    .cases()
    .map((c) => /\{b\d+-\d+\}/.exec(world.omnidesk.messages(c.caseId)[0]?.content ?? '')?.[0])
    .filter((t): t is string => t !== undefined);
  const unique = new Set(tokens).size;
  return { cases: tokens.length, duplicates: tokens.length - unique, missing: appsCount * perApp - unique };
}

async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `bench_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

function startReplica(world: World, url: string, port: number): { stop(): Promise<void> } {
  const child = spawn(
    process.execPath,
    [
      join(root, 'bin/asodesk-omni.js'),
      'serve-hook',
      '-q',
      '-c',
      world.configPath,
      '--state',
      url,
      '--port',
      String(port),
    ],
    { cwd: world.dir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  return {
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function healthy(port: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`serve-hook on port ${port} did not start`);
}

function loadChild(args: string[]): Promise<Record<string, number>> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(root, 'bench/hook-load-child.mjs'), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.on('close', () =>
      done(JSON.parse(Buffer.concat(out).toString().trim().split('\n').at(-1) ?? '{}') as Record<string, number>),
    );
  });
}

/** Two serve-hook replicas on one PostgreSQL state, each under half the load. */
async function twoReplicas(serverUrl: string): Promise<Record<string, unknown>> {
  const world = await seededWorld();
  try {
    for (const e of [world.appStore, world.googlePlay, world.rustore]) e.server.setLatency(0);
    const url = await freshDatabase(serverUrl);
    const first = await sync(world, ['--state', url]);
    if (first.code !== 0) throw new Error(`sync before the replicas exited ${first.code}: ${first.stderr}`);
    const caseIds = world.omnidesk.cases().map((c) => c.caseId);
    const ports = [18_000 + Math.floor(Math.random() * 5000), 23_500 + Math.floor(Math.random() * 5000)];
    const replicas = ports.map((port) => startReplica(world, url, port));
    try {
      await Promise.all(ports.map(healthy));
      const secret = String((world.config.webhook as { secret?: string } | undefined)?.secret);
      const rate = Number(values['hook-rate']);
      const seconds = values['hook-seconds'];
      const results = await Promise.all(
        ports.map((port, i) =>
          loadChild([
            `http://127.0.0.1:${port}`,
            `/omnidesk/webhook/${secret}`,
            String(rate / 2),
            seconds,
            String(caseIds.length),
            String(1 + i * 10_000_000),
            String(Math.min(...caseIds)),
          ]),
        ),
      );
      const p99 = Math.max(...results.map((r) => r.p99Ms ?? NaN));
      console.log(
        `two serve-hook replicas at ${rate} req/s in all: p99 ${results.map((r) => r.p99Ms).join(' / ')} ms, errors ${results.map((r) => r.errors).join(' / ')}`,
      );
      return { rate, seconds: Number(seconds), perReplica: results, p99Ms: p99 };
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
  } finally {
    await world.stop();
    rmSync(world.dir, { recursive: true, force: true });
  }
}

/** Transactions the server committed in `url`'s database (each statement outside a transaction is one). */
async function serverTransactions(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // The statistics are sent by the sessions asynchronously: a fresh snapshot, after they flushed.
  await client.query('SELECT pg_stat_clear_snapshot()');
  const r = await client.query<{ n: string }>(
    'SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  await client.end();
  return Number(r.rows[0]?.n ?? 0);
}

async function main(): Promise<void> {
  const given = process.env.ASODESK_OMNI_TEST_PG_URL;
  const server = given ? { url: given, stop: async () => {} } : await startEmbeddedPg();
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', loadBefore: loadavg().map((l) => +l.toFixed(2)) },
    apps: appsCount,
    reviewsPerApp: perApp,
    storeLatencyMs: latencyMs,
  };
  const delivery: Record<
    string,
    { wallMs: number; cases: number; duplicates: number; missing: number; exits: string }
  > = {};
  try {
    let idlePgMs: number | undefined;
    let idlePgTransactionsPerApp: number | undefined;
    for (const n of workerCounts) {
      const world = await seededWorld();
      try {
        const url = await freshDatabase(server.url);
        const started = performance.now();
        const runs = await Promise.all(Array.from({ length: n }, () => sync(world, ['--state', url])));
        const wallMs = Math.round(performance.now() - started);
        const check = casesCheck(world);
        delivery[String(n)] = { wallMs, ...check, exits: runs.map((r) => r.code).join(',') };
        console.log(
          `${n} worker(s): ${wallMs} ms, ${check.cases} cases, ${check.duplicates} duplicates, ${check.missing} missing, exits ${delivery[String(n)]!.exits}`,
        );
        for (const r of runs) if (r.code !== 0) console.log(r.stderr);
        if (n === 1) {
          const before = await serverTransactions(url);
          const t = performance.now();
          const idle = await sync(world, ['--state', url]);
          idlePgMs = Math.round(performance.now() - t);
          idlePgTransactionsPerApp = +(((await serverTransactions(url)) - before) / appsCount).toFixed(1);
          console.log(
            `idle sync, PostgreSQL: ${idlePgMs} ms (exit ${idle.code}), ${idlePgTransactionsPerApp} server transactions per app`,
          );
        }
      } finally {
        await world.stop();
        rmSync(world.dir, { recursive: true, force: true });
      }
    }
    // The same idle sync on the SQLite file.
    const world = await seededWorld();
    let idleSqliteMs: number | undefined;
    try {
      const first = await sync(world, ['--db', world.dbPath]);
      const t = performance.now();
      const idle = await sync(world, ['--db', world.dbPath]);
      idleSqliteMs = Math.round(performance.now() - t);
      console.log(`SQLite: first ${first.code}, idle sync ${idleSqliteMs} ms (exit ${idle.code})`);
    } finally {
      await world.stop();
      rmSync(world.dir, { recursive: true, force: true });
    }
    const replicas = await twoReplicas(server.url);
    const one = delivery['1']?.wallMs;
    const speedup = (n: number): number | undefined =>
      one && delivery[String(n)] ? +(one / delivery[String(n)]!.wallMs).toFixed(2) : undefined;
    Object.assign(results, {
      delivery,
      speedup2: speedup(2),
      speedup4: speedup(4),
      idleSyncMs: { postgres: idlePgMs, sqlite: idleSqliteMs },
      idlePgTransactionsPerApp,
      serveHookTwoReplicas: replicas,
      loadAfter: loadavg().map((l) => +l.toFixed(2)),
    });
    console.log(`speed-up with 2 workers: ${speedup(2)}× (target ≥ 1.8), with 4: ${speedup(4)}×`);
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    writeFileSync(join(root, 'bench-results/workers.json'), JSON.stringify(results, null, 2) + '\n');
  } finally {
    await server.stop();
  }
}

await main();
