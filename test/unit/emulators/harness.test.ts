import { afterEach, describe, expect, it } from 'vitest';
import { EmulatorServer } from '../../../src/emulators/harness.js';

let server: EmulatorServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('EmulatorServer latency', () => {
  it('delays every service answer by the set latency, never the /__emulator routes', async () => {
    server = new EmulatorServer({ name: 'test' });
    server.route('GET', '/ping', () => ({ status: 200, json: { ok: true } }));
    const base = await server.start();
    server.setLatency(1_500);

    const started = performance.now();
    const order: string[] = [];
    const service = fetch(`${base}/ping`).then(async (r) => {
      order.push('service');
      return { status: r.status, ms: performance.now() - started };
    });
    const control = fetch(`${base}/__emulator/requests`).then(async (r) => {
      order.push('control');
      return r.status;
    });
    expect(await control).toBe(200);
    const answered = await service;
    expect(answered.status).toBe(200);
    expect(answered.ms).toBeGreaterThanOrEqual(1_450);
    expect(order).toEqual(['control', 'service']);

    server.setLatency(0);
    expect((await fetch(`${base}/ping`)).status).toBe(200);
  });
});
