import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitCounts, SqliteStateDb } from '../../../src/state/sqlite-handle.js';
import { tempDir } from '../../helpers/temp.js';

/** A promise and the function that resolves it: lets a test hold a transaction open at a chosen point. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('SqliteStateDb', () => {
  let db: SqliteStateDb;

  beforeEach(() => {
    db = new SqliteStateDb(new Database(':memory:'));
    db.sqlite.exec('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, n INTEGER)');
  });
  afterEach(async () => {
    await db.close();
  });

  const names = (): Promise<string[]> => db.column<string>('SELECT name FROM t ORDER BY id');

  it('all, get, value, column and run answer as the interface says', async () => {
    expect(await db.run('INSERT INTO t (name, n) VALUES (?, ?), (?, ?)', ['a', 1, 'b', 2])).toEqual({ changes: 2 });
    expect(await db.all('SELECT name, n FROM t ORDER BY id')).toEqual([
      { name: 'a', n: 1 },
      { name: 'b', n: 2 },
    ]);
    expect(await db.get('SELECT name FROM t WHERE n = ?', [2])).toEqual({ name: 'b' });
    expect(await db.get('SELECT name FROM t WHERE n = ?', [9])).toBeUndefined();
    expect(await db.value<number>('SELECT COUNT(*) FROM t')).toBe(2);
    expect(await db.value('SELECT name FROM t WHERE n = ?', [9])).toBeUndefined();
    expect(await db.column('SELECT n FROM t ORDER BY n DESC')).toEqual([2, 1]);
    expect(await db.run('UPDATE t SET n = n + 1 WHERE n > ?', [5])).toEqual({ changes: 0 });
    expect(await db.run('INSERT INTO t (name) VALUES (?) ON CONFLICT (name) DO NOTHING', ['a'])).toEqual({
      changes: 0,
    });
    // A generated id comes back through RETURNING.
    const id = await db.value<number>('INSERT INTO t (name) VALUES (?) RETURNING id', ['c']);
    expect(id).toBe(await db.value('SELECT id FROM t WHERE name = ?', ['c']));
    expect(await db.get('UPDATE t SET n = 7 WHERE name = ? RETURNING id, n', ['c'])).toEqual({ id, n: 7 });
    // The same text is prepared once, in either row mode.
    expect(await db.value('SELECT name FROM t WHERE id = ?', [1])).toBe('a');
    expect(await db.get('SELECT name FROM t WHERE id = ?', [1])).toEqual({ name: 'a' });
    expect(db.dialect).toBe('sqlite');
    expect(db.location).toBe(':memory:');
  });

  it('rejects (never throws) on an SQL error', async () => {
    const p = db.run('INSERT INTO nowhere VALUES (1)');
    await expect(p).rejects.toThrow(/no such table/);
    await expect(db.run('INSERT INTO t (n) VALUES (1)')).rejects.toThrow(/NOT NULL/);
  });

  it('commits what fn did, and rolls all of it back when fn throws', async () => {
    expect(await db.transaction(async () => (await db.run('INSERT INTO t (name) VALUES (?)', ['kept'])).changes)).toBe(
      1,
    );
    await expect(
      db.transaction(async () => {
        await db.run('INSERT INTO t (name) VALUES (?)', ['lost']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await names()).toEqual(['kept']);
    expect(db.sqlite.inTransaction).toBe(false);
    expect(db.inTransaction).toBe(false);
  });

  it('a nested call is a savepoint: its rollback keeps the outer work', async () => {
    await db.transaction(async () => {
      await db.run('INSERT INTO t (name) VALUES (?)', ['outer']);
      await expect(
        db.transaction(async () => {
          await db.run('INSERT INTO t (name) VALUES (?)', ['inner-lost']);
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
      await db.transaction(async () => {
        await db.run('INSERT INTO t (name) VALUES (?)', ['inner-kept']);
        await db.transaction(() => db.run('INSERT INTO t (name) VALUES (?)', ['deeper']));
      });
      expect(db.sqlite.inTransaction).toBe(true);
    });
    expect(await names()).toEqual(['outer', 'inner-kept', 'deeper']);
  });

  it('an error in the outer transaction rolls back its committed savepoints too', async () => {
    await expect(
      db.transaction(async () => {
        await db.transaction(() => db.run('INSERT INTO t (name) VALUES (?)', ['saved']));
        throw new Error('outer');
      }),
    ).rejects.toThrow('outer');
    expect(await names()).toEqual([]);
  });

  it("a second context's transaction waits for the first one's COMMIT", async () => {
    const log: string[] = [];
    const hold = gate();
    const inFirst = gate();
    const first = db.transaction(async () => {
      await db.run('INSERT INTO t (name) VALUES (?)', ['first-1']);
      log.push('first: wrote 1');
      inFirst.open();
      await hold.opened;
      await db.run('INSERT INTO t (name) VALUES (?)', ['first-2']);
      log.push('first: wrote 2');
    });
    await inFirst.opened;
    const second = db.transaction(async () => {
      log.push('second: started');
      // Sees the first transaction's rows: it ran after its COMMIT.
      log.push(`second: sees ${(await names()).join(',')}`);
      await db.run('INSERT INTO t (name) VALUES (?)', ['second']);
    });
    log.push('second: queued');
    hold.open();
    await Promise.all([first, second]);
    expect(log).toEqual([
      'first: wrote 1',
      'second: queued',
      'first: wrote 2',
      'second: started',
      'second: sees first-1,first-2',
    ]);
    expect(await names()).toEqual(['first-1', 'first-2', 'second']);
  });

  it('a statement outside while another context holds a transaction waits, and sees no half of it', async () => {
    const log: string[] = [];
    const hold = gate();
    const inside = gate();
    const tx = db.transaction(async () => {
      await db.run('INSERT INTO t (name) VALUES (?)', ['in-tx']);
      inside.open();
      await hold.opened;
      log.push('tx: commit');
    });
    await inside.opened;
    const outside = db.column<string>('SELECT name FROM t').then((rows) => {
      log.push(`outside: ${rows.join(',')}`);
    });
    // Without the wait, the statement would have run inside the open transaction by now.
    await Promise.resolve();
    log.push('released');
    hold.open();
    await Promise.all([tx, outside]);
    expect(log).toEqual(['released', 'tx: commit', 'outside: in-tx']);
  });

  it("a statement outside does not join the transaction: the transaction's rollback leaves it", async () => {
    const hold = gate();
    const inside = gate();
    const tx = db.transaction(async () => {
      await db.run('INSERT INTO t (name) VALUES (?)', ['rolled-back']);
      inside.open();
      await hold.opened;
      throw new Error('rollback');
    });
    await inside.opened;
    const outside = db.run('INSERT INTO t (name) VALUES (?)', ['outside']);
    hold.open();
    await expect(tx).rejects.toThrow('rollback');
    await outside;
    expect(await names()).toEqual(['outside']);
  });

  it('concurrent nested calls of one transaction take turns', async () => {
    const log: string[] = [];
    const hold = gate();
    await db.transaction(async () => {
      const a = db.transaction(async () => {
        log.push('a: start');
        await hold.opened;
        await db.run('INSERT INTO t (name) VALUES (?)', ['a']);
        log.push('a: end');
        throw new Error('a fails');
      });
      const b = db.transaction(async () => {
        log.push('b: start');
        await db.run('INSERT INTO t (name) VALUES (?)', ['b']);
        log.push('b: end');
      });
      hold.open();
      await expect(a).rejects.toThrow('a fails');
      await b;
    });
    expect(log).toEqual(['a: start', 'a: end', 'b: start', 'b: end']);
    expect(await names()).toEqual(['b']);
  });

  it('a context that outlives its transaction is outside again', async () => {
    let later: (() => Promise<unknown>) | undefined;
    await db.transaction(async () => {
      later = () => db.run('INSERT INTO t (name) VALUES (?)', ['after']);
      await db.run('INSERT INTO t (name) VALUES (?)', ['during']);
    });
    const hold = gate();
    const inside = gate();
    const other = db.transaction(async () => {
      inside.open();
      await hold.opened;
      await db.run('INSERT INTO t (name) VALUES (?)', ['other']);
    });
    await inside.opened;
    // Runs in the first transaction's async context, which has ended: it waits for `other`.
    const late = later!();
    hold.open();
    await Promise.all([other, late]);
    expect(await names()).toEqual(['during', 'other', 'after']);
  });

  it('a failed BEGIN (another connection holds the write lock) rejects and frees the queue', async () => {
    const path = join(tempDir(), 'state.db');
    const a = new SqliteStateDb(new Database(path));
    const b = new Database(path);
    try {
      a.sqlite.pragma('busy_timeout = 0');
      a.sqlite.exec('CREATE TABLE x (v INTEGER)');
      b.exec('BEGIN IMMEDIATE');
      await expect(a.transaction(() => a.run('INSERT INTO x VALUES (1)'))).rejects.toMatchObject({
        code: 'SQLITE_BUSY',
      });
      b.exec('ROLLBACK');
      await a.transaction(() => a.run('INSERT INTO x VALUES (2)'));
      expect(await a.column('SELECT v FROM x')).toEqual([2]);
    } finally {
      b.close();
      a.closeSync();
    }
  });

  it('a lazy transaction commits without the disk sync, then restores the safety level, also when it fails', async () => {
    const file = new SqliteStateDb(new Database(join(tempDir(), 'lazy.db')));
    try {
      file.sqlite.pragma('journal_mode = WAL');
      file.sqlite.pragma('synchronous = FULL');
      file.sqlite.exec('CREATE TABLE t (name TEXT NOT NULL UNIQUE)');
      const level = (): number => file.sqlite.pragma('synchronous', { simple: true }) as number;
      const before = { ...commitCounts };
      const seen = await file.transaction(
        async () => {
          await file.run('INSERT INTO t (name) VALUES (?)', ['a']);
          return level();
        },
        { durability: 'lazy' },
      );
      // SQLite refuses to change the level inside a transaction: it was lowered before BEGIN.
      expect(seen).toBe(1);
      expect(level()).toBe(2);
      await expect(
        file.transaction(
          async () => {
            await file.run('INSERT INTO t (name) VALUES (?)', ['b']);
            throw new Error('boom');
          },
          { durability: 'lazy' },
        ),
      ).rejects.toThrow('boom');
      expect(level()).toBe(2);
      await file.transaction(() => file.run('INSERT INTO t (name) VALUES (?)', ['c']));
      await file.run('INSERT INTO t (name) VALUES (?)', ['d']);
      // A transaction that wrote nothing is not counted.
      await file.transaction(() => file.all('SELECT * FROM t'), { durability: 'lazy' });
      expect(await file.column<string>('SELECT name FROM t ORDER BY name')).toEqual(['a', 'c', 'd']);
      expect({ lazy: commitCounts.lazy - before.lazy, synced: commitCounts.synced - before.synced }).toEqual({
        lazy: 1,
        synced: 2,
      });
    } finally {
      file.closeSync();
    }
  });
});
