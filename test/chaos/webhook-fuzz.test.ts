/**
 * `serve-hook` (the real process) fed seeded garbage: random bytes and JSON, mangled Omnidesk
 * bodies, bodies over the 64 KiB limit (declared and chunked), wrong or missing secrets, wrong
 * methods, keys that would reach Object.prototype. Every answer is a clear 4xx (or 200 for an
 * event that is not a reply), the listener keeps serving, and the replies table holds exactly
 * the genuine replies, published once.
 */
import Database from 'better-sqlite3';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePhpForm } from '../../src/connectors/helpdesk/omnidesk/webhook.js';
import { mulberry32 } from '../../src/emulators/harness.js';
import { ensureBuilt, killAllStarted, startCli } from '../helpers/spawn.js';
import { ChaosWorld, syncInProcess, testDir } from './chaos-world.js';

const seed = Number(process.env.CHAOS_SEED ?? 99);

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);
afterAll(() => killAllStarted());

interface Answer {
  status: number;
  json: Record<string, unknown> | undefined;
}

async function post(
  url: string,
  body: string | Buffer | Readable,
  contentType: string,
  method: 'POST' | 'PUT' | 'DELETE' | 'GET' = 'POST',
): Promise<Answer> {
  const res = await request(url, {
    method,
    headers: { 'content-type': contentType },
    body: method === 'GET' ? undefined : body,
  });
  const text = await res.body.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, json };
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

