import { describe, expect, it } from 'vitest';
import { createOmnidesk } from '../../../src/connectors/helpdesk/omnidesk/index.js';
import { EmulatorServer } from '../../../src/emulators/harness.js';
import { ConfigError } from '../../../src/errors.js';
import { memoryLogger } from '../../../src/log.js';
import { apiKey, calls, draft, remoteError, staffEmail, startOmnidesk } from './setup.js';

/** A bare server answering fixed bodies, for shapes the emulator never sends. */
async function fixedServer(routes: Record<string, { status: number; json?: unknown; text?: string }>) {
  const server = new EmulatorServer({ name: 'fixed' });
  for (const [key, res] of Object.entries(routes)) {
    const [method, path] = key.split(' ');
    server.route(method!, path!, () => res);
  }
  await server.start();
  const helpdesk = createOmnidesk(
    { subdomain: 'acme', baseUrl: server.baseUrl, staffEmail, apiKey, channel: 'cch1', caseFieldId: 1 },
    { logger: memoryLogger(), backoffBaseMs: 1 },
  );
  return { server, helpdesk };
}

describe('Omnidesk errors', () => {
  it('a wrong API key is an auth error pointing at Settings → API; the key is never quoted', async () => {
    const { emu, helpdesk } = await startOmnidesk({ cfg: { apiKey: 'omni-wrong-key-42' } });
    const err = await remoteError(helpdesk.ping());
    expect(err).toMatchObject({ kind: 'auth', status: 401 });
    expect(err.message).toMatch(/API key is wrong/);
    expect(err.message).toContain('Settings → API');
    expect(err.message + (err.hint ?? '')).not.toContain('omni-wrong-key-42');
    expect(calls(emu)).toEqual(['GET /api/custom_channels.json']); // auth errors are not retried
  });

  it('an e-mail that is not a staff account is a 403 auth error naming the e-mail', async () => {
    const { helpdesk } = await startOmnidesk({ cfg: { staffEmail: 'agent@elsewhere.test' } });
    const err = await remoteError(helpdesk.ping());
    expect(err).toMatchObject({ kind: 'auth', status: 403 });
    expect(err.message).toContain('agent@elsewhere.test is not a staff account');
  });

  it('the legacy 403 "rate limit exceeded" is rate limiting, retried', async () => {
    let n = 0;
    const server = new EmulatorServer({ name: 'legacy' });
    server.route('GET', '/api/custom_channels.json', () =>
      ++n === 1 ? { status: 403, text: 'Rate limit exceeded' } : { status: 200, json: { total_count: 0 } },
    );
    await server.start();
    try {
      const helpdesk = createOmnidesk(
        { subdomain: 'acme', baseUrl: server.baseUrl, staffEmail, apiKey },
        { logger: memoryLogger(), backoffBaseMs: 1 },
      );
      await helpdesk.ping();
      expect(server.requests.map((r) => r.status)).toEqual([403, 200]);
    } finally {
      await server.stop();
    }
  });

  it('5xx on reads are retried', async () => {
    const { emu, helpdesk } = await startOmnidesk();
    emu.server.setFaults({ next: ['503', '502'] });
    expect(await helpdesk.listCustomChannels()).toHaveLength(1);
    expect(emu.server.serviceRequests().map((r) => r.status)).toEqual([503, 502, 200]);
  });

  it('a body of the wrong shape is bad-payload naming the field', async () => {
    const { server, helpdesk } = await fixedServer({
      'GET /api/cases/:id.json': { status: 200, json: { case: { case_id: 'abc', labels: [] } } },
      'GET /api/labels.json': { status: 200, json: { '0': { label: { label_id: 1 } }, total_count: 1 } },
      'GET /api/custom_channels.json': { status: 200, text: '{"0":{"custom_chan' },
    });
    try {
      const err = await remoteError(helpdesk.getCase(1));
      expect(err).toMatchObject({ kind: 'bad-payload', status: 200 });
      expect(err.message).toContain('"case.case_id"');
      expect((await remoteError(helpdesk.labelId('x'))).message).toMatch(/label\.label_title/);
      expect((await remoteError(helpdesk.listCustomChannels())).message).toContain('not JSON');
    } finally {
      await server.stop();
    }
  });

  it('tolerates an empty page and PHP’s [] for an empty map', async () => {
    const { server, helpdesk } = await fixedServer({
      'GET /api/cases.json': { status: 200, json: { total_count: 0 } },
      'GET /api/cases/:id.json': {
        status: 200,
        json: { case: { case_id: 7, custom_fields: [], labels: [], updated_at: '-' } },
      },
    });
    try {
      expect(await helpdesk.findCaseByCustomId('k')).toBeUndefined();
      expect(await helpdesk.getCase(7)).toMatchObject({ caseId: 7, reviewKey: undefined, updatedAt: undefined });
    } finally {
      await server.stop();
    }
  });

  it('a missing API key is a config error naming the setting and the env var', () => {
    expect(() => createOmnidesk({ subdomain: 'acme', staffEmail }, { logger: memoryLogger() })).toThrow(ConfigError);
    try {
      createOmnidesk({ subdomain: 'acme', staffEmail }, { logger: memoryLogger() });
    } catch (err) {
      const e = err as ConfigError;
      expect(e.problems[0]?.path).toBe('omnidesk.apiKey');
      expect(e.problems[0]?.message).toContain('ASODESK_OMNI_OMNIDESK_API_KEY');
    }
  });

  it('a missing channel is a config error when a case needs it', async () => {
    const { helpdesk } = await startOmnidesk({ cfg: { channel: undefined } });
    await expect(helpdesk.createCase(draft('k'))).rejects.toThrow(/omnidesk\.channel/);
  });

  it('the emulator refuses bad bodies and limits with error codes', async () => {
    const { emu } = await startOmnidesk();
    const auth = `Basic ${Buffer.from(`${staffEmail}:${apiKey}`).toString('base64')}`;
    const post = (path: string, body: unknown) =>
      fetch(emu.baseUrl + path, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => [r.status, await r.json()]);
    expect(await post('/api/cases.json', { subject: 'x' })).toEqual([
      400,
      expect.objectContaining({ error: 'case_data_required' }),
    ]);
    expect(await post('/api/cases.json', { case: { subject: 's', user_custom_id: 'u', channel: 'cch1' } })).toEqual([
      400,
      { error: 'content_required' },
    ]);
    expect(await post('/api/labels.json', { label: {} })).toEqual([400, { error: 'label_title_required' }]);
    const list = await fetch(`${emu.baseUrl}/api/cases.json?limit=101`, { headers: { authorization: auth } });
    expect(list.status).toBe(400);
    expect(await list.json()).toMatchObject({ error: 'incorrect_limit' });
    expect(list.headers.get('api_calls_left')).toMatch(/^\d+$/);
  });
});
