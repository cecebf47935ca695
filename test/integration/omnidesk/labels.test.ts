import { describe, expect, it } from 'vitest';
import { calls, startOmnidesk } from './setup.js';

describe('Omnidesk labels', () => {
  it('finds an existing label across 3 pages, creates a missing one, and asks only once', async () => {
    const { emu, helpdesk } = await startOmnidesk();
    const seeded = emu.seedLabels(Array.from({ length: 230 }, (_, i) => `label ${i}`));

    expect(await helpdesk.labelId('label 229')).toBe(seeded[229]!.labelId);
    expect(calls(emu)).toEqual(['GET /api/labels.json', 'GET /api/labels.json', 'GET /api/labels.json']);
    expect(emu.server.serviceRequests().map((r) => new URLSearchParams(r.query).get('page'))).toEqual(['1', '2', '3']);

    const created = await helpdesk.labelId('Google Play');
    expect(emu.labels().filter((l) => l.title === 'Google Play')).toEqual([{ labelId: created, title: 'Google Play' }]);
    // The list is read once; creating needed a single POST.
    expect(calls(emu).slice(3)).toEqual(['POST /api/labels.json']);
    expect(JSON.parse(emu.server.serviceRequests()[3]!.body)).toEqual({ label: { label_title: 'Google Play' } });

    const before = emu.server.requests.length;
    expect(await helpdesk.labelId('Google Play')).toBe(created);
    expect(await helpdesk.labelId('label 3')).toBe(seeded[3]!.labelId);
    expect(emu.server.requests.length).toBe(before);
  });

  it('matches a label typed in another letter case instead of making a twin', async () => {
    const { emu, helpdesk } = await startOmnidesk();
    const [l] = emu.seedLabels(['Google Play']);
    expect(await helpdesk.labelId('google play')).toBe(l!.labelId);
    expect(emu.labels()).toHaveLength(1);
  });

  it('parallel calls for the same new title create it once', async () => {
    const { emu, helpdesk } = await startOmnidesk();
    const ids = await Promise.all([
      helpdesk.labelId('RuStore'),
      helpdesk.labelId('RuStore'),
      helpdesk.labelId('RuStore'),
    ]);
    expect(new Set(ids).size).toBe(1);
    expect(emu.labels()).toHaveLength(1);
    expect(calls(emu)).toEqual(['GET /api/labels.json', 'POST /api/labels.json']);
  });

  it('uses and fills the persistent label cache', async () => {
    const store = new Map<string, number>([['App Store', 999]]);
    const labelCache = {
      get: (t: string) => Promise.resolve(store.get(t)),
      set: (t: string, id: number) => {
        store.set(t, id);
        return Promise.resolve();
      },
    };
    const { emu, helpdesk } = await startOmnidesk({ connector: { labelCache } });

    expect(await helpdesk.labelId('App Store')).toBe(999);
    expect(calls(emu)).toEqual([]);
    const id = await helpdesk.labelId('★1');
    expect(store.get('★1')).toBe(id);
  });
});