describe('serve-hook under fuzzed webhooks', () => {
  it('answers clear 4xx, keeps serving, records only the genuine replies', async () => {
    const chaos = await ChaosWorld.start({ dir: testDir(), seed });
    const { world } = chaos;
    const random = mulberry32(seed);
    try {
      const secret = world.config.webhook!.secret!;
      for (const app of ['ios', 'android', 'rustore'] as const) chaos.addReview(app);
      await syncInProcess(world);
      const caseIds = world.omnidesk.cases().map((c) => c.caseId);

      const hook = startCli(['serve-hook', '--port', '0', '-c', world.configPath, '--db', world.dbPath], {
        cwd: world.dir,
      });
      const deadline = Date.now() + 15_000;
      let base = '';
      while (!base) {
        base = /Listening on (http:\/\/[^/\s]+)/.exec(hook.stdout())?.[1] ?? '';
        if (Date.now() > deadline || hook.child.exitCode !== null)
          throw new Error(`serve-hook did not start: ${hook.stderr()}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      const url = `${base}/omnidesk/webhook/${secret}`;
      const genuine = (messageId: number, overrides: Record<string, string> = {}): Record<string, string> => ({
        type: 'message_new',
        'object[message_id]': String(messageId),
        'object[case_id]': String(caseIds[messageId % caseIds.length]),
        'object[staff_id]': '1',
        'object[user_id]': '5001',
        'object[content]': `Fuzz ${messageId}`,
        'object[note]': '0',
        'object[sent_via_rule]': '0',
        ...overrides,
      });

      const statuses = new Map<number, number>();
      const count = (s: number): void => void statuses.set(s, (statuses.get(s) ?? 0) + 1);

      // Wrong, missing or near-miss secrets: a plain 404, whatever the body.
      for (const target of [
        `${base}/omnidesk/webhook/${secret.slice(0, -1)}`,
        `${base}/omnidesk/webhook/${secret.toUpperCase()}`,
        `${base}/omnidesk/webhook`,
        `${base}/omnidesk/webhook/?secret=nope`,
        `${base}/omnidesk/webhook/${secret}/extra`,
        `${base}/`,
      ]) {
        const r = await post(target, form(genuine(900_001)), 'application/x-www-form-urlencoded');
        expect(r.status, target).toBe(404);
        count(r.status);
      }
      // Wrong methods.
      for (const method of ['PUT', 'DELETE'] as const) {
        const r = await post(url, form(genuine(900_002)), 'application/x-www-form-urlencoded', method);
        expect(r.status).toBe(405);
        count(r.status);
      }
      // Over the limit: declared, and streamed without a length.
      const huge = Buffer.alloc(70 * 1024, 'a');
      expect(
        (await post(url, `type=message_new&object[content]=${huge.toString()}`, 'application/x-www-form-urlencoded'))
          .status,
      ).toBe(413);
      async function* chunks(): AsyncIterable<Buffer> {
        for (let i = 0; i < 20; i++) yield Buffer.alloc(8 * 1024, 'b');
      }
      const streamed = await post(url, Readable.from(chunks()), 'application/x-www-form-urlencoded').catch(
        (err: Error) => ({ status: -1, json: { error: err.message } }),
      );
      // The listener answers 413 and drops the connection; a client may see either.
      expect([413, -1]).toContain(streamed.status);

      // Mangled Omnidesk bodies: nothing recorded.
      const mangled: [Record<string, string> | string, string][] = [
        [genuine(900_010, { 'object[message_id]': 'abc' }), 'form'],
        [genuine(900_011, { 'object[case_id]': '' }), 'form'],
        [genuine(900_012, { 'object[staff_id]': '-' }), 'form'],
        [genuine(900_013, { 'object[note]': 'maybe' }), 'form'],
        [genuine(900_015, { '__proto__[polluted]': 'yes', 'object[message_id]': 'x' }), 'form'],
        // Ids that are not Omnidesk's plain-digit safe integers.
        ...['0', '-5', ' 77 ', '1e3', '007', '9007199254740992', '99999999999999999999'].map(
          (id): [Record<string, string>, string] => [genuine(900_030, { 'object[message_id]': id }), 'form'],
        ),
        [genuine(900_031, { 'object[case_id]': '-1' }), 'form'],
        ['{"type":"message_new","object":{"case_id":1,"message_id":1e3,"staff_id":1}}', 'json'],
        // A hostile 60 KB body of `a[]=` keys (under the 64 KiB limit): refused at the key limit, fast.
        [`type=message_new&${'a[]=&'.repeat(12_000)}`, 'form'],
        ['{"type":"message_new","object":{"case_id":"1e400"}}', 'json'],
        ['{"type":"message_new","object":[1,2,3]}', 'json'],
        ['{"type":"message_new","object":{"case_id":1,"message_id":2,"staff_id":{"$gt":0}}}', 'json'],
        ['{"type": "message_new", "object": {"case_id": 1,', 'json'],
        ['null', 'json'],
        ['', 'form'],
      ];
      for (const [body, kind] of mangled) {
        const r = await post(
          url,
          typeof body === 'string' ? body : form(body),
          kind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
        );
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.json).toMatchObject({ status: 'error' });
        count(r.status);
      }
      // Staff notes, customer messages, events other than a new message: acknowledged, not recorded.
      const acknowledged: Record<string, string>[] = [
        { 'object[note]': '1' },
        { 'object[staff_id]': '0' },
        { type: '' },
        { type: 'case_closed' },
      ];
      for (const [i, overrides] of acknowledged.entries()) {
        const r = await post(url, form(genuine(900_020 + i, overrides)), 'application/x-www-form-urlencoded');
        expect(r.status).toBe(200);
        count(r.status);
      }
      // Seeded random bodies under the right secret.
      const types = [
        'application/x-www-form-urlencoded',
        'application/json',
        'text/plain',
        'application/octet-stream',
        '',
      ];
      for (let i = 0; i < 300; i++) {
        const length = Math.floor(random() * (random() < 0.1 ? 60_000 : 400));
        const bytes = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
        const body =
          random() < 0.5
            ? bytes
            : JSON.stringify({
                type: random() < 0.5 ? 'message_new' : `t${i}`,
                object: { case_id: bytes.toString('base64').slice(0, 8) },
              });
        const r = await post(url, body, types[Math.floor(random() * types.length)]!);
        expect([200, 400], `random body ${i}`).toContain(r.status);
        expect(r.json, `random body ${i}`).toBeDefined();
        count(r.status);
      }

      // Still serving: health, then genuine replies through Omnidesk's own webhook call.
      const health = await post(`${base}/healthz`, '', '', 'GET');
      expect(health).toMatchObject({ status: 200, json: { ok: true } });
      world.omnidesk.setChannelWebhook('cch1', url);
      const genuineReplies = [];
      for (const l of chaos.reviews) {
        const r = await chaos.reply(l);
        expect(r).toBeDefined();
        genuineReplies.push(r!);
      }
      const expectedIds = genuineReplies
        .map((r) => world.omnidesk.messages(r.caseId).find((m) => m.content === r.text)!.messageId)
        .sort();

      const db = new Database(world.dbPath, { readonly: true });
      const recorded = (): number[] =>
        (db.prepare('SELECT message_id FROM replies ORDER BY message_id').pluck().all() as number[]).sort();
      const states = (): string[] => db.prepare('SELECT state FROM replies').pluck().all() as string[];
      const end = Date.now() + 10_000;
      while (states().some((s) => s === 'pending' || s === 'sending') && Date.now() < end)
        await new Promise((r) => setTimeout(r, 20));
      expect(recorded()).toEqual(expectedIds);
      db.close();

      hook.child.kill('SIGTERM');
      const exit = await hook.exited;
      expect(exit.code, exit.stderr).toBe(0);
      // Bad requests are the client's problem: no 5xx, no crash, the secret never printed.
      expect(exit.stderr).not.toMatch(/"status":5\d\d|request failed|unexpected error/);
      expect(exit.stdout + exit.stderr).not.toContain(secret);
      chaos.expectConverged();
      console.info(`webhook fuzz (seed ${seed}): ${JSON.stringify(Object.fromEntries(statuses))}`);
    } finally {
      await world.stop();
    }
  }, 60_000);

  it('form keys naming Object.prototype are dropped, not written into it', () => {
    const tree = parsePhpForm(
      '__proto__[polluted]=yes&constructor[prototype][p2]=yes&object[__proto__][p3]=yes&type=message_new',
    );
    expect(tree).toEqual({ type: 'message_new' });
    const plain: Record<string, unknown> = {};
    expect([plain.polluted, plain.p2, plain.p3]).toEqual([undefined, undefined, undefined]);
  });
});
