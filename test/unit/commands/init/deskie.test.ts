/**
 * The wizard takes a Deskie account (deskie.io, Omnidesk's English edition) in either language:
 * the address typed as acme.deskie.io or its URL is checked against the Omnidesk emulator (the
 * base URL override on loopback), and the config gets `domain: "deskie.io"`.
 */
import { describe, expect, it } from 'vitest';
import { CTRL_C } from '../../../helpers/prompt-stub.js';
import { session, staff, startOmnidesk } from './setup.js';

describe('init with a Deskie account', () => {
  it.each([
    ['en', 'https://acme.deskie.io', 'Omnidesk address', 'API key', 'E-mail of the main admin', 'Custom channel'],
    ['ru', 'acme.deskie.io', 'Поддомен Omnidesk', 'API ключ', 'E-mail главного администратора', 'Кастомный канал'],
  ] as const)(
    '%s: %s is signed in against the emulator and saved as deskie.io',
    async (lang, typed, q0, q1, q2, q3) => {
      const omni = await startOmnidesk();
      const s = session(omni);
      const run = await s.run(
        [
          { q: q0, a: typed },
          { q: q1, a: staff.apiKey },
          { q: q2, a: staff.email },
          { q: q3, a: CTRL_C },
        ],
        { lang },
      );
      expect(run.out).toContain(staff.email);
      expect(run.config.omnidesk).toMatchObject({ subdomain: 'acme', domain: 'deskie.io', staffEmail: staff.email });
      // The emulator was asked (the env override), not acme.deskie.io itself.
      expect(omni.emu.server.requests.length).toBeGreaterThan(0);
    },
  );
});
