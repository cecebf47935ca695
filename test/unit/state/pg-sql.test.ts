import { describe, expect, it } from 'vitest';
import { parsePgUrl, scrub, toPgStorageError } from '../../../src/state/postgres/pg-faults.js';
import { mayWrite, numberPlaceholders } from '../../../src/state/postgres/sql.js';

describe('numberPlaceholders', () => {
  it('numbers the placeholders in order', () => {
    expect(numberPlaceholders('SELECT a FROM t WHERE b = ? AND c IN (?, ?)')).toBe(
      'SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)',
    );
    expect(numberPlaceholders('VALUES (?,?)')).toBe('VALUES ($1,$2)');
  });

  it('leaves SQL without placeholders as it is', () => {
    const sql = "SELECT COUNT(*) AS n FROM reviews WHERE decision = 'deliver'";
    expect(numberPlaceholders(sql)).toBe(sql);
  });

  it('leaves a ? inside literals, quoted names and comments alone', () => {
    expect(numberPlaceholders("SELECT '?' AS q, ? AS p")).toBe("SELECT '?' AS q, $1 AS p");
    expect(numberPlaceholders("SELECT 'it''s ?', ?")).toBe("SELECT 'it''s ?', $1");
    expect(numberPlaceholders('SELECT "what?" FROM t WHERE x = ?')).toBe('SELECT "what?" FROM t WHERE x = $1');
    expect(numberPlaceholders('SELECT "a""?" , ?')).toBe('SELECT "a""?" , $1');
    expect(numberPlaceholders('SELECT 1 -- why?\n, ?')).toBe('SELECT 1 -- why?\n, $1');
    expect(numberPlaceholders('SELECT /* a? /* nested? */ b? */ ?')).toBe('SELECT /* a? /* nested? */ b? */ $1');
    expect(numberPlaceholders("SELECT E'\\'?', ?")).toBe("SELECT E'\\'?', $1");
    expect(numberPlaceholders('SELECT $x$ ? $x$, $$?$$, ?')).toBe('SELECT $x$ ? $x$, $$?$$, $1');
  });

  it('does not take a backslash in a standard string for an escape', () => {
    expect(numberPlaceholders("SELECT 'a\\', ?")).toBe("SELECT 'a\\', $1");
  });

  it('numbers adjacent placeholders separately', () => {
    expect(numberPlaceholders('SELECT ?||?')).toBe('SELECT $1||$2');
  });
});

describe('mayWrite', () => {
  it('tells queries from writes', () => {
    expect(mayWrite('SELECT 1')).toBe(false);
    expect(mayWrite('  -- note\n (select 1)')).toBe(false);
    expect(mayWrite('/* x */ VALUES (1)')).toBe(false);
    expect(mayWrite('INSERT INTO t VALUES (1) RETURNING id')).toBe(true);
    expect(mayWrite('update t set a = 1')).toBe(true);
    expect(mayWrite('WITH x AS (DELETE FROM t RETURNING 1) SELECT * FROM x')).toBe(true);
  });
});

describe('state URL', () => {
  it('masks the password in the location', () => {
    const t = parsePgUrl('postgres://omni:s%40cret!@db.example:5433/state?sslmode=require');
    expect(t.location).toBe('postgres://omni:***@db.example:5433/state?sslmode=require');
    expect(t.database).toBe('state');
    expect(scrub('x s@cret! y s%40cret! z', t)).toBe('x *** y *** z');
    expect(parsePgUrl('postgresql://omni@localhost/st').location).toBe('postgresql://omni@localhost/st');
  });

  it('masks secret query parameters too', () => {
    const t = parsePgUrl('postgres://u@h/db?password=hunter22&sslmode=disable');
    expect(t.location).not.toContain('hunter22');
    expect(scrub('hunter22', t)).toBe('***');
  });

  it('refuses a URL it cannot parse without quoting it', () => {
    const bad = 'postgres://u:topsecret@[bad/db';
    let err: unknown;
    try {
      parsePgUrl(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect(`${JSON.stringify(err)} ${String(err)} ${String((err as Error).cause)}`).not.toContain('topsecret');
    expect(() => parsePgUrl('mysql://u:p@h/db')).toThrow(/postgres:\/\//);
  });

  it('maps a refused connection to a storage error that names what to check, without the password', () => {
    const t = parsePgUrl('postgres://u:topsecret@127.0.0.1:1/db');
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1 (postgres://u:topsecret@127.0.0.1:1/db)'), {
      code: 'ECONNREFUSED',
    });
    const err = toPgStorageError(cause, t)!;
    expect(err.fault).toBe('io');
    expect(err.message).toContain('postgres://u:***@127.0.0.1:1/db');
    expect(err.hint).toMatch(/state\.url/);
    expect(err.hint).toMatch(/reachable/);
    expect(`${err.message} ${err.hint} ${String(err.cause)} ${(err.cause as Error).stack}`).not.toContain('topsecret');
  });

  it('leaves SQL errors alone', () => {
    const t = parsePgUrl('postgres://u:p@h/db');
    expect(toPgStorageError(Object.assign(new Error('duplicate key'), { code: '23505' }), t)).toBeUndefined();
  });
});
