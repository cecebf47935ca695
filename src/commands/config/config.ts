import { z } from 'zod';
import { loadConfig, parseConfig, readConfigFile } from '../../config/load.js';
import { configSchema, secretFields } from '../../config/schema.js';
import { ExitCode, UserError, type ExitCodeValue } from '../../errors.js';
import type { CommandContext } from '../context.js';

export async function configCheck(ctx: CommandContext, opts: { online: boolean }): Promise<ExitCodeValue> {
  const { config, problems } = parseConfig(readConfigFile(ctx.location.configPath), ctx.env);
  if (!config) {
    if (ctx.json) ctx.out(JSON.stringify({ ok: false, path: ctx.location.configPath, problems }, null, 2));
    else {
      ctx.out(`${ctx.location.configPath}: ${problems.length} problem(s)`);
      for (const p of problems) ctx.out(`  ✗ ${p.path}: ${p.message}`);
      ctx.out('Fix the fields above (or run `asodesk-omni init` to edit them), then run `asodesk-omni config check` again.');
    }
    return ExitCode.config;
  }
  const warnings: string[] = [];
  if (!config.omnidesk) warnings.push('omnidesk: not set up yet; run `asodesk-omni init`');
  else if (!config.omnidesk.apiKey) warnings.push('omnidesk.apiKey: not set (config or ASODESK_OMNI_OMNIDESK_API_KEY)');
  if (config.apps.length === 0) warnings.push('apps: no app connected yet; run `asodesk-omni init`');
  let online: { service: string; ok: boolean; message: string }[] = [];
  if (opts.online) {
    const { checkServices } = await import('../../engine/wiring.js');
    online = await checkServices(config, ctx.location, ctx.logger);
  }
  const failed = online.filter((o) => !o.ok);
  if (ctx.json) {
    ctx.out(JSON.stringify({ ok: failed.length === 0, path: ctx.location.configPath, problems: [], warnings, online }, null, 2));
  } else {
    ctx.out(`${ctx.location.configPath}: valid`);
    for (const w of warnings) ctx.out(`  ! ${w}`);
    for (const o of online) ctx.out(`  ${o.ok ? '✓' : '✗'} ${o.service}: ${o.message}`);
  }
  return failed.length > 0 ? ExitCode.config : ExitCode.ok;
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
  if (ctx.json) ctx.out(JSON.stringify(ctx.location));
  else ctx.out(`config: ${ctx.location.configPath}\ndatabase: ${ctx.location.dbPath}`);
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
