/**
 * `state migrate --to <postgres-url>`: the SQLite state file copied into PostgreSQL, so an
 * install moves without re-reading Omnidesk. The URL is a secret: registered for redaction
 * before anything can print it, and shown masked only.
 */
import { existsSync } from 'node:fs';
import { maskStateUrl, registerStateUrl, stateUrlProblem } from '../../config/state-url.js';
import { migrateState } from '../../engine/migrate-state.js';
import { ExitCode, LockedError, UserError, type ExitCodeValue } from '../../errors.js';
import type { CopyCounts, CopyProgress } from '../../state/copy.js';
import type { StateDb } from '../../state/handle.js';
import { recordedOwner, type StateOwner } from '../../state/identity.js';
import { openDb } from '../../state/db.js';
import { openState } from '../../state/open.js';
import type { CommandContext } from '../context.js';
import { progressEnabled } from '../progress.js';

export interface MigrateCommandOptions {
  to: string;
}

export interface MigrateResult {
  from: string;
  /** The target with its password masked. */
  to: string;
  tables: CopyCounts;
  rows: number;
  verified: true;
  owner: StateOwner | null;
}

export async function migrateCommand(ctx: CommandContext, opts: MigrateCommandOptions): Promise<ExitCodeValue> {
  const url = opts.to.trim();
  registerStateUrl(url);
  const problem = stateUrlProblem(url);
  if (problem) throw new UserError(`--to is not a usable PostgreSQL URL: ${problem}.`, ExitCode.usage);
  const shown = maskStateUrl(url);
  const from = ctx.location.dbPath;
  // The source is always the SQLite file. A state URL set too is fine when it is the target
  // (the setting made ready for after the move), but any other means the state already lives
  // in PostgreSQL: copying from there is not what this command does.
  const current = ctx.location.stateUrl;
  if (current && current !== url)
    throw new UserError(
      `state migrate copies the SQLite state file into PostgreSQL, but --state or ASODESK_OMNI_STATE_URL points at another PostgreSQL state (${maskStateUrl(current)}).`,
      ExitCode.usage,
      'Unset --state / ASODESK_OMNI_STATE_URL (or set it to the --to URL) and name the SQLite file with --db.',
    );
  if (!existsSync(from))
    throw new UserError(
      `There is no SQLite state file at ${from}; nothing to migrate.`,
      ExitCode.usage,
      'Name the state file with --db <path> (or ASODESK_OMNI_DB), as the sync of this install does.',
    );

  const source = openDb(from);
  let target: StateDb | undefined;
  try {
    target = await openState({ kind: 'postgres', url, shown });
    const counts = await migrateState({ source, target, onProgress: progress(ctx) }).catch((err: unknown) => {
      // The holder is named by the lock's message; what to do differs from a sync's.
      if (err instanceof LockedError)
        throw new UserError(
          err.message,
          ExitCode.locked,
          'Stop the sync timer (and serve-hook), wait for the running sync to end, then run state migrate again.',
        );
      throw err;
    });
    const result: MigrateResult = {
      from,
      to: shown,
      tables: counts,
      rows: Object.values(counts).reduce((a, b) => a + b, 0),
      verified: true,
      owner: (await recordedOwner(target)) ?? null,
    };
    ctx.out(ctx.json ? JSON.stringify(result, null, 2) : render(result));
    return ExitCode.ok;
  } finally {
    if (progressEnabled(ctx)) process.stderr.write('\r\x1b[K');
    await target?.close();
    await source.close();
  }
}

/** On a terminal one line that follows the copy; otherwise a line per table copied (logs). */
function progress(ctx: CommandContext): ((p: CopyProgress) => void) | undefined {
  if (ctx.json || ctx.quiet) return undefined;
  if (progressEnabled(ctx))
    return (p) => process.stderr.write(`\r\x1b[KCopying ${p.table}: ${p.copied} of ${p.total} rows`);
  return (p) => {
    if (p.copied === p.total) process.stderr.write(`copied ${p.table}: ${p.total} ${p.total === 1 ? 'row' : 'rows'}\n`);
  };
}

function render(r: MigrateResult): string {
  const width = Math.max(...Object.keys(r.tables).map((t) => t.length));
  const digits = Math.max(...Object.values(r.tables).map((n) => String(n).length));
  const lines = [
    `State copied from ${r.from} to ${r.to}:`,
    ...Object.entries(r.tables).map(([t, n]) => `  ${t.padEnd(width)}  ${String(n).padStart(digits)}`),
    `Verified: every table has as many rows in the target as in the SQLite file (${r.rows} rows).`,
  ];
  if (r.owner) lines.push(`The state belongs to Omnidesk ${r.owner.account}, channel ${r.owner.channel}, as before.`);
  lines.push(
    '',
    'Next:',
    '  1. Point every process at the new state: ASODESK_OMNI_STATE_URL (from a secret store) or state.url in the config.',
    '  2. Restart the sync timer and serve-hook so they use it (a running serve-hook still writes the SQLite file).',
    `  3. Keep ${r.from} as a backup until the first syncs on the new state went through.`,
  );
  return lines.join('\n');
}
