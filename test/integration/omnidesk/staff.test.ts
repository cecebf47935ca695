/**
 * `GET /api/staff.json` as public clients read it (`{"0":{"staff":{…}},"total_count":N}`;
 * fields of palachX/laravel-omnidesk StaffData): ids and names for the report's agents.
 */
import { describe, expect, it } from 'vitest';
import { apiKey, staffEmail, startOmnidesk } from './setup.js';

describe('Omnidesk staff list', () => {
  it('names each staff member: the full name, else the e-mail; disabled ones are listed as inactive', async () => {
    const { helpdesk, emu } = await startOmnidesk({
      emulator: {
        staff: [
          { email: staffEmail, apiKey, staffId: 1, fullName: 'Anna Admin' },
          { email: 'bob@example.test', apiKey: 'k2', staffId: 22 },
          { email: 'old@example.test', apiKey: 'k3', staffId: 23, fullName: 'Old Agent', active: false },
        ],
      },
    });
    expect(await helpdesk.listStaff()).toEqual([
      { id: 1, name: 'Anna Admin', active: true },
      { id: 22, name: 'bob@example.test', active: true },
      { id: 23, name: 'Old Agent', active: false },
    ]);
    expect(emu.server.requests.some((r) => r.path === '/api/staff.json')).toBe(true);
  });

  it('a staff entry without an id is refused, naming the field', async () => {
    const { helpdesk, emu } = await startOmnidesk();
    emu.server.rewriteJson((path, json) =>
      path === '/api/staff.json' ? { '0': { staff: { staff_email: 'x@example.test' } }, total_count: 1 } : json,
    );
    await expect(helpdesk.listStaff()).rejects.toThrow(/staff_id/);
  });
});
