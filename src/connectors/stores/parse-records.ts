/**
 * One record at a time: a page's envelope is checked strictly by its schema, but each review in
 * it is checked (and mapped) on its own, so one malformed review is set aside with its reason
 * and the rest of the page flows.
 */
import type { z } from 'zod';
import { formatZodPath } from '../http/client.js';
import type { SetAside } from './types.js';

export interface Parsed<T> {
  ok: T[];
  setAside: SetAside[];
}

/** Thrown by a record's mapping when the record lacks something the review cannot do without. */
export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordError';
  }
}

/**
 * Checks each item with `schema`, then maps it; an item that fails either step is set aside
 * with a reason naming its id (when `idOf` can read one) and the field. Never throws.
 */
export function parseEach<S extends z.ZodType, R = z.output<S>>(
  schema: S,
  items: readonly unknown[],
  idOf: (raw: unknown) => string | undefined,
  map?: (value: z.output<S>, raw: unknown) => R,
): Parsed<R> {
  const out: Parsed<R> = { ok: [], setAside: [] };
  items.forEach((raw, index) => {
    const id = safeId(idOf, raw);
    const who =
      id === undefined
        ? `record [${index}] (no readable id)`
        : `record ${/^[\w:.+=/-]+$/.test(id) ? id : JSON.stringify(id)}`;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue ? formatZodPath(issue) : '(record)';
      out.setAside.push({ id, reason: `${who}: field "${field}" ${issue?.message ?? 'is invalid'}` });
      return;
    }
    try {
      out.ok.push(map ? map(parsed.data, raw) : (parsed.data as R));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      out.setAside.push({ id, reason: `${who}: ${message}` });
    }
  });
  return out;
}

function safeId(idOf: (raw: unknown) => string | undefined, raw: unknown): string | undefined {
  try {
    return idOf(raw);
  } catch {
    return undefined;
  }
}

/** The value at `path` inside an unknown record, as a string when it is a non-empty string or a finite number. */
export function readId(raw: unknown, ...path: string[]): string | undefined {
  let v: unknown = raw;
  for (const key of path) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  if (typeof v === 'string' && v.trim() !== '') return v.slice(0, 200);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}
