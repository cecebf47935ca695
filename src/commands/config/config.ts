import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { howToFinish, missingForDelivery } from '../../config/complete.js';
import { defaultConfigPath } from '../../config/paths.js';
import type { ServiceCheck } from '../../engine/wiring.js';
import { startProgress } from '../progress.js';
import { loadConfig, parseConfig, readConfigFile } from '../../config/load.js';
import { configSchema, secretFields } from '../../config/schema.js';
import { maskStateUrl } from '../../config/state-url.js';
import { ExitCode, UserError, type ExitCodeValue } from '../../errors.js';
import { dotEnvNames, type CommandContext } from '../context.js';

export async function configCheck(ctx: CommandContext, opts: { online: boolean }): Promise<ExitCodeValue> {
  const path = ctx.location.configPath;
  if (!existsSync(path)) {
    const hint =
      'Run `asodesk-omni init` to make one (or `asodesk-omni demo` to try everything on local emulators), or give the path with --config.';
    if (ctx.json)
      ctx.out(
        JSON.stringify(
          { ok: false, path, problems: [{ path: '(file)', message: 'no config file here' }], missing: [], online: [] },
          null,
          2,
        ),
      );
    else ctx.out(`${path}: no config file here.\n${hint}`);
    return ExitCode.config;
  }
  const { config, problems } = parseConfig(readConfigFile(path), ctx.env);
  if (!config) {
    if (ctx.json) ctx.out(JSON.stringify({ ok: false, path, problems, missing: [], online: [] }, null, 2));
    else {
      ctx.out(`${path}: ${problems.length} problem(s)`);
      for (const p of problems) ctx.out(`  ✗ ${p.path}: ${p.message}`);
      ctx.out(
        'Fix the fields above (or run `asodesk-omni init` to edit them), then run `asodesk-omni config check` again.',
      );
    }
    return ExitCode.config;
  }
  const missing = missingForDelivery(config);
  let online: ServiceCheck[] = [];
  if (opts.online) {
    const { checkServices } = await import('../../engine/wiring.js');
    const progress = startProgress(ctx, 'Checking the credentials against Omnidesk and the stores');
    try {
      online = await checkServices(config, ctx.location, ctx.logger, (service) =>
        progress.update(`Checking ${service}`),
      );
    } finally {
      progress.stop();
    }
  }
  const failed = online.filter((o) => !o.ok);
  // A refused credential is a configuration problem (3); a service that could not be reached is not (5: try again).
  const refused = failed.filter((o) => o.kind !== 'unreachable');
  if (ctx.json) {
    ctx.out(
      JSON.stringify(
        {
          ok: failed.length === 0 && missing.length === 0,
          complete: missing.length === 0,
          path,
          problems: [],
          missing,
          online,
        },
        null,
        2,
      ),
    );
  } else {
    ctx.out(missing.length === 0 ? `${path}: valid` : `${path}: valid, but incomplete: nothing can be delivered yet`);
    for (const m of missing) ctx.out(`  ! ${m.path}: ${m.message}`);
    if (missing.length > 0)
      ctx.out(howToFinish(missing, ctx.location.configPath === defaultConfigPath() ? '' : ` --config ${path}`));
    for (const o of online) ctx.out(`  ${o.ok ? '✓' : '✗'} ${o.service}: ${o.message}`);
    if (refused.length === 0 && failed.length > 0)
      ctx.out(
        'Some services could not be reached (network); nothing says the settings are wrong. Try again later (exit 5).',
      );
    // A refused key that came from ./.env is easy to miss: say so.
    const dotEnv = [...dotEnvNames()].filter((n) => n.startsWith('ASODESK_OMNI_'));
    if (refused.length > 0 && dotEnv.length > 0)
      ctx.out(`Note: ${dotEnv.join(', ')} came from ${join(process.cwd(), '.env')}; fix or remove it there.`);
  }
  if (missing.length > 0 || refused.length > 0) return ExitCode.config;
  return failed.length > 0 ? ExitCode.partialFailure : ExitCode.ok;
}

function redactSecrets(config: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(config);
  for (const path of secretFields) {
    const keys = path.split('.');
    let node: Record<string, unknown> | undefined = copy;
    for (const k of keys.slice(0, -1)) node = node?.[k] as Record<string, unknown> | undefined;
    const last = keys[keys.length - 1]!;
    if (node && node[last] !== undefined) node[last] = '***';
  }
  return copy;
}

export function configShow(ctx: CommandContext): ExitCodeValue {
  const config = loadConfig(ctx.location, ctx.env);
  ctx.out(JSON.stringify(redactSecrets(config as unknown as Record<string, unknown>), null, 2));
  return ExitCode.ok;
}

export function configPath(ctx: CommandContext): ExitCodeValue {
  const { configPath, dbPath, stateUrl } = ctx.location;
  const state = stateUrl ? maskStateUrl(stateUrl) : undefined;
  if (ctx.json) ctx.out(JSON.stringify(state ? { configPath, dbPath, stateUrl: state } : { configPath, dbPath }));
  else ctx.out(`config: ${configPath}\ndatabase: ${state ?? dbPath}`);
  return ExitCode.ok;
}

export function configSchemaCmd(ctx: CommandContext): ExitCodeValue {
  try {
    ctx.out(JSON.stringify(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }), null, 2));
  } catch (err) {
    throw new UserError(`Could not render the schema: ${(err as Error).message}`);
  }
  return ExitCode.ok;
}
