/**
 * Which Omnidesk account and channel a state file belongs to. The state is a cache of one
 * channel's cases: used with another account or channel it would mix two worlds (a case id of
 * one answered in the other), so it refuses instead.
 */
import { omnideskBaseUrl } from '../config/omnidesk-address.js';
import { StateMismatchError } from '../errors.js';
import { Cursors } from './cursors.js';
import type { StateDb } from './handle.js';

export interface StateOwner {
  /** The Omnidesk account: its base URL (or subdomain.omnidesk.ru / .deskie.io), lower-case, no trailing slash. */
  account: string;
  channel: string;
}

export function ownerOf(
  omnidesk: (Parameters<typeof omnideskBaseUrl>[0] & { channel?: string | undefined }) | undefined,
): StateOwner | undefined {
  if (!omnidesk?.channel) return undefined;
  const base = omnideskBaseUrl(omnidesk);
  if (!base) return undefined;
  return { account: base.trim().toLowerCase().replace(/\/+$/, ''), channel: omnidesk.channel };
}

const key = 'state-owner';

/** The owner recorded in the state, if any (what `state migrate` says it carried over). */
export async function recordedOwner(db: StateDb): Promise<StateOwner | undefined> {
  const raw = await new Cursors(db).get(key);
  if (raw === undefined) return undefined;
  try {
    const known = JSON.parse(raw) as Partial<StateOwner>;
    if (typeof known.account === 'string' && typeof known.channel === 'string')
      return { account: known.account, channel: known.channel };
  } catch {
    // Unreadable: bindState replaces it on the next sync.
  }
  return undefined;
}

/**
 * Records the owner on first use; throws StateMismatchError when the state belongs to another
 * account or channel. `record: false` (a dry run) only checks.
 */
export async function bindState(
  db: StateDb,
  owner: StateOwner | undefined,
  opts: { record?: boolean; dbPath?: string } = {},
): Promise<void> {
  if (!owner) return;
  const cursors = new Cursors(db);
  const raw = await cursors.get(key);
  if (raw === undefined) {
    if (opts.record !== false) await cursors.set(key, JSON.stringify(owner));
    return;
  }
  let known: Partial<StateOwner> = {};
  try {
    known = JSON.parse(raw) as Partial<StateOwner>;
  } catch {
    // An unreadable record is replaced by the current owner below.
  }
  if (known.account === owner.account && known.channel === owner.channel) return;
  if (typeof known.account !== 'string' || typeof known.channel !== 'string') {
    if (opts.record !== false) await cursors.set(key, JSON.stringify(owner));
    return;
  }
  throw new StateMismatchError(
    `The state file${opts.dbPath ? ` ${opts.dbPath}` : ''} belongs to Omnidesk ${known.account}, channel ${known.channel}; this config uses ${owner.account}, channel ${owner.channel}.`,
  );
}
