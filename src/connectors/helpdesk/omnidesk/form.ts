/**
 * `application/x-www-form-urlencoded` with PHP-bracket keys, as Omnidesk posts its webhook:
 * `a[b][0][c]=v` → {a:{b:{"0":{c:"v"}}}}, `a[]=x` appends. Linear in the body: every pair costs
 * its own length (the old parser counted a node's keys on every `[]`, quadratic in `a[]=` keys),
 * and keys, depth and key length are bounded so a hostile body is refused early.
 */

export type FormTree = { [key: string]: FormTree | string };

export interface FormLimits {
  /** Pairs (`k=v`) in the body. */
  maxKeys: number;
  /** Bracket levels after the first name (`object[attachments][0][url]` is 3). */
  maxDepth: number;
  /** Characters of a decoded key. */
  maxKeyLength: number;
}

/** An Omnidesk message has about a dozen fields and a few per attachment. */
export const defaultFormLimits: FormLimits = { maxKeys: 1000, maxDepth: 5, maxKeyLength: 256 };

/** The body breaks a limit; the message names which (answered with 400). */
export class FormLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormLimitError';
  }
}

/** Counts the steps of a parse, so a test can check it is linear without a clock. */
export interface FormStats {
  steps: number;
}

const unsafeKeys = new Set(['__proto__', 'constructor', 'prototype']);

export function parsePhpForm(body: string, limits: FormLimits = defaultFormLimits, stats?: FormStats): FormTree {
  const root: FormTree = {};
  // The next index `a[]` appends at, per node: counting keys each time was the quadratic part.
  const nextIndex = new Map<FormTree, number>();
  let pairs = 0;
  // URLSearchParams decodes `+` and `%XX` (tolerating bad escapes) in one pass over the body.
  for (const [key, value] of new URLSearchParams(body)) {
    pairs += 1;
    if (pairs > limits.maxKeys) throw new FormLimitError(`more than ${limits.maxKeys} fields`);
    if (key.length > limits.maxKeyLength)
      throw new FormLimitError(`a field name is longer than ${limits.maxKeyLength} characters`);
    if (stats) stats.steps += key.length + 1;
    const path = splitKey(key, limits.maxDepth);
    // `__proto__[x]=y` would otherwise write into Object.prototype: no field of ours has such a name.
    if (path.some((p) => unsafeKeys.has(p))) continue;
    let node = root;
    for (let i = 0; i < path.length; i++) {
      if (stats) stats.steps += 1;
      const part = path[i]!;
      const k = part === '' ? String(nextIndex.get(node) ?? 0) : part;
      if (/^\d{1,9}$/.test(k)) nextIndex.set(node, Math.max(nextIndex.get(node) ?? 0, Number(k) + 1));
      if (i === path.length - 1) {
        node[k] = value;
        break;
      }
      const next = Object.hasOwn(node, k) ? node[k] : undefined;
      if (typeof next === 'object') node = next;
      else node = node[k] = {};
    }
  }
  return root;
}

/**
 * `a[b][]` → ["a", "b", ""]. A key that is not name-then-brackets (`a]b`, `a[b`, `[x]`) is one
 * plain name, as before. One pass over the key.
 */
function splitKey(key: string, maxDepth: number): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const parts = [key.slice(0, open)];
  let i = open;
  while (i < key.length) {
    if (key[i] !== '[') return [key];
    const close = key.indexOf(']', i + 1);
    if (close < 0) return [key];
    const inner = key.slice(i + 1, close);
    if (inner.includes('[')) return [key];
    parts.push(inner);
    if (parts.length - 1 > maxDepth) throw new FormLimitError(`a field name nests deeper than ${maxDepth} brackets`);
    i = close + 1;
  }
  return parts;
}
