/**
 * Keyword or `/regex/flags` matchers shared by tag rules and routing rules. No imports: the
 * config schema uses it to refuse a bad regex at load, naming the rule.
 */
const cjk = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A rule entry is a word or `/regex/flags`, always case-insensitive and Unicode-aware. Words
 * match whole words (letters and digits of any script around them break the match); CJK and
 * Thai words match anywhere, as those scripts put no spaces between words.
 */
export function compileMatcher(entry: string): RegExp {
  const asRegex = /^\/(.+)\/([a-z]*)$/.exec(entry);
  if (asRegex) {
    const flags = new Set((asRegex[2] ?? '') + 'iu');
    return new RegExp(asRegex[1]!, [...flags].join(''));
  }
  const body = escapeRegex(entry);
  return cjk.test(entry) ? new RegExp(body, 'iu') : new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, 'iu');
}

/** Why an entry cannot be compiled, or undefined when it can. */
export function matcherProblem(entry: string): string | undefined {
  try {
    compileMatcher(entry);
    return undefined;
  } catch (err) {
    return `not a valid regular expression (${(err as Error).message}); write a word, or /pattern/flags`;
  }
}
