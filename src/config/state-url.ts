/**
 * Where the state lives when it is not the SQLite file: a PostgreSQL connection string, from
 * `--state`, `ASODESK_OMNI_STATE_URL` or `state.url` in the config. The string usually holds a
 * password, so it is a secret: registered for redaction as soon as it is read, and shown only
 * masked. No zod here: the location of every command is resolved through this module.
 */
import { ConfigError } from '../errors.js';
import { registerSecret } from '../log.js';
import type { ConfigLocation } from './paths.js';

const schemes = new Set(['postgres:', 'postgresql:']);

/** Why `text` is not a usable PostgreSQL URL, or undefined when it is. */
export function stateUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL: write postgres://user:password@host:5432/database';
  }
  if (!schemes.has(url.protocol))
    return `the scheme "${url.protocol.replace(/:$/, '')}" is not supported: only postgres:// (or postgresql://) URLs; leave it unset for the SQLite file`;
  if (!url.hostname && !url.searchParams.has('host'))
    return 'no host: write postgres://user:password@host:5432/database';
  return undefined;
}

/** The URL with its password (and a password given as a query parameter) replaced by `***`. */
export function maskStateUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return '***';
  }
  if (url.password) url.password = '***';
  if (url.searchParams.has('password')) url.searchParams.set('password', '***');
  return url.toString().replace('%2A%2A%2A', '***');
}

/**
 * Registers the URL as a secret, so no log or error line can print it; its password too when it
 * is long enough not to be an ordinary word (masking "postgres" everywhere would mangle text).
 */
export function registerStateUrl(text: string): void {
  registerSecret(text);
  try {
    const url = new URL(text);
    for (const password of [decodeURIComponent(url.password), url.searchParams.get('password') ?? ''])
      if (password.length >= minMaskedPasswordLength) registerSecret(password);
  } catch {
    // Not a URL: the whole text was registered.
  }
}

const minMaskedPasswordLength = 10;

export type StateTarget =
  | { kind: 'sqlite'; path: string }
  /** `shown` is the URL with its password masked: the only form that may be printed. */
  | { kind: 'postgres'; url: string; shown: string };

/**
 * The state a command opens: `--state` / `ASODESK_OMNI_STATE_URL` first, then `state.url` from
 * the config, else the SQLite file (`--db`, `ASODESK_OMNI_DB`, or beside the config).
 */
export function stateTarget(location: ConfigLocation, configUrl?: string): StateTarget {
  const fromLocation = location.stateUrl;
  if (fromLocation) {
    const problem = stateUrlProblem(fromLocation);
    if (problem)
      throw new ConfigError(`The state URL from --state or ASODESK_OMNI_STATE_URL is not usable: ${problem}.`, [
        { path: 'state.url', message: problem },
      ]);
    return { kind: 'postgres', url: fromLocation, shown: maskStateUrl(fromLocation) };
  }
  if (configUrl) return { kind: 'postgres', url: configUrl, shown: maskStateUrl(configUrl) };
  return { kind: 'sqlite', path: location.dbPath };
}
