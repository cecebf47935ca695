/**
 * The PostgreSQL side of src/state/faults.ts: what the server or the network says becomes one
 * StorageError (the same class, so the engine stops and the CLI exits 74 / 75 exactly as for
 * the SQLite file), naming the state by its URL without the password and saying what to check.
 * Errors of the SQL itself (constraints, syntax) are left alone: they are bugs or data, not
 * storage faults.
 *
 * The password never reaches a message, a hint or a cause: `location` is masked, and the text
 * of a driver error is scrubbed of every form of the secret before it is quoted (a URL that
 * fails to parse would otherwise be echoed whole by Node's URL parser).
 */
import { ConfigError, StorageError, type StorageFault } from '../../errors.js';

/** The parts of a state URL the program uses: the URL itself, its masked form, its secrets. */
export interface PgTarget {
  url: string;
  /** `postgres://user:***@host:port/db`: for messages. */
  location: string;
  /** Every spelling of the password (raw, decoded) and of other secret query parameters. */
  secrets: string[];
  database: string;
}

const secretParams = /pass|secret|key|token/i;

export function parsePgUrl(url: string): PgTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not quoted: the text may hold the password.
    throw new ConfigError(
      'state.url is not a valid postgres:// URL.',
      [],
      'Write it as postgres://user:password@host:5432/database (percent-encode special characters in the password).',
    );
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new ConfigError(
      `state.url must start with postgres:// or postgresql:// (it starts with ${u.protocol}//).`,
      [],
      'Write it as postgres://user:password@host:5432/database.',
    );
  }
  const secrets = new Set<string>();
  const addSecret = (s: string): void => {
    if (s.length === 0) return;
    secrets.add(s);
    try {
      secrets.add(decodeURIComponent(s));
    } catch {
      // not percent-encoded text
    }
    secrets.add(encodeURIComponent(s));
  };
  addSecret(u.password);
  const masked = new URL(url);
  if (masked.password) masked.password = '***';
  for (const [k, v] of u.searchParams) {
    if (secretParams.test(k)) {
      addSecret(v);
      masked.searchParams.set(k, '***');
    }
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
  // URL encodes the `*` it was given back as `***` only in the password: keep the text readable.
  const location = masked.toString().replace(/%2A%2A%2A/gi, '***');
  return { url, location, secrets: [...secrets].sort((a, b) => b.length - a.length), database };
}

/** `text` with every secret of `target` replaced by `***`. */
export function scrub(text: string, target: Pick<PgTarget, 'secrets' | 'url'>): string {
  let out = text.split(target.url).join('***');
  for (const s of target.secrets) out = out.split(s).join('***');
  return out;
}

/** A copy of a driver error safe to keep as a cause: message scrubbed, code kept, nothing else. */
export function safeCause(err: unknown, target: PgTarget): Error {
  const message = err instanceof Error ? err.message : String(err);
  const safe = new Error(scrub(message, target));
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') (safe as Error & { code: string }).code = code;
  safe.stack = `Error: ${safe.message}`;
  return safe;
}

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

const brokenConnection =
  /connection terminated|timeout expired|not queryable|server closed the connection|connection is closed|does not support ssl|ssl|socket/i;

type Kind = 'network' | 'login' | 'no-database' | 'privilege' | 'read-only' | 'full' | 'busy' | 'corrupt' | 'shutdown';

function kindOf(err: unknown): { kind: Kind; code: string } | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (networkCodes.has(code)) return { kind: 'network', code };
    if (code.startsWith('08')) return { kind: 'network', code };
    if (code.startsWith('28')) return { kind: 'login', code };
    if (code === '3D000') return { kind: 'no-database', code };
    if (code === '42501') return { kind: 'privilege', code };
    if (code === '25006') return { kind: 'read-only', code };
    if (code === '53100') return { kind: 'full', code };
    if (code === '53300' || code === '55P03' || code === '40P01') return { kind: 'busy', code };
    if (code === 'XX001' || code === 'XX002') return { kind: 'corrupt', code };
    if (code.startsWith('57P')) return { kind: 'shutdown', code };
    if (/^[0-9A-Z]{5}$/.test(code)) return undefined;
  }
  // The driver's own errors (no SQLSTATE): the connection broke or never came up.
  if (/SASL|password authentication|client password must be a string/i.test(err.message))
    return { kind: 'login', code: 'auth' };
  if (brokenConnection.test(err.message)) return { kind: 'network', code: 'connection' };
  return undefined;
}

