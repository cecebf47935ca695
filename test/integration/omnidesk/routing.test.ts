import { describe, expect, it } from 'vitest';
import { draft, remoteError, startOmnidesk } from './setup.js';

const agent = { email: 'agent@example.test', apiKey: 'omni-test-key-0002', staffId: 7 };

describe('Omnidesk case routing fields (group_id, priority, staff_id)', () => {
  it('sent on create and on update; the case reads them back', async () => {
    const { emu, helpdesk } = await startOmnidesk({
      emulator: { staff: [{ email: 'admin@example.test', apiKey: 'omni-test-key-0001', staffId: 1 }, agent] },
    });
    const ref = await helpdesk.createCase(
      draft('gp:com.app:r-1', { routing: { groupId: 2, priority: 'high', staffId: 7 } }),
    );
    const post = emu.server.serviceRequests().find((r) => r.method === 'POST' && r.path === '/api/cases.json')!;
    expect(JSON.parse(post.body)).toMatchObject({ case: { group_id: 2, priority: 'high', staff_id: 7 } });
    expect(emu.cases()[0]).toMatchObject({ groupId: 2, priority: 'high', staffId: 7 });

    await helpdesk.updateCase(ref.caseId, { routing: { priority: 'critical', groupId: 1 } });
    const put = emu.server.serviceRequests().find((r) => r.method === 'PUT')!;
    expect(JSON.parse(put.body)).toEqual({ case: { group_id: 1, priority: 'critical' } });
    expect(emu.cases()[0]).toMatchObject({ groupId: 1, priority: 'critical', staffId: 7 });

    const groups = await fetch(`${emu.server.baseUrl}/api/groups.json`, {
      headers: { authorization: `Basic ${Buffer.from('admin@example.test:omni-test-key-0001').toString('base64')}` },
    });
    expect(await groups.json()).toMatchObject({
      '0': { group: { group_id: 1 } },
      '1': { group: { group_id: 2 } },
      total_count: 2,
    });
  });

  it('an unknown group or staff id is refused (400) with an error that says what to fix; nothing is made', async () => {
    const { emu, helpdesk } = await startOmnidesk();
    const group = await remoteError(helpdesk.createCase(draft('gp:com.app:r-1', { routing: { groupId: 99 } })));
    expect(group).toMatchObject({ status: 400, code: 'group_not_found', kind: 'rejected' });
    expect(group.message).toContain('fix the groupId of the routing rule');
    const staff = await remoteError(helpdesk.createCase(draft('gp:com.app:r-2', { routing: { staffId: 404 } })));
    expect(staff).toMatchObject({ status: 400, code: 'staff_not_found' });
    expect(emu.cases()).toEqual([]);

    const ok = await helpdesk.createCase(draft('gp:com.app:r-3'));
    const bad = await remoteError(helpdesk.updateCase(ok.caseId, { routing: { groupId: 42 } }));
    expect(bad.code).toBe('group_not_found');
    expect(emu.cases()[0]).toMatchObject({ groupId: 0, priority: 'normal' });
  });
});
