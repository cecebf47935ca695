/**
 * What every command receives: where the config and database are, a logger on stderr,
 * and a writer for results on stdout. Built once from the global options.
 */
import { existsSync } from 'node:fs';
import { resolveLocation, type ConfigLocation, type Env } from '../config/load.js';
import { Logger, redact, type LogLevel } from '../log.js';

export interface GlobalOptions {
  config?: string | undefined;
  db?: string | undefined;
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

export function loadDotEnv(env: NodeJS.ProcessEnv): void {
  // A `.env` in the working directory fills env vars that are not set already.
  if (existsSync('.env')) {
    try {
      process.loadEnvFile('.env');
    } catch {
      // An unreadable .env is reported by `config check`, not here.
    }
  }
  void env;
}

export function makeContext(opts: GlobalOptions, env: Env = process.env, stdout: (t: string) => void = (t) => process.stdout.write(t)): CommandContext {
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
