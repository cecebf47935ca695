/**
 * What every command receives: where the config and database are, a logger on stderr,
 * and a writer for results on stdout. Built once from the global options.
 */
import { existsSync } from 'node:fs';
import { resolveLocation, type ConfigLocation, type Env } from '../config/location.js';
import type { ExitCodeValue } from '../errors.js';
import { Logger, redact, type LogLevel } from '../log.js';

export interface GlobalOptions {
  config?: string | undefined;
  db?: string | undefined;
  state?: string | undefined;
  json?: boolean | undefined;
  verbose?: boolean | undefined;
  quiet?: boolean | undefined;
}

export interface CommandContext {
  location: ConfigLocation;
  logger: Logger;
  json: boolean;
  quiet: boolean;
  env: Env;
  /** Results to stdout (redacted, like everything printed). */
  out(text: string): void;
}

/** Wraps a command's action: builds its context, runs it, turns the result into the exit code. */
export type WithContext = <A extends unknown[]>(
  fn: (ctx: CommandContext, ...args: A) => Promise<ExitCodeValue>,
) => (...args: A) => void;

const fromDotEnv = new Set<string>();

/** The variables a `.env` set (not those already in the environment): errors about them say where they came from. */
export function dotEnvNames(): ReadonlySet<string> {
  return fromDotEnv;
}

/** A `.env` in the working directory fills env vars that are not set already. */
export function loadDotEnv(): void {
  if (!existsSync('.env')) return;
  const before = new Set(Object.keys(process.env));
  try {
    process.loadEnvFile('.env');
    for (const name of Object.keys(process.env)) if (!before.has(name)) fromDotEnv.add(name);
  } catch (err) {
    process.stderr.write(
      `warning: .env in ${process.cwd()} could not be read (${(err as Error).message}); its values are ignored.\n`,
    );
  }
}

export function makeContext(
  opts: GlobalOptions,
  env: Env = process.env,
  stdout: (t: string) => void = (t) => process.stdout.write(t),
): CommandContext {
  const level: LogLevel = opts.verbose ? 'debug' : opts.quiet ? 'warn' : 'info';
  return {
    location: resolveLocation(opts, env),
    logger: new Logger({ level }),
    json: Boolean(opts.json),
    quiet: Boolean(opts.quiet),
    env,
    out: (text) => stdout(redact(text.endsWith('\n') ? text : text + '\n')),
  };
}
