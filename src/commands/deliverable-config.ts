/** The config of a command: present and valid (`status`), and able to deliver cases (`sync`, `import`). */
import { existsSync } from 'node:fs';
import { describeMissing, howToFinish, missingForDelivery } from '../config/complete.js';
import { loadConfig } from '../config/load.js';
import { defaultConfigPath } from '../config/paths.js';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { CommandContext } from './context.js';

/** The config file, which must exist (exit 3 naming the path and `init` otherwise). */
export function loadExistingConfig(ctx: CommandContext): Config {
  if (!existsSync(ctx.location.configPath)) {
    throw new ConfigError(
      `No config at ${ctx.location.configPath}.`,
      [{ path: '(file)', message: 'missing' }],
      'Run `asodesk-omni init` to make one (or `asodesk-omni demo` to try everything on local emulators).',
    );
  }
  return loadConfig(ctx.location, ctx.env);
}

export function loadDeliverableConfig(ctx: CommandContext): Config {
  const config = loadExistingConfig(ctx);
  // A config that cannot deliver would fail every case (or read nothing): exit 3, not 5 or 0.
  const missing = missingForDelivery(config);
  if (missing.length > 0) {
    throw new ConfigError(
      `The configuration at ${ctx.location.configPath} is incomplete: nothing can be delivered yet.\n${describeMissing(missing)}`,
      missing.map((m) => ({ path: m.path, message: m.message })),
      howToFinish(
        missing,
        ctx.location.configPath === defaultConfigPath() ? '' : ` --config ${ctx.location.configPath}`,
      ),
    );
  }
  return config;
}
