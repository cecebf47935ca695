/**
 * The state file knows its Omnidesk account and channel: with another config it refuses
 * (exit 6) before sending anything, in `sync` and in `serve-hook`.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { serveHookCommand } from '../../../src/commands/serve-hook/serve-hook.js';
import { worldApps } from '../../../src/emulators/world.js';
import { ExitCode, StateMismatchError } from '../../../src/errors.js';
import { memoryLogger } from '../../../src/log.js';
import { ChaosWorld, testDir } from '../../chaos/chaos-world.js';
import { omnideskWrites, syncWith } from './helpers.js';

describe('state identity', () => {
  it('a state file used with another channel is refused with exit code 6, nothing sent', async () => {
    const dir = testDir();
    const chaos = await ChaosWorld.start({
      dir,
      seed: 6,
      omnidesk: {
        requestsPerMinute: 1_000_000,
        channels: [
          { id: 1, title: 'App reviews' },
          { id: 2, title: 'Other reviews' },
        ],
      },
    });
    const { world } = chaos;
    try {
      chaos.seed(2);
      expect((await syncWith(world, world.dbPath)).outcome).toBe('ok');
      const cases = world.omnidesk.cases().length;
      chaos.addReview('android');
      world.config.omnidesk!.channel = 'cch2';
      world.saveConfig();
      const writes = omnideskWrites(world);

      const err = await syncWith(world, world.dbPath).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StateMismatchError);
      expect((err as StateMismatchError).message).toContain('channel cch1');
      expect((err as StateMismatchError).message).toContain('channel cch2');
      expect((err as StateMismatchError).hint).toContain('state rebuild');

      const stderr: string[] = [];
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((chunk: string | Uint8Array) => (
        stderr.push(String(chunk)),
        true
      )) as typeof process.stderr.write;
      let code;
      try {
        code = await main([
          process.execPath,
          'asodesk-omni',
          'sync',
          '-q',
          '-c',
          world.configPath,
          '--db',
          world.dbPath,
        ]);
      } finally {
        process.stderr.write = write;
      }
      expect(code).toBe(ExitCode.stateMismatch);
      expect(code).toBe(6);
      expect(stderr.join('')).toContain('belongs to Omnidesk');

      world.config.webhook = { ...world.config.webhook, secret: 'identity-test-secret-0123456789' };
      world.saveConfig();
      const ctx = {
        location: { configPath: world.configPath, dbPath: world.dbPath },
        logger: memoryLogger(),
        json: false,
        quiet: true,
        env: {},
        out: () => {},
      };
      await expect(serveHookCommand(ctx, { port: '0' })).rejects.toBeInstanceOf(StateMismatchError);

      expect(omnideskWrites(world)).toBe(writes);
      expect(world.omnidesk.cases()).toHaveLength(cases);
      expect(world.omnidesk.cases().every((c) => c.channel === 'cch1')).toBe(true);

      // Back on its own channel, the state goes on as before.
      world.config.omnidesk!.channel = 'cch1';
      expect((await syncWith(world, world.dbPath)).apps.find((a) => a.app === 'android')?.created).toBe(1);
      expect(
        world.omnidesk.cases().filter((c) => c.userCustomId?.startsWith(`google-play:${worldApps.android.appId}`)),
      ).toHaveLength(3);
    } finally {
      await world.stop();
    }
  }, 60_000);
});
