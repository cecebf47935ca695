/**
 * Opens the state a command works on: the SQLite file, or PostgreSQL when a state URL is set
 * (`pg` is loaded only then: start-up time is measured).
 */
import { existsSync } from 'node:fs';
import type { StateTarget } from '../config/state-url.js';
import { copyState } from './copy.js';
import { openDb, openDbCopy } from './db.js';
import type { StateDb } from './handle.js';

export async function openState(target: StateTarget): Promise<StateDb> {
  if (target.kind === 'sqlite') return openDb(target.path);
  const { openPgState } = await import('./postgres/migrations.js');
  return openPgState(target.url);
}

/**
 * A private in-memory copy of the state (dry runs): changes go nowhere and nothing is left on
 * any exit. A PostgreSQL state is copied into an in-memory SQLite state.
 */
export async function openStateCopy(target: StateTarget): Promise<StateDb> {
  if (target.kind === 'sqlite') return openDbCopy(target.path);
  const source = await openState(target);
  const copy = openDb(':memory:');
  try {
    await copyState(source, copy);
    return copy;
  } catch (err) {
    await copy.close();
    throw err;
  } finally {
    await source.close();
  }
}

/** The state if there is one yet (read-only commands do not create an empty SQLite file). */
export async function openExistingState(target: StateTarget): Promise<StateDb | undefined> {
  if (target.kind === 'sqlite' && !existsSync(target.path)) return undefined;
  return openState(target);
}

/** How the state is named in messages: the file, or the URL with its password masked. */
export function stateName(target: StateTarget): string {
  return target.kind === 'sqlite' ? target.path : target.shown;
}
