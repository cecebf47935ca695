/**
 * One record at a time: a page's envelope is checked strictly by its schema, but each review in
 * it is checked (and mapped) on its own, so one malformed review is set aside with its reason
 * and the rest of the page flows.
 */
import type { z } from 'zod';
import { contentFingerprint, type Review } from '../../domain/review.js';
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

/**
 * One version per review id within a page: the newest (by its edit date, else its creation
 * date) wins, ties decided by content so the pick does not depend on the order served. A
 * service that lists a review twice would otherwise look like an edit on every sync.
 */
export function keepNewest(parsed: Parsed<Review>): Parsed<Review> {
  const best = new Map<string, Review>();
  for (const r of parsed.ok) {
    const seen = best.get(r.reviewId);
    if (!seen || newer(r, seen)) best.set(r.reviewId, r);
  }
  if (best.size === parsed.ok.length) return parsed;
  return { ok: parsed.ok.filter((r) => best.get(r.reviewId) === r), setAside: parsed.setAside };
}

function newer(a: Review, b: Review): boolean {
  const ta = Date.parse(a.updatedAt ?? a.createdAt);
  const tb = Date.parse(b.updatedAt ?? b.createdAt);
  if (ta !== tb) return ta > tb;
  return contentFingerprint(a) > contentFingerprint(b);
}
