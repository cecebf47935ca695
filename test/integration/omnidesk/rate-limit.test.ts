import { describe, expect, it } from 'vitest';
import { createOmnidesk } from '../../../src/connectors/helpdesk/omnidesk/index.js';
import { EmulatorServer } from '../../../src/emulators/harness.js';
import { memoryLogger } from '../../../src/log.js';
import { apiKey, draft, staffEmail, startOmnidesk } from './setup.js';

describe('Omnidesk rate limit', () => {
  it('learns the budget from headers; writes cost 2', async () => {
    const { helpdesk } = await startOmnidesk({ emulator: { requestsPerMinute: 50 } });
    await helpdesk.ping();
    expect(helpdesk.quotaSnapshot()).toEqual({ remaining: 49, limit: 50 });
    await helpdesk.createCase(draft('k1'));
    expect(helpdesk.quotaSnapshot()).toEqual({ remaining: 47, limit: 50 });
  });

  it('an injected 429 is waited out for retry_after seconds, then retried', async () => {
    const { emu, helpdesk, waits } = await startOmnidesk();
    emu.server.setFaults({ next: ['429'] });
    const started = Date.now();
    await helpdesk.ping();
    expect(emu.server.serviceRequests().map((r) => r.status)).toEqual([429, 200]);
    expect(waits).toContain(1000); // retry_after: 1 (seconds)
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('a real 429 (budget spent by another integration) is honoured, even a write', async () => {
    const { emu, helpdesk, waits } = await startOmnidesk({ emulator: { requestsPerMinute: 6, windowMs: 1_000 } });
    await helpdesk.ping(); // 5 left, as far as we know
    // Someone else on the account spends the rest.
    const other = createOmnidesk(
      { subdomain: 'acme', baseUrl: emu.baseUrl, staffEmail, apiKey, channel: 'cch1' },
      { logger: memoryLogger() },
    );
    await other.updateCase(1, {}); // no request
    await Promise.all([
      other.listCustomChannels(),
      other.listCustomChannels(),
      other.listCustomChannels(),
      other.listCustomChannels(),
      other.listCustomChannels(),
    ]);

    const started = Date.now();
    await helpdesk.createCase(draft('k-429'));
    const statuses = emu.server.serviceRequests().map((r) => `${r.method} ${r.status}`);
    expect(statuses.slice(-2)).toEqual(['POST 429', 'POST 201']);
    expect(emu.cases()).toHaveLength(1);
    expect(waits.some((w) => w >= 1000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  it('reads retry_after from the body when the header is missing', async () => {
    let n = 0;
    const server = new EmulatorServer({ name: 'body-429' });
    server.route('GET', '/api/custom_channels.json', () =>
      ++n === 1
        ? { status: 429, json: { error: 'rate_limit_exceeded', retry_after: 2 } }
        : { status: 200, json: { total_count: 0 } },
    );
    await server.start();
    try {
      const waits: number[] = [];
      const helpdesk = createOmnidesk(
        { subdomain: 'acme', baseUrl: server.baseUrl, staffEmail, apiKey },
        { logger: memoryLogger(), wait: async (ms) => void waits.push(ms) },
      );
      await helpdesk.ping();
      expect(waits).toEqual([2000]);
      expect(server.requests.map((r) => r.status)).toEqual([429, 200]);
    } finally {
      await server.stop();
    }
  });

  it('throttles before the limit: waits for the window instead of getting a 429', async () => {
    const { emu, helpdesk, waits } = await startOmnidesk({
      emulator: { requestsPerMinute: 6, windowMs: 800 },
      connector: { rateWindowMs: 800 },
    });
    const started = Date.now();
    for (let i = 0; i < 9; i++) await helpdesk.ping();
    expect(emu.server.serviceRequests().every((r) => r.status === 200)).toBe(true);
    expect(waits.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
  });

  it('keeps below a configured requests-per-minute ceiling', async () => {
    const { emu, helpdesk, waits } = await startOmnidesk({
      cfg: { requestsPerMinute: 3 },
      connector: { rateWindowMs: 400 },
    });
    for (let i = 0; i < 5; i++) await helpdesk.ping();
    expect(emu.server.serviceRequests()).toHaveLength(5);
    expect(waits.length).toBeGreaterThan(0);
    expect(helpdesk.quotaSnapshot().limit).toBe(3);
  });
});

describe('Omnidesk budget at saturation', () => {
  it('parallel writes spend the whole budget and never meet a 429: requests in flight count', async () => {
    const { emu, helpdesk } = await startOmnidesk({
      emulator: { requestsPerMinute: 20, windowMs: 500 },
      connector: { rateWindowMs: 500 },
    });
    // Four at a time (the client's limit per host), 25 creates: 50 units, three windows.
    const made = await Promise.all(Array.from({ length: 25 }, (_, i) => helpdesk.createCase(draft(`sat-${i}`))));
    expect(made.every((m) => m.created)).toBe(true);
    const answered = emu.server.serviceRequests();
    expect(answered.filter((r) => r.status === 429)).toHaveLength(0);
    expect(answered.map((r) => `${r.method} ${r.status}`)).toEqual(Array(25).fill('POST 201'));
    expect(emu.cases()).toHaveLength(25);
  });
});
