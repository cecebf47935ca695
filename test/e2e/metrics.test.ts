/**
 * Monitoring with the built binary against the emulator world: `sync --metrics-file` writes the
 * run's figures atomically (0644, no temp file left), `status --json` carries the same, and
 * `serve-hook --metrics-port` serves /metrics on loopback, apart from the webhook port, with the
 * webhooks received and refused, the replies per store and outcome, the publish latency and the
 * outbox. Reviews and tokens carry distinctive strings: none of them shows in any metric.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/commands/status/collect.js';
import { startWorld, worldStaff, type World } from '../../src/emulators/world.js';
import { ensureBuilt, killAllStarted, runCli, startCli, type CliProcess } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

let world: World | undefined;

beforeAll(ensureBuilt, 120_000);
afterEach(async () => {
  killAllStarted();
  await world?.stop();
  world = undefined;
});

async function printed(p: CliProcess, re: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = re.exec(p.stdout());
    if (m) return m;
    if (p.child.exitCode !== null) throw new Error(`exited ${p.child.exitCode}:\n${p.stdout()}\n${p.stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(re)}:\n${p.stdout()}\n${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function until(cond: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The value of one sample (`name{labels} value`) in a text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const secretsAndText = (w: World): string[] => [
  worldStaff.apiKey,
  w.config.webhook!.secret!,
  'ZEBRAQUOKKA',
  'Quokkasson',
  'ВЫДРА-ТЕКСТ',
  'PANGOLIN-REPLY',
];

describe('metrics', () => {
  it('sync --metrics-file, status --json and serve-hook /metrics show the figures, and no secret or text', async () => {
    const dir = tempDir();
    world = await startWorld({ dir });
    world.googlePlay.addReview('com.acme.reviews', {
      authorName: 'Quokkasson',
      text: 'ZEBRAQUOKKA\tIt crashes ZEBRAQUOKKA',
      starRating: 1,
    });
    world.googlePlay.addReview('com.acme.reviews', { authorName: 'Ann', text: 'Fine', starRating: 5 });
    world.rustore.addComment('ru.acme.reviews', { commentText: 'ВЫДРА-ТЕКСТ', appRating: 2, userName: 'Quokkasson' });
    world.saveConfig();
    const file = join(dir, 'textfile', 'asodesk_omni.prom');
    mkdirSync(join(dir, 'textfile'));

    const sync = await runCli(['sync', '--config', world.configPath, '--metrics-file', file]);
    expect(sync.code, sync.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(readdirSync(join(dir, 'textfile'))).toEqual(['asodesk_omni.prom']);
    expect(sample(text, 'asodesk_omni_sync_reviews_fetched{app="android",store="google-play"}')).toBe(2);
    expect(sample(text, 'asodesk_omni_sync_reviews_delivered{app="android",store="google-play"}')).toBe(2);
    expect(sample(text, 'asodesk_omni_sync_reviews_delivered{app="rustore",store="rustore"}')).toBe(1);
    expect(sample(text, 'asodesk_omni_sync_reviews_failed{app="android",store="google-play"}')).toBe(0);
    expect(sample(text, 'asodesk_omni_sync_reviews_set_aside{app="ios",store="app-store"}')).toBe(0);
    expect(sample(text, 'asodesk_omni_sync_ok')).toBe(1);
    const lastSuccess = sample(text, 'asodesk_omni_sync_last_success_timestamp_seconds')!;
    expect(Math.abs(lastSuccess - Date.now() / 1000)).toBeLessThan(600);
    expect(sample(text, 'asodesk_omni_sync_duration_seconds')).toBeGreaterThan(0);
    expect(sample(text, 'asodesk_omni_omnidesk_quota_left')).toBeGreaterThan(0);
    expect(sample(text, 'asodesk_omni_reply_outbox_depth')).toBe(0);
    expect(text).toContain('# TYPE asodesk_omni_sync_last_success_timestamp_seconds gauge');

    const status = await runCli(['status', '--json', '--config', world.configPath]);
    const report = JSON.parse(status.stdout) as StatusReport;
    expect(report.metrics!.sync).toMatchObject({ outcome: 'ok', lastSuccessAt: expect.any(String) });
    expect(report.metrics!.sync.apps).toContainEqual({
      app: 'android',
      store: 'google-play',
      fetched: 2,
      delivered: 2,
      setAside: 0,
      failed: 0,
    });
    expect(report.metrics!.replies).toEqual({ outboxDepth: 0, oldestPendingAgeSeconds: null });

    const hook = startCli(['serve-hook', '--config', world.configPath, '--port', '0', '--metrics-port', '0']);
    const base = (await printed(hook, /Listening on (http:\/\/\S+)\/omnidesk\/webhook/))[1]!;
    const metricsUrl = (await printed(hook, /Prometheus metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/))[1]!;
    expect(new URL(metricsUrl).port).not.toBe(new URL(base).port);
    // The webhook port has no /metrics (the proxy in front of it never exposes the figures).
    expect((await fetch(`${base}/metrics`)).status).toBe(404);

    const secret = world.config.webhook!.secret!;
    world.omnidesk.setChannelWebhook('cch1', `${base}/omnidesk/webhook/${secret}`);
    const crash = world.omnidesk.cases().find((c) => c.subject.includes('ZEBRAQUOKKA'))!;
    const sent = await world.omnidesk.addStaffReply(crash.caseId, 'PANGOLIN-REPLY: fixed in 3.2.1');
    expect(sent.webhookStatus).toBe(200);
    expect((await fetch(`${base}/omnidesk/webhook/wrong-secret-000000`, { method: 'POST' })).status).toBe(404);
    const bad = await fetch(`${base}/omnidesk/webhook/${secret}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message_new', nonsense: true }),
    });
    expect(bad.status).toBe(400);

    let scraped = '';
    await until(async () => {
      scraped = await (await fetch(metricsUrl)).text();
      return sample(scraped, 'asodesk_omni_replies_total{store="google-play",outcome="published"}') === 1;
    }, 'the published reply in /metrics');
    expect(sample(scraped, 'asodesk_omni_webhooks_received_total')).toBe(2);
    expect(sample(scraped, 'asodesk_omni_webhooks_rejected_total{reason="secret"}')).toBe(1);
    expect(sample(scraped, 'asodesk_omni_webhooks_rejected_total{reason="invalid"}')).toBe(1);
    expect(sample(scraped, 'asodesk_omni_reply_publish_duration_seconds_count{store="google-play"}')).toBe(1);
    expect(sample(scraped, 'asodesk_omni_reply_outbox_depth')).toBe(0);
    expect(sample(scraped, 'asodesk_omni_sync_reviews_delivered{app="android",store="google-play"}')).toBe(2);
    expect(world.googlePlay.replies('com.acme.reviews')[0]!.text).toContain('PANGOLIN-REPLY');

    for (const s of secretsAndText(world)) {
      expect(text).not.toContain(s);
      expect(scraped).not.toContain(s);
      expect(JSON.stringify(report.metrics)).not.toContain(s);
    }
    hook.child.kill('SIGTERM');
    expect((await hook.exited).code).toBe(0);
    expect(existsSync(file)).toBe(true);
  });
});
