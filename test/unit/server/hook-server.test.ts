import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServeHook, type RunningServeHook } from '../../../src/server/serve-hook.js';
import type { PublishedReply } from '../../../src/connectors/stores/types.js';
import { memoryLogger } from '../../../src/log.js';
import { backends } from '../../helpers/backends.js';
import type { StateDb } from '../../../src/state/handle.js';
import { allStores, FakeHelpdesk, fakeServices, secret, seedReview, testConfig } from '../../helpers/fakes.js';

let db: StateDb;
let helpdesk: FakeHelpdesk;
let stores: ReturnType<typeof allStores>;
let logger: ReturnType<typeof memoryLogger>;
let hook: RunningServeHook | undefined;

describe.each(backends)('state on %s', (_backend, open) => {
  beforeEach(async () => {
    db = await open();
    helpdesk = new FakeHelpdesk();
    stores = allStores();
    logger = memoryLogger();
  });
  afterEach(async () => {
    await hook?.stop();
    hook = undefined;
  });

  async function start(debounceMs = 10): Promise<RunningServeHook> {
    hook = await startServeHook({
      db,
      config: testConfig(),
      services: fakeServices(helpdesk, stores),
      logger,
      host: '127.0.0.1',
      port: 0,
      debounceMs,
      retryIntervalMs: 60_000,
    });
    return hook;
  }

  function form(messageId: number, caseId: number, content: string): string {
    return new URLSearchParams({
      type: 'message_new',
      'object[message_id]': String(messageId),
      'object[case_id]': String(caseId),
      'object[staff_id]': '7235',
      'object[user_id]': '0',
      'object[custom_user_id]': 'google-play:com.acme.app:gp:r1',
      'object[content]': content,
      'object[note]': '0',
      'object[sent_via_rule]': '0',
    }).toString();
  }

  async function post(
    url: string,
    body: string,
    contentType = 'application/x-www-form-urlencoded',
  ): Promise<{ status: number; json: unknown }> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: res.status, json: await res.json() };
  }

  describe('hook server', () => {
    it('records a form-urlencoded webhook, answers ok and publishes in the background', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      const h = await start();
      const res = await post(`${h.server.url}/omnidesk/webhook/${secret}`, form(1, 10, 'Fixed in 2.1'));
      expect(res).toEqual({ status: 200, json: { status: 'ok' } });
      expect((await h.publisher.outbox.get(1))?.text).toBe('Fixed in 2.1');
      await waitFor(() => stores['google-play'].calls.length === 1 && helpdesk.notes.length === 1);
      expect((await h.publisher.outbox.get(1))?.state).toBe('published');
    });

    it('accepts JSON and the secret as ?secret=', async () => {
      const h = await start(60_000);
      const body = JSON.stringify({
        type: 'message_new',
        object: { message_id: 2, case_id: 10, staff_id: 5, content: 'Hi', note: false, sent_via_rule: false },
      });
      expect(await post(`${h.server.url}/omnidesk/webhook?secret=${secret}`, body, 'application/json')).toEqual({
        status: 200,
        json: { status: 'ok' },
      });
      expect((await h.publisher.outbox.get(2))?.text).toBe('Hi');
    });

    it('answers 404 to a wrong or missing secret and records nothing', async () => {
      const h = await start();
      for (const path of [
        `/omnidesk/webhook/${secret}x`,
        '/omnidesk/webhook/short',
        '/omnidesk/webhook',
        `/omnidesk/webhook?secret=${secret.slice(1)}`,
        '/elsewhere',
      ]) {
        const res = await post(`${h.server.url}${path}`, form(3, 10, 'Hi'));
        expect(res.status, path).toBe(404);
      }
      expect(await h.publisher.outbox.all()).toEqual([]);
      expect(logger.lines.join('')).not.toContain(secret.slice(1));
    });

    it('answers 413 to a body over the limit, declared or streamed', async () => {
      const h = await start();
      const big = 'x'.repeat(64 * 1024 + 1);
      expect(
        (await post(`${h.server.url}/omnidesk/webhook/${secret}`, `type=message_new&object[content]=${big}`)).status,
      ).toBe(413);
      // Chunked, no content-length: the limit is hit while reading.
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          `${h.server.url}/omnidesk/webhook/${secret}`,
          { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        for (let i = 0; i < 80; i++) req.write('y'.repeat(1024));
        req.end();
      });
      expect(status).toBe(413);
      expect(await h.publisher.outbox.all()).toEqual([]);
    });

    it('answers 400 with a short reason to a malformed body', async () => {
      const h = await start();
      const url = `${h.server.url}/omnidesk/webhook/${secret}`;
      const missing = await post(url, 'type=message_new&object[message_id]=5');
      expect(missing.status).toBe(400);
      expect(JSON.stringify(missing.json)).toContain('case_id');
      expect((await post(url, '{"type":', 'application/json')).status).toBe(400);
      expect((await post(url, '')).status).toBe(400);
      // Another event type with other fields is acknowledged, not failed.
      expect((await post(url, 'type=case_closed&object[id]=5')).status).toBe(200);
      expect(await h.publisher.outbox.all()).toEqual([]);
    });

    it('serves /healthz with pending counts', async () => {
      const h = await start(60_000);
      await post(`${h.server.url}/omnidesk/webhook/${secret}`, form(1, 10, 'Hi'));
      const res = await fetch(`${h.server.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, pending: 1, awaiting: 0, failed: 0 });
    });

    it('logs each request with the secret masked', async () => {
      const h = await start(60_000);
      await post(`${h.server.url}/omnidesk/webhook/${secret}`, form(1, 10, 'Hi'));
      await post(`${h.server.url}/omnidesk/webhook?secret=${secret}`, form(2, 10, 'Hi'));
      const access = logger.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'http');
      expect(access.map((l) => [l.method, l.path, l.status])).toEqual([
        ['POST', '/omnidesk/webhook/***', 200],
        ['POST', '/omnidesk/webhook?secret=***', 200],
      ]);
      expect(typeof access[0]?.ms).toBe('number');
      expect(logger.lines.join('')).not.toContain(secret);
    });

    it('shuts down gracefully: the in-flight request is answered and the running flush finishes', async () => {
      await seedReview(db, 'google-play', 'com.acme.app', 'gp:r1', 10);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const store = stores['google-play'];
      const original = store.publishReply.bind(store);
      store.publishReply = async (...args): Promise<PublishedReply> => {
        await gate;
        return original(...args);
      };
      const h = await start(0);
      await post(`${h.server.url}/omnidesk/webhook/${secret}`, form(1, 10, 'Hi'));
      await waitFor(async () => (await h.publisher.outbox.get(1))?.state === 'sending');

      // A request whose body is still arriving when the stop begins.
      let connected!: () => void;
      const isConnected = new Promise<void>((r) => (connected = r));
      let finishBody!: () => void;
      const slow = new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          `${h.server.url}/omnidesk/webhook/${secret}`,
          { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.on('socket', (s) => s.on('connect', connected));
        req.write(form(2, 10, 'Second').slice(0, 20));
        finishBody = () => req.end(form(2, 10, 'Second').slice(20));
      });
      await isConnected;
      await new Promise((r) => setTimeout(r, 50)); // the server has the headers: the request is in flight
      let stopped = false;
      const stopping = h.stop().then(() => (stopped = true));
      await new Promise((r) => setTimeout(r, 20));
      await expect(fetch(`${h.server.url}/healthz`)).rejects.toThrow(); // no longer accepting
      finishBody();
      expect(await slow).toBe(200);
      expect(stopped).toBe(false); // the flush is still waiting on the store
      release();
      await stopping;
      hook = undefined;
      expect((await h.publisher.outbox.get(1))?.state).toBe('published');
      expect(helpdesk.notes).toHaveLength(1);
      // The second reply was recorded; it is left for the next run, not lost.
      expect((await h.publisher.outbox.get(2))?.state).toBe('pending');
    });
  });

  async function waitFor(cond: () => boolean | Promise<boolean>, ms = 3_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 5));
    }
  }
});
