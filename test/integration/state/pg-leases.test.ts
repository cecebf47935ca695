/**
 * Leases and holder liveness on PostgreSQL: exclusive between handles, and free the moment a
 * holding process dies (the server ends its session), with no staleness to wait for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PgLiveness, tryLease, type Lease } from '../../../src/state/postgres/leases.js';
import { PgStateDb } from '../../../src/state/postgres/pg-handle.js';
import { freshPgDatabase } from '../../helpers/pg.js';
import { until } from '../../helpers/wait.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function handle(url: string): Promise<PgStateDb> {
  const db = await PgStateDb.connect(url);
  cleanup.push(() => db.close());
  return db;
}

function track(lease: Lease | null): Lease | null {
  if (lease) cleanup.push(() => lease.release());
  return lease;
}

const holderScript = join(import.meta.dirname, '../../helpers/pg-lease-holder.ts');

async function holdInChild(url: string, name: string): Promise<{ child: ChildProcess; holder: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', holderScript, name], {
    env: { ...process.env, ASODESK_OMNI_TEST_LEASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanup.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const holder = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /held (\S+)\n/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`the lease holder exited early: ${out} ${err}`)));
  });
  return { child, holder };
}

/** Polls an asynchronous check (a round trip each) until it holds, failing after `ms`. */
async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  let ok = false;
  let busy = false;
  const done = await until(
    () => {
      if (!busy) {
        busy = true;
        void check().then(
          (v) => ((ok = v), (busy = false)),
          () => (busy = false),
        );
      }
      return ok;
    },
    ms,
    5,
  );
  if (!done) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

describe('PostgreSQL leases', () => {
  it('are exclusive between two handles, and free again once released', async () => {
    const { url } = await freshPgDatabase();
    const one = await handle(url);
    const two = await handle(url);
    const a = track(await tryLease(one, 'sync'));
    expect(a?.held).toBe(true);
    expect(await tryLease(two, 'sync')).toBeNull();
    expect(await tryLease(one, 'sync')).toBeNull();
    const other = track(await tryLease(two, 'serve-hook'));
    expect(other).not.toBeNull();
    await a!.release();
    expect(a!.held).toBe(false);
    const b = track(await tryLease(two, 'sync'));
    expect(b).not.toBeNull();
  });

  it('tells the holder when its connection is lost', async () => {
    const { url } = await freshPgDatabase();
    const one = await handle(url);
    const lease = track(await tryLease(one, 'sync'))!;
    let lost = false;
    lease.onLost(() => (lost = true));
    await one.value(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ? AND datname = current_database()`,
      ['asodesk-omni lease sync'],
    );
    await eventually(async () => lost, 60_000, 'the lease to be reported lost');
    expect(lease.held).toBe(false);
    expect(track(await tryLease(one, 'sync'))).not.toBeNull();
  });

  it("is free for the parent as soon as the holding process is SIGKILLed, and so is its holder's claim", async () => {
    const { url } = await freshPgDatabase();
    const db = await handle(url);
    const liveness = await PgLiveness.start(db);
    cleanup.push(() => liveness.close());
    const { child, holder } = await holdInChild(url, 'sync');
    expect(await tryLease(db, 'sync')).toBeNull();
    // Another host's holder: only the server can tell it is alive.
    const remote = holder.replace(/@[^#]*#/, '@some-other-host#');
    expect(await liveness.isHolderAlive(holder)).toBe(true);
    const remoteLiveness = await PgLiveness.start(db, remote);
    expect(await liveness.isHolderAlive(remote)).toBe(true);
    await remoteLiveness.close();
    await eventually(async () => !(await liveness.isHolderAlive(remote)), 60_000, 'the remote holder to be gone');
    expect(await liveness.isHolderAlive(liveness.holder)).toBe(true);

    child.kill('SIGKILL');
    let lease: Lease | null = null;
    await eventually(
      async () => {
        lease = track(await tryLease(db, 'sync'));
        return lease !== null;
      },
      60_000,
      'the lease of the killed process to be free',
    );
    expect(lease).not.toBeNull();
    await eventually(async () => !(await liveness.isHolderAlive(holder)), 60_000, 'the killed holder to be dead');
  });

  it('sees holders whose ids hash to negative numbers', async () => {
    const { url } = await freshPgDatabase();
    const db = await handle(url);
    const me = await PgLiveness.start(db);
    cleanup.push(() => me.close());
    const ids = Array.from({ length: 12 }, (_, i) => `${1000 + i}@elsewhere-${i}#${i}`);
    const others = await Promise.all(ids.map((id) => PgLiveness.start(db, id)));
    for (const id of ids) expect(await me.isHolderAlive(id)).toBe(true);
    expect(
      await db.value('SELECT COUNT(*) FROM unnest(?::text[]) AS h WHERE hashtext(h) < 0', [`{${ids.join(',')}}`]),
    ).toBeGreaterThan(0);
    for (const o of others) await o.close();
    await eventually(
      async () => {
        for (const id of ids) if (await me.isHolderAlive(id)) return false;
        return true;
      },
      60_000,
      'the closed holders to be gone',
    );
    expect(await me.isHolderAlive('not a holder')).toBe(false);
    expect(await me.isHolderAlive(null)).toBe(false);
  });
});
