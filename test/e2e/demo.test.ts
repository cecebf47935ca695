/**
 * `asodesk-omni demo` as `npm start` runs it: the whole loop on the embedded emulators, then
 * `status` on what it left behind.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/commands/status/collect.js';
import { ensureBuilt, repoRoot, runCli } from '../helpers/spawn.js';
import { tempDir } from '../helpers/temp.js';

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);

describe('asodesk-omni demo', () => {
  it('reviews → cases → an agent reply published in each store → a second sync creates nothing', async () => {
    const dir = join(tempDir('asodesk-omni-demo-e2e-'), 'demo');
    const r = await runCli(['demo', '--dir', dir], { env: { ASODESK_OMNI_OMNIDESK_API_KEY: 'must-be-ignored' } });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = r.stdout;
    // No colour when not a terminal.
    // eslint-disable-next-line no-control-regex -- the assertion is about the ESC control character itself.
    expect(out).not.toMatch(/\x1b\[/);

    // First sync: every unanswered sample review became a case.
    const first = out.slice(out.indexOf('2. sync'), out.indexOf('3. '));
    expect(first).toMatch(/ios\s+api\s+4\s+4\s+0\s+0\s+4\s/);
    expect(first).toMatch(/android\s+api\s+5\s+5\s+0\s+1\s+4\s/);
    expect(first).toMatch(/rustore\s+api\s+4\s+4\s+0\s+0\s+4\s/);
    expect(first).toContain('★☆☆☆☆ App Store · Acme iOS: Вылетает при запуске');
    expect(first).toContain('这个应用程序非常好用 👍');
    expect(first).toContain('最高のアプリ');

    // The 1★ reviews are routed by the demo's rule and get a draft note.
    expect(first).toContain('Routing rule "one-star": 1★ → group "Escalations", priority high');
    expect(first).toMatch(
      /✓ case #\d+ ★☆☆☆☆ App Store · Acme iOS: Вылетает при запуске\n\s+group Escalations, priority high, labels .*urgent/,
    );
    expect(first).toMatch(/draft note: +asodesk-omni: reply draft \(not sent\)\. .*Hi ivan_p, we are/);

    // One agent reply per store, published, with the outcome noted in the case.
    for (const store of ['App Store', 'Google Play', 'RuStore'])
      expect(out).toMatch(new RegExp(`✓ ${store}: case #\\d+ \\(review by`));
    expect(out).toContain('store now has: PUBLISHED "Иван, версия 3.2.1');
    expect(out).toContain('store now has: PUBLISHED "Hi Ann, thank you!');
    expect(out).toContain('store now has: PUBLISHED "Мария, спасибо!');
    expect(out).toContain('note in case:  asodesk-omni: the reply is published on App Store.');
    expect(out).toContain('note in case:  asodesk-omni: the reply is published on Google Play.');
    expect(out).toContain('note in case:  asodesk-omni: the reply was sent to RuStore and is on moderation.');

    // Second sync: nothing new.
    const second = out.slice(out.indexOf('4. sync again'), out.indexOf('5. '));
    expect(second).toMatch(/ios\s+api\s+4\s+0\s+0\s+0\s+0\s/);
    expect(second).toContain('✓ 0 cases created (Omnidesk still has 12)');

    // The app without credentials: reviews flow, the reply is refused with a note.
    expect(out).toMatch(/ios-no-key\s+public\*\s+2\s+2/);
    expect(out).toContain('replies cannot be published');
    expect(out).toContain(
      '✓ note in case: asodesk-omni: the reply was not published. Replies to App Store reviews need the App Store credentials',
    );

    // The answered App Store reviewer raises the rating: one note and a label in the case.
    const effect = out.slice(out.indexOf('6. The reviewer changes the rating'), out.indexOf('7. '));
    expect(effect).toMatch(/ios\s+api\s+4\s+0\s+1\s+0\s+0\s+1\s/);
    expect(effect).toContain('reply effect: 1 edit of answered reviews, 1 rating change; 1 note in cases');
    expect(effect).toMatch(/✓ note in case #\d+: asodesk-omni: rating 1 → 4, less than a day after the answer\./);
    expect(effect).toMatch(/✓ labels of case #\d+: .*rating-up-after-reply/);

    // The report table: every app answered once; the App Store answer raised the rating by 3.
    const reportTable = out.slice(out.indexOf('7. `report`'), out.indexOf('→ Where to look next'));
    expect(reportTable).toMatch(/Acme iOS\s+4\s+1\s+\S+ (s|min|h)\s+\S+ (s|min|h)\s+1\s+0\s+0\s+1 \(100%\)\s+\+3\.0/);
    expect(reportTable).toMatch(/Acme Android\s+4\s+1\s/);
    expect(reportTable).toMatch(/total\s+12\s+3\s+\S+ (s|min|h)\s+\S+ (s|min|h)\s+3\s+0\s+0\s+1 \(33%\)\s+\+3\.0/);

    // The review Google Play shows answered is not a filter drop, and is not called "backlog".
    expect(out).toContain('android: not imported on the first sync: already answered 1');
    expect(out).not.toContain('dropped by filter: backlog');
    // Not on PATH in a clone: the suggested commands say how to run this very program.
    expect(out).toContain(`node ${join(repoRoot, 'bin/asodesk-omni.js')} status --config ${join(dir, 'config.json')}`);
    expect(Number(/Demo finished in ([\d.]+) s/.exec(out)?.[1])).toBeLessThan(20);
    // The env var did not leak into the demo's config; key files were written beside it, 0600.
    expect(out + r.stderr).not.toContain('must-be-ignored');
    for (const f of [
      'config.json',
      'AuthKey_DEMOKEY123.p8',
      'google-service-account.json',
      'rustore-private-key.txt',
    ]) {
      expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    }

    // status reads what the demo left.
    const status = await runCli(['status', '--json', '--config', join(dir, 'config.json')]);
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as StatusReport;
    expect(report.lastRun).toMatchObject({ command: 'sync', outcome: 'ok' });
    expect(report.apps.map((a) => [a.id, a.source, a.reviewsSeen, a.casesCreated, a.replies.published])).toEqual([
      ['ios', 'api', 4, 4, 1],
      ['android', 'api', 5, 4, 1],
      ['rustore', 'api', 4, 4, 1],
    ]);
  }, 60_000);

  it('refuses a folder that holds an earlier demo (exit 2)', async () => {
    const dir = tempDir('asodesk-omni-demo-e2e-');
    const first = await runCli(['demo', '--dir', dir]);
    expect(first.code).toBe(0);
    expect(existsSync(join(dir, 'asodesk-omni.db'))).toBe(true);
    const again = await runCli(['demo', '--dir', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('holds an earlier demo');
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toHaveProperty('omnidesk.channel', 'cch1');
  }, 60_000);
});
