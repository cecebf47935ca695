/**
 * `asodesk-omni serve-hook` as a real process (from source via tsx): SIGTERM stops it cleanly
 * with exit code 0; SIGKILL after it acknowledged a reply loses nothing, and the next flush
 * (what `sync` runs) publishes the reply exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { serveHookCommand } from '../../../src/commands/serve-hook/serve-hook.js';
import { ConfigError } from '../../../src/errors.js';
import { memoryLogger } from '../../../src/log.js';
import { tempDir } from '../../helpers/temp.js';
import { join } from 'node:path';
import { answerWrites, apps, secret, startLoop, waitFor, type Loop } from './setup.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Running {
  child: ChildProcess;
  url: string;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function spawnServeHook(loop: Loop): Promise<Running> {
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
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout.push(d.toString());
      const m = /Listening on (http:\/\/[^/\s]+)/.exec(stdout.join(''));
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`serve-hook exited early: ${stderr.join('')}`)));
    setTimeout(() => reject(new Error(`serve-hook did not start: ${stderr.join('')}`)), 20_000).unref();
  });
  return { child, url, stdout, stderr, exited };
}

describe('serve-hook as a process', () => {
  it('prints the URL without the secret, and exits 0 on SIGTERM', async () => {
    const loop = await startLoop();
    const run = await spawnServeHook(loop);
    expect(run.stdout.join('')).toContain('/omnidesk/webhook/***');
    expect(run.stdout.join('') + run.stderr.join('')).not.toContain(secret);
    const health = await fetch(`${run.url}/healthz`);
    expect(await health.json()).toMatchObject({ ok: true, pending: 0 });
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.stderr.join('')).toContain('shutting down');
  });

  it('exits 130 on Ctrl-C (SIGINT), after the same clean stop', async () => {
    const loop = await startLoop();
    const run = await spawnServeHook(loop);
    run.child.kill('SIGINT');
    expect(await run.exited).toEqual({ code: 130, signal: null });
    expect(run.stderr.join('')).toContain('shutting down');
  });

  it('loses nothing when SIGKILLed after acknowledging: the next flush publishes the reply exactly once', async () => {
    const loop = await startLoop();
    const gp = await loop.reviewWithCase('google-play');
    const ru = await loop.reviewWithCase('rustore');
    const run = await spawnServeHook(loop);
    loop.omni.setChannelWebhook('cch1', `${run.url}/omnidesk/webhook/${secret}`);
    expect((await loop.omni.addStaffReply(gp.caseId, 'Thanks, fixed')).webhookStatus).toBe(200);
    expect((await loop.omni.addStaffReply(ru.caseId, 'Спасибо, исправили')).webhookStatus).toBe(200);
    run.child.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');

    // Whatever the killed process had done (nothing, claimed, or sent), a flush that takes over
    // stale claims ends with one answer per review.
    const later = loop.publisher(() => Date.now() + 6 * 60_000);
    await later.flush();
    await later.flush();
    expect(loop.gp.replies(apps['google-play'])).toEqual([
      expect.objectContaining({ reviewId: gp.reviewId, text: 'Thanks, fixed' }),
    ]);
    expect(loop.ru.feedback()).toEqual([
      expect.objectContaining({ commentId: Number(ru.reviewId), text: 'Спасибо, исправили' }),
    ]);
    expect(answerWrites(loop, 'rustore')).toBe(1);
    await waitFor(() => loop.notes(gp.caseId).length === 1 && loop.notes(ru.caseId).length === 1, 'one note per case');
  });
});

describe('serve-hook command', () => {
  it('without a webhook secret ends with a config error (exit code 3) that says what to do', async () => {
    const dir = tempDir();
    const configPath = join(dir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({ omnidesk: { subdomain: 'acme', staffEmail: 'a@acme.test', apiKey: 'k-1234567' } }),
    );
    const out: string[] = [];
    const ctx = {
      location: { configPath, dbPath: join(dir, 'state.db') },
      logger: memoryLogger(),
      json: false,
      quiet: false,
      env: {},
      out: (t: string) => out.push(t),
    };
    const err = await serveHookCommand(ctx, {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(3);
    expect((err as ConfigError).hint).toContain('asodesk-omni init');
    expect((err as ConfigError).hint).toContain('ASODESK_OMNI_WEBHOOK_SECRET');
  });
});
