/**
 * Review exports of the stores' consoles (CSV files), read for `import`: the text is decoded
 * (UTF-16 with its BOM, else UTF-8), the format is told by its header, every column the format
 * reads must be there, and each row is checked with the format's zod schema on its own: a bad
 * row is set aside with its line number and the rest of the file flows. The formats themselves
 * live in their store's connector folder (`<store>/export.ts`).
 */
import { parse } from 'csv-parse/sync';
import type { Review } from '../../domain/review.js';
import { ExitCode, UserError } from '../../errors.js';
import { formatZodPath } from '../http/client.js';
import type { StoreId } from './ids.js';
import type { ReviewExportFormat, SetAside } from './types.js';

export type { ReviewExportFormat };

export interface ExportRead {
  format: ReviewExportFormat;
  reviews: Review[];
  /** Rows that failed their schema, each reason starting with `line N`. */
  setAside: SetAside[];
  /** Rows that are no review (ratings without text). */
  skipped: number;
  rows: number;
}

/** A file that cannot be read as an export at all: exit 2, naming the file. */
export class ExportFileError extends UserError {
  constructor(file: string, message: string, hint?: string) {
    super(`${file}: ${message}`, ExitCode.usage, hint);
    this.name = 'ExportFileError';
  }
}

/** UTF-16LE/BE by their BOM (Play Console writes UTF-16LE with one), else UTF-8 (its BOM dropped). */
export function decodeExport(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

const normal = (name: string): string => name.trim().replace(/\s+/g, ' ').toLowerCase();

/** The delimiter of the header line: the commonest of comma, semicolon and tab outside quotes. */
function delimiterOf(text: string): string {
  const line = text.slice(0, text.search(/\r?\n|$/));
  const unquoted = line.replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t'].map((d) => [d, unquoted.split(d).length - 1] as const);
  return counts.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

/**
 * The format whose columns the header has most of. Refused: a header with none of any
 * format's columns, a format of another store than the app's, and a header missing a column.
 */
export function detectFormat(
  file: string,
  header: readonly string[],
  formats: readonly ReviewExportFormat[],
  store: StoreId,
  storeName: (id: StoreId) => string,
): ReviewExportFormat {
  const have = new Set(header.map(normal));
  const scored = formats
    .map((f) => ({ f, hits: [...f.columns, ...f.optionalColumns].filter((c) => have.has(normal(c))).length }))
    .sort((a, b) => b.hits - a.hits);
  const best = scored[0];
  if (!best || best.hits === 0) {
    throw new ExportFileError(
      file,
      `not a review export this program reads (its first line has none of the columns of: ${formats.map((f) => f.name).join('; ')}).`,
      'Export the reviews from the store console as CSV and pass that file unchanged (docs/import.md).',
    );
  }
  if (best.f.store !== store) {
    throw new ExportFileError(
      file,
      `this is a ${best.f.name} (${storeName(best.f.store)}), but the app is a ${storeName(store)} app.`,
      'Pass the --app of the app the file belongs to (`asodesk-omni config show` lists the apps).',
    );
  }
  const missing = best.f.columns.filter((c) => !have.has(normal(c)));
  if (missing.length > 0) {
    throw new ExportFileError(
      file,
      `the ${best.f.name} lacks the column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} (its header: ${header.map((h) => `"${h}"`).join(', ')}).`,
      'Pass the file exactly as the console exported it; the columns this program reads are listed in docs/import.md.',
    );
  }
  return best.f;
}

/** The first line of a record: where it ends minus the line breaks inside it. */
function startLine(endLine: number, raw: string | undefined): number {
  const inside = (raw ?? '').replace(/^(\r?\n)+/, '').replace(/\r?\n$/, '');
  return endLine - (inside.match(/\n/g)?.length ?? 0);
}

/** Reads one export file's text: detects its format, checks the header, checks each row on its own. */
export function readExport(
  file: string,
  text: string,
  opts: {
    formats: readonly ReviewExportFormat[];
    store: StoreId;
    appId: string;
    storeName: (id: StoreId) => string;
  },
): ExportRead {
  const setAside: SetAside[] = [];
  const records = parse(text, {
    delimiter: delimiterOf(text),
    info: true,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    // A broken quote: the CSV reader skips to the next record it can read; the line is kept.
    on_skip: (err) => {
      const line = typeof err?.lines === 'number' ? String(err.lines) : '?';
      setAside.push({ reason: `line ${line}: not readable as CSV (${err?.message ?? 'bad quoting'})` });
      return undefined;
    },
    // The library types `parse` without the shape `info` and `raw` give each record.
  }) as unknown as { record: string[]; info: { lines: number }; raw?: string }[];
  const [head, ...rows] = records;
  if (!head) throw new ExportFileError(file, 'the file is empty.', 'Pass the CSV file the store console exported.');
  const header = head.record.map((h) => h.trim());
  const format = detectFormat(file, header, opts.formats, opts.store, opts.storeName);
  const index = new Map(header.map((h, i) => [normal(h), i]));
  const out: ExportRead = { format, reviews: [], setAside, skipped: 0, rows: rows.length };
  for (const { record, info, raw } of rows) {
    const line = startLine(info.lines, raw);
    const cells: Record<string, string> = {};
    for (const column of [...format.columns, ...format.optionalColumns]) {
      const at = index.get(normal(column));
      const value = at === undefined ? undefined : record[at]?.trim();
      if (value) cells[column] = value;
    }
    const parsed = format.row.safeParse(cells);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue ? formatZodPath(issue) : '(row)';
      setAside.push({ reason: `line ${line}: column "${field}" ${issue?.message ?? 'is invalid'}` });
      continue;
    }
    try {
      const review = format.toReview(parsed.data, opts.appId);
      if (review) out.reviews.push(review);
      else out.skipped++;
    } catch (err) {
      setAside.push({ reason: `line ${line}: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  return out;
}
