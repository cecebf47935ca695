/**
 * Config file + env overrides → schema → cross-field rules → a Config, or a list of problems
 * each naming the field and what to do. Never throws a zod error at the user.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { registerSecret } from '../log.js';
import {
  appProblems,
  storeEnvOverrides,
  storeSecretValues,
  storeSettingsProblems,
  type EnvOverride,
} from '../connectors/stores/settings.js';
import { routingProblems } from '../rules/routing-config.js';
import { resolveConfigRelative } from './paths.js';
import { registerStateUrl } from './state-url.js';
import { configSchema, type Config } from './schema.js';
import type { ConfigLocation, Env } from './location.js';

export { resolveConfigRelative };
export { resolveLocation, type ConfigLocation, type Env } from './location.js';

/** Env vars that fill (and override) config fields; listed in `.env.example`. */
export const envOverrides: readonly EnvOverride[] = [
  ['ASODESK_OMNI_OMNIDESK_API_KEY', ['omnidesk', 'apiKey']],
  ['ASODESK_OMNI_OMNIDESK_BASE_URL', ['omnidesk', 'baseUrl']],
  ...storeEnvOverrides,
  ['ASODESK_OMNI_WEBHOOK_SECRET', ['webhook', 'secret']],
  ['ASODESK_OMNI_STATE_URL', ['state', 'url']],
];

/** ` (line 3, column 5)` from V8's "at position 42", so the place can be found in an editor. */
export function jsonErrorLine(text: string, message: string): string {
  const m = /at position (\d+)/.exec(message);
  if (!m) return '';
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` (line ${line}, column ${column})`;
}

export function readConfigFile(path: string): unknown {
  if (!existsSync(path)) return {};
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const where = jsonErrorLine(text, (err as Error).message);
    const comments = /^\s*(\/\/|#)/m.test(text)
      ? ' The file must be plain JSON: comments (// or #) are not allowed.'
      : '';
    throw new ConfigError(
      `The config file ${path} is not valid JSON${where}: ${(err as Error).message}.${comments}`,
      [],
      'Fix the file by hand, or move it away and run `asodesk-omni init`.',
    );
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function applyEnv(raw: unknown, env: Env): unknown {
  if (!isRecord(raw)) return raw;
  const out: Record<string, unknown> = structuredClone(raw);
  for (const [name, path] of envOverrides) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    // The Omnidesk section needs a subdomain and e-mail from the file; env alone cannot make it.
    if (path[0] === 'omnidesk' && !isRecord(out.omnidesk)) continue;
    let node = out;
    for (const key of path.slice(0, -1)) {
      if (!isRecord(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
  return out;
}

export function zodProblems(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message:
      issue.code === 'unrecognized_keys'
        ? `unknown field(s): ${issue.keys.join(', ')} (check the spelling)`
        : issue.message,
  }));
}

/** Rules that span fields: what the schema alone cannot say. */
export function crossFieldProblems(config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  config.apps.forEach((app, i) => {
    if (seen.has(app.id))
      problems.push({ path: `apps.${i}.id`, message: `duplicate app id "${app.id}": each app needs its own id` });
    seen.add(app.id);
    problems.push(...appProblems(app, i));
  });
  problems.push(...storeSettingsProblems(config));
  problems.push(...routingProblems(config));
  return problems;
}

export interface ParsedConfig {
  config: Config | undefined;
  problems: ConfigProblem[];
}

export function parseConfig(raw: unknown, env: Env = process.env): ParsedConfig {
  const result = configSchema.safeParse(applyEnv(raw, env));
  if (!result.success) return { config: undefined, problems: zodProblems(result.error) };
  const problems = crossFieldProblems(result.data);
  registerConfigSecrets(result.data);
  return { config: problems.length === 0 ? result.data : undefined, problems };
}

export function registerConfigSecrets(config: Config): void {
  registerSecret(config.omnidesk?.apiKey);
  for (const secret of storeSecretValues(config)) registerSecret(secret);
  registerSecret(config.webhook.secret);
  if (config.state?.url) registerStateUrl(config.state.url);
}

/** Load and validate; throws a ConfigError listing every problem. */
export function loadConfig(location: ConfigLocation, env: Env = process.env): Config {
  const { config, problems } = parseConfig(readConfigFile(location.configPath), env);
  if (!config) {
    throw new ConfigError(
      `The configuration at ${location.configPath} has ${problems.length} problem(s):\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n'),
      problems,
      'Fix these fields (or run `asodesk-omni init` to edit them), then `asodesk-omni config check`.',
    );
  }
  return config;
}
