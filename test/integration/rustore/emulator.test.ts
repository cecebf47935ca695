/** The emulator itself behaves like the service: envelopes, auth rules, paging limits. */
import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseRuStorePrivateKey, signRequest } from '../../../src/connectors/stores/rustore/auth.js';
import { ruStoreTestKey } from '../../helpers/rustore-keys.js';
import { pkg, setup } from './setup.js';

interface Envelope {
  code: string;
  message: string | null;
  body: unknown;
  timestamp: string;
}

async function call(
  baseUrl: string,
  path: string,
  init: { method?: string; token?: string; json?: unknown } = {},
): Promise<{ status: number; env: Envelope }> {
  const res = await fetch(baseUrl + path, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...(init.token ? { 'Public-Token': init.token } : {}) },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  return { status: res.status, env: (await res.json()) as Envelope };
}

async function signIn(
  baseUrl: string,
  now: number,
  path = '/public/auth/',
): Promise<{ status: number; env: Envelope }> {
  const key = ruStoreTestKey();
  const timestamp = formatTimestamp(now);
  const signature = signRequest(parseRuStorePrivateKey(key.privateKeyBase64), key.keyId, timestamp);
  return call(baseUrl, path, { method: 'POST', json: { keyId: Number(key.keyId), timestamp, signature } });
}

describe('RuStore emulator', () => {
  it('signs in at /public/auth with or without the slash, numeric keyId too, in the envelope', async () => {
    const t = await setup();
    for (const path of ['/public/auth/', '/public/auth']) {
      const { status, env } = await signIn(t.emu.server.baseUrl, t.clock.now, path);
      expect(status).toBe(200);
      expect(env).toMatchObject({ code: 'OK', message: null, body: { ttl: 900 } });
      expect(env.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}\+03:00$/);
    }
  });

  it('refuses a timestamp more than 60 s away, and a missing or expired token', async () => {
    const t = await setup({ emulator: { tokenTtlSec: 900 } });
    const stale = await signIn(t.emu.server.baseUrl, t.clock.now - 61_000);
    expect(stale).toMatchObject({ status: 400, env: { message: 'Range timestamp not valid' } });

    const { env } = await signIn(t.emu.server.baseUrl, t.clock.now);
    const token = (env.body as { jwe: string }).jwe;
    expect((await call(t.emu.server.baseUrl, `/public/v1/application/${pkg}/comment`)).status).toBe(401);
    expect((await call(t.emu.server.baseUrl, `/public/v1/application/${pkg}/comment`, { token })).status).toBe(200);
    t.clock.now += 900_000;
    const expired = await call(t.emu.server.baseUrl, `/public/v1/application/${pkg}/comment`, { token });
    expect(expired).toMatchObject({ status: 401, env: { code: 'ERROR', message: 'Token is invalid or expired' } });
  });

  it('pages comments (default 20, at most 100), filters by id, answers a bare array', async () => {
    const t = await setup();
    const ids = Array.from({ length: 30 }, (_, i) => t.emu.addComment(pkg, { at: t.clock.now - i }));
    const { env } = await signIn(t.emu.server.baseUrl, t.clock.now);
    const token = (env.body as { jwe: string }).jwe;
    const base = `/public/v1/application/${pkg}/comment`;
    const first = await call(t.emu.server.baseUrl, base, { token });
    expect(first.env.body).toHaveLength(20);
    expect((await call(t.emu.server.baseUrl, `${base}?page=1`, { token })).env.body).toHaveLength(10);
    expect((await call(t.emu.server.baseUrl, `${base}?size=101`, { token })).status).toBe(400);
    const one = await call(t.emu.server.baseUrl, `${base}?id=${ids[3]}`, { token });
    expect(one.env.body).toMatchObject([{ commentId: ids[3], packageName: pkg, edited: false }]);
  });

  it('keeps the id of an edited answer, back in moderation; delete marks it DELETED', async () => {
    const t = await setup({ emulator: { moderationDelayMs: 5000 } });
    const id = t.emu.addComment(pkg);
    const { env } = await signIn(t.emu.server.baseUrl, t.clock.now);
    const token = (env.body as { jwe: string }).jwe;
    const base = `/public/v1/application/${pkg}/feedback`;
    const created = await call(t.emu.server.baseUrl, `${base}?commentId=${id}`, {
      method: 'POST',
      token,
      json: { message: 'a' },
    });
    const fid = (created.env.body as { id: number }).id;
    t.clock.now += 5000;
    expect((await call(t.emu.server.baseUrl, `${base}/${fid}`, { token })).env.body).toMatchObject({
      id: String(fid),
      commentId: String(id),
      status: 'PUBLISHED',
      text: 'a',
    });
    const edited = await call(t.emu.server.baseUrl, `${base}/${fid}`, {
      method: 'POST',
      token,
      json: { message: 'b' },
    });
    expect(edited.env.body).toEqual({ id: fid });
    expect((await call(t.emu.server.baseUrl, `${base}/${fid}`, { token })).env.body).toMatchObject({
      status: 'MODERATION',
      text: 'b',
    });
    expect((await call(t.emu.server.baseUrl, `${base}/${fid}`, { method: 'DELETE', token })).status).toBe(200);
    expect((await call(t.emu.server.baseUrl, base, { token })).env.body).toMatchObject([
      { id: String(fid), status: 'DELETED' },
    ]);
    expect(
      (await call(t.emu.server.baseUrl, `${base}/${fid}`, { method: 'POST', token, json: { message: 'c' } })).status,
    ).toBe(404);
    expect(
      (await call(t.emu.server.baseUrl, `${base}?commentId=999`, { method: 'POST', token, json: { message: 'c' } }))
        .status,
    ).toBe(404);
  });

  it('answers injected faults with the envelope', async () => {
    const t = await setup();
    t.emu.server.setFaults({ next: ['429', '500'] });
    const limited = await call(t.emu.server.baseUrl, '/public/auth/', { method: 'POST', json: {} });
    expect(limited).toMatchObject({ status: 429, env: { code: 'TOO_MANY_REQUESTS' } });
    const failed = await call(t.emu.server.baseUrl, '/public/auth/', { method: 'POST', json: {} });
    expect(failed).toMatchObject({ status: 500, env: { code: 'ERROR', message: 'Internal server error' } });
  });
});
