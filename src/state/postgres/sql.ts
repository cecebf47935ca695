/**
 * The state's SQL is written once with `?` placeholders (src/state/handle.ts); PostgreSQL
 * wants `$1…$n`. The rewrite skips what is not SQL code: 'string literals' (with '' inside,
 * and E'…' with backslash escapes), "quoted identifiers", -- line comments, nested block
 * comments and $tag$ dollar-quoted text, so a `?` in any of them is left as it is.
 */

const cache = new Map<string, string>();
const cacheMax = 2000;

const identChar = /[A-Za-z0-9_$\u0080-\uffff]/;

/** `sql` with its `?` placeholders numbered `$1…$n` (cached: the state repeats its statements). */
export function numberPlaceholders(sql: string): string {
  let text = cache.get(sql);
  if (text === undefined) {
    text = rewrite(sql);
    if (cache.size >= cacheMax) cache.clear();
    cache.set(sql, text);
  }
  return text;
}

function rewrite(sql: string): string {
  if (!sql.includes('?')) return sql;
  let out = '';
  let n = 0;
  let from = 0;
  let i = 0;
  const len = sql.length;
  while (i < len) {
    const c = sql[i];
    if (c === "'") {
      // E'…' (escape string): a backslash escapes the next character, also a quote.
      const escapes = i > 0 && (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !(i > 1 && identChar.test(sql[i - 2]!));
      i++;
      while (i < len) {
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === "'") {
          if (sql[i + 1] === "'") i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (c === '"') {
      i++;
      while (i < len) {
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? len : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      // PostgreSQL block comments nest.
      let depth = 1;
      i += 2;
      while (i < len && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (c === '$' && !(i > 0 && identChar.test(sql[i - 1]!))) {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 64))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        i = end < 0 ? len : end + tag.length;
      } else i++;
    } else if (c === '?') {
      out += `${sql.slice(from, i)}$${++n}`;
      i++;
      from = i;
    } else i++;
  }
  return out + sql.slice(from);
}

const readKeywords = new Set(['select', 'values', 'show', 'explain', 'table']);

/**
 * Whether a statement may write: anything but a plain query. `WITH` counts as a write (its
 * parts may be INSERT/UPDATE/DELETE); taking the write lock for a read costs a round trip, not
 * correctness.
 */
export function mayWrite(sql: string): boolean {
  let i = 0;
  const len = sql.length;
  for (;;) {
    while (i < len && (/\s/.test(sql[i]!) || sql[i] === '(')) i++;
    if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? len : end + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? len : end + 2;
    } else break;
  }
  const word = /^[A-Za-z]+/.exec(sql.slice(i, i + 16))?.[0]?.toLowerCase() ?? '';
  return !readKeywords.has(word);
}
