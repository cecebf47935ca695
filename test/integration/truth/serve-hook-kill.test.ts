/**
 * serve-hook SIGKILLed while it publishes a reply (the store is slow to answer), then started
 * again: the dead process's claim is taken over at once (its pid is gone), not after the
 * 5-minute stale window, and each reply ends as one store answer and one note. The clock is
 * never moved: only outcomes are asserted, with generous timeouts for a loaded machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../../src/state/db.js';
import { answerWrites, apps, secret, startLoop, waitFor, type Loop } from '../serve-hook/setup.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function spawnServeHook(loop: Loop): Promise<{ child: ChildProcess; url: string; exited: Promise<unknown> }> {
  writeFileSync(loop.location.configPath, JSON.stringify(loop.config));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/dev.ts', 'serve-hook', '--port', '0'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      ASODESK_OMNI_CONFIG: loop.location.configPath,
      ASODESK_OMNI_DB: loop.location.dbPath,
      ASODESK_OMNI_WEBHOOK_SECRET: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const stderr: string[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /Listening on (http:\/\/[^/\s]+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`serve-hook exited early: ${stderr.join('')}`)));
    setTimeout(() => reject(new Error(`serve-hook did not start: ${stderr.join('')}`)), 60_000).unref();
  });
  return { child, url, exited };
}

function answerPostsSeen(loop: Loop): number {
  return answerWrites(loop, 'google-play') + answerWrites(loop, 'rustore');
}

function sendingRows(loop: Loop): number {
  const db = openDb(loop.location.dbPath);
  try {
    return db.sqlite.prepare(`SELECT COUNT(*) FROM replies WHERE state = 'sending'`).pluck().get() as number;
  } finally {
    db.closeSync();
  }
}

describe('serve-hook killed while publishing', () => {
  it('the restarted serve-hook takes over the dead claim at once: one answer and one note per reply', async () => {
    const loop = await startLoop();
    const gp = await loop.reviewWithCase('google-play');
    const ru = await loop.reviewWithCase('rustore');
    // Both stores slow to answer a reply, so that the kill lands while one is being published.
    loop.gp.server.setFaults({
      rate: 1,
      kinds: ['slow'],
      slowMs: 1_500,
      pathPrefix: `/androidpublisher/v3/applications/${apps['google-play']}/reviews/`,
    });
    loop.ru.server.setFaults({
      rate: 1,
      kinds: ['slow'],
      slowMs: 1_500,
      pathPrefix: `/public/v1/application/${apps.rustore}/feedback`,
    });
    const first = await spawnServeHook(loop);
    loop.omni.setChannelWebhook('cch1', `${first.url}/omnidesk/webhook/${secret}`);
    expect((await loop.omni.addStaffReply(gp.caseId, 'Thanks, fixed in 2.1')).webhookStatus).toBe(200);
    expect((await loop.omni.addStaffReply(ru.caseId, 'Спасибо, исправили')).webhookStatus).toBe(200);
    await waitFor(() => answerPostsSeen(loop) > 0, 'a store answer in flight', 30_000);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(sendingRows(loop)).toBe(1);

    const restartedAt = Date.now();
    const second = await spawnServeHook(loop);
    loop.omni.setChannelWebhook('cch1', `${second.url}/omnidesk/webhook/${secret}`);
    await waitFor(
      () => loop.notes(gp.caseId).length === 1 && loop.notes(ru.caseId).length === 1,
      'one outcome note per case',
      60_000,
    );
    const ms = Date.now() - restartedAt;
    // Published by the restarted process, far inside the 5-minute window that used to apply.
    expect(ms).toBeLessThan(4 * 60_000);
    expect(sendingRows(loop)).toBe(0);
    expect(loop.gp.replies(apps['google-play'])).toEqual([
      expect.objectContaining({ reviewId: gp.reviewId, text: 'Thanks, fixed in 2.1' }),
    ]);
    expect(loop.ru.feedback().filter((f) => f.status !== 'DELETED')).toEqual([
      expect.objectContaining({ commentId: Number(ru.reviewId), text: 'Спасибо, исправили' }),
    ]);
    // The cut one may have reached its store before the kill: sent at most twice, overwritten or looked up.
    expect(answerPostsSeen(loop)).toBeLessThanOrEqual(3);
    expect(loop.notes(gp.caseId)).toEqual(['asodesk-omni: the reply is published on Google Play.']);
    second.child.kill('SIGTERM');
    await second.exited;
    console.info(`serve-hook restarted: both replies published and noted ${ms} ms after the restart began`);
  }, 120_000);

  it('the next sync publishes a reply a killed serve-hook held, without waiting for the claim to go stale', async () => {
    const loop = await startLoop();
    const gp = await loop.reviewWithCase('google-play');
    loop.gp.server.setFaults({
      rate: 1,
      kinds: ['timeout'],
      pathPrefix: `/androidpublisher/v3/applications/${apps['google-play']}/reviews/`,
    });
    const run = await spawnServeHook(loop);
    loop.omni.setChannelWebhook('cch1', `${run.url}/omnidesk/webhook/${secret}`);
    expect((await loop.omni.addStaffReply(gp.caseId, 'Thanks, fixed')).webhookStatus).toBe(200);
    await waitFor(() => answerPostsSeen(loop) > 0, 'the store answer in flight', 30_000);
    run.child.kill('SIGKILL');
    await run.exited;
    loop.gp.server.clearFaults();
    // What `sync` runs after its pull, with the real clock.
    const report = await loop.publisher().flush();
    expect(report).toMatchObject({ published: 1, notes: 1, skipped: 0 });
    expect(loop.gp.replies(apps['google-play'])).toEqual([
      expect.objectContaining({ reviewId: gp.reviewId, text: 'Thanks, fixed' }),
    ]);
    expect(loop.notes(gp.caseId)).toHaveLength(1);
    expect(await loop.publisher().outbox.inFlight()).toEqual({ inFlight: 0, stuck: 0 });
  }, 120_000);
});
