/**
 * The reply outbox's lookups on the serve-hook path search an index instead of walking every
 * stored reply (EXPLAIN QUERY PLAN of the statements the methods really issue), so a webhook
 * costs the same with 50 or 50,000 replies stored.
 */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../../src/state/db.js';
import type { SqlParams } from '../../../src/state/handle.js';
import type { SqliteStateDb } from '../../../src/state/sqlite-handle.js';
import { ReplyOutbox } from '../../../src/state/replies.js';

/** The SQL of every statement `run` issues on `db` (through the StateDb interface the state classes use). */
async function issuedBy(db: SqliteStateDb, run: (outbox: ReplyOutbox) => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const statements = new Set(['all', 'get', 'value', 'column', 'run']);
  const spy = new Proxy(db, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop === 'string' && statements.has(prop))
        return (sql: string, params?: SqlParams) => {
          seen.push(sql);
          return (value as (sql: string, params?: SqlParams) => Promise<unknown>).call(target, sql, params);
        };
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  await run(new ReplyOutbox(spy));
  return seen;
}

function plan(db: SqliteStateDb, sql: string): string[] {
  const params = (sql.match(/\?/g) ?? []).map(() => null);
  return (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
}

/** Each lookup, and the index that bounds it (by review, or a partial index of the few rows it wants). */
const lookups: [string, string, (o: ReplyOutbox) => Promise<unknown>][] = [
  ['hasOtherAnswer', 'replies_review', (o) => o.hasOtherAnswer('google-play:app:r1', 1)],
  ['newerSent', 'replies_review', (o) => o.newerSent('google-play:app:r1', 1)],
  ['sentForReview', 'replies_review', (o) => o.sentForReview('google-play:app:r1', 1)],
  ['latestAnswerId', 'replies_review', (o) => o.latestAnswerId('google-play:app:r1')],
  ['orphanedNotes', 'replies_note_holder', (o) => o.orphanedNotes()],
];

describe('reply outbox query plans', () => {
  it.each(lookups)('%s reads through %s, never the whole replies table', async (_name, index, run) => {
    const db = openDb(':memory:');
    try {
      const statements = await issuedBy(db, run);
      expect(statements.length).toBeGreaterThan(0);
      for (const sql of statements) {
        const details = plan(db, sql).filter((d) => /\breplies\b/.test(d));
        expect(details.length, sql).toBeGreaterThan(0);
        for (const d of details)
          expect(d, sql).toMatch(new RegExp(`^(SEARCH|SCAN) replies USING (COVERING )?INDEX ${index}\\b`));
      }
    } finally {
      db.closeSync();
    }
  });
});