/** True when the error means the connection it came from cannot be used again. */
export function connectionBroke(err: unknown): boolean {
  const k = kindOf(err)?.kind;
  return k === 'network' || k === 'shutdown';
}

const check =
  'Check state.url (host, port, database) and that the PostgreSQL server is running and reachable from here';

function describe(
  kind: Kind,
  location: string,
  code: string,
  reason: string,
  database: string,
): { fault: StorageFault; message: string; hint: string } {
  switch (kind) {
    case 'network':
      return {
        fault: 'io',
        message: `Cannot reach the PostgreSQL state at ${location} (${code}): ${reason}.`,
        hint: `${check} (firewall, listen_addresses, sslmode); the next run carries on from the last saved step.`,
      };
    case 'shutdown':
      return {
        fault: 'io',
        message: `The PostgreSQL server of the state at ${location} is shutting down or starting up (${code}): ${reason}.`,
        hint: `Wait until it accepts connections again, then run the command again; the write that failed was rolled back. ${check}.`,
      };
    case 'login':
      return {
        fault: 'unwritable',
        message: `The PostgreSQL server at ${location} refused the login (${code}): ${reason}.`,
        hint: 'Check the user and password in state.url (the password is never shown) and that pg_hba.conf lets this host in.',
      };
    case 'no-database':
      return {
        fault: 'unwritable',
        message: `The database "${database}" of state.url ${location} does not exist (${code}).`,
        hint: `Create it (\`createdb ${database}\`, or CREATE DATABASE as its owner) or fix the database name in state.url.`,
      };
    case 'privilege':
      return {
        fault: 'unwritable',
        message: `The PostgreSQL user of ${location} lacks a privilege the state needs (${code}): ${reason}.`,
        hint: 'Use the user that owns the database in state.url, or grant it CREATE on the schema and rights on the state tables.',
      };
    case 'read-only':
      return {
        fault: 'unwritable',
        message: `The PostgreSQL state at ${location} is read-only (${code}): ${reason}.`,
        hint: 'Point state.url at the primary server, not a standby, and check default_transaction_read_only.',
      };
    case 'full':
      return {
        fault: 'full',
        message: `The disk of the PostgreSQL server holding the state at ${location} is full (${code}); the write that failed was rolled back.`,
        hint: 'Free space on the database server, then run the command again; the next run carries on from the last saved step.',
      };
    case 'busy':
      return {
        fault: 'busy',
        message: `The PostgreSQL state at ${location} stayed locked by another process past the busy timeout (${code}): ${reason}.`,
        hint: 'Another asodesk-omni (sync, serve-hook) is writing to it; try again later. If nothing should be running, look at pg_stat_activity on the server.',
      };
    case 'corrupt':
      return {
        fault: 'corrupt',
        message: `The PostgreSQL server reports damaged data in the state at ${location} (${code}): ${reason}.`,
        hint: 'Have the database checked and restored from a backup by its administrator, or rebuild the state from Omnidesk with `asodesk-omni state rebuild`.',
      };
  }
}

/** The StorageError for a driver or server error about `target`, or undefined when it is not a storage fault. */
export function toPgStorageError(err: unknown, target: PgTarget, extra = ''): StorageError | undefined {
  if (err instanceof StorageError) return err;
  const k = kindOf(err);
  if (!k) return undefined;
  const raw = err instanceof Error && err.message ? err.message : k.code;
  const reason = scrub(raw + extra, target)
    .replace(/\s+/g, ' ')
    .trim();
  const { fault, message, hint } = describe(k.kind, target.location, k.code, reason, target.database);
  return new StorageError(fault, target.location, message, hint, { cause: safeCause(err, target) });
}
