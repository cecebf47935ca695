/**
 * Omnidesk's `content_html` → the plain text a store answer can carry. Some staff messages
 * (written in the rich editor, or by API with only `content_html`) have an empty `content`.
 * Linear scan, no regex backtracking: script/style/head bodies dropped, tags stripped,
 * `<br>` and block ends become newlines, entities decoded (named basics, decimal, hex).
 */

const dropped = new Set(['script', 'style', 'head', 'template', 'noscript']);
const lineBreaks = new Set([
  'br',
  'p',
  'div',
  'li',
  'tr',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'pre',
  'ul',
  'ol',
  'table',
  'hr',
]);

const named: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  laquo: '«',
  raquo: '»',
  mdash: '—',
  ndash: '–',
  hellip: '…',
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  bull: '•',
  middot: '·',
  shy: '',
};

export function htmlToText(html: string): string {
  // ASCII-only lowering keeps every index of `html` valid in `lower`.
  const lower = html.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  let out = '';
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, lt);
    // `<` not followed by a tag name, `/` or `!` is text ("2 < 3"), as in HTML.
    if (!/[a-zA-Z/!]/.test(html[lt + 1] ?? '')) {
      out += '<';
      i = lt + 1;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    if (gt < 0) {
      // A lone `<` is text ("2 < 3").
      out += html.slice(lt);
      break;
    }
    const tag = /^\/?\s*([a-zA-Z][a-zA-Z0-9]*)/.exec(html.slice(lt + 1, Math.min(gt, lt + 40)));
    const name = tag?.[1]?.toLowerCase();
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    if (name && dropped.has(name) && html[lt + 1] !== '/') {
      const close = lower.indexOf(`</${name}`, gt + 1);
      const closeEnd = close < 0 ? -1 : html.indexOf('>', close);
      i = closeEnd < 0 ? html.length : closeEnd + 1;
      continue;
    }
    if (name && lineBreaks.has(name)) {
      const closing = html[lt + 1] === '/';
      // `<br>` and the end of a block break the line; `<p>` opening only separates from text before it.
      if (name === 'br' || name === 'hr' || closing) out += '\n';
      else if (out !== '' && !out.endsWith('\n')) out += '\n';
    }
    i = gt + 1;
  }
  return tidy(decodeEntities(out));
}

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,8});/g, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      // Surrogates, NUL and out-of-range code points are not characters: keep the text as written.
      if (!Number.isInteger(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
      return String.fromCodePoint(code);
    }
    return named[body.toLowerCase()] ?? whole;
  });
}

/** Spaces off the edges of each line, at most one empty line in a row, no blank edges. */
function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
