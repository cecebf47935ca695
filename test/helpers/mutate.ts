/** Random damage to a JSON record, for property tests of the connectors' page readers. */
import fc from 'fast-check';

export type Json = Record<string, unknown>;

/** Values a broken or hostile service might put anywhere. */
export const hostile = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.integer({ min: -3, max: 9 }),
  fc.double(),
  fc.string({ maxLength: 8 }),
  fc.constant(''),
  fc.constant('99999999999999999999'),
  fc.constant('not a date'),
  fc.boolean(),
  fc.constant({}),
  fc.constant([]),
  fc.array(fc.integer(), { maxLength: 2 }),
);

export const mutation = fc.record({ kind: fc.constantFrom('set', 'delete', 'replace'), at: fc.nat(), value: hostile });
export type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

/** Every path to a value inside the record. */
export function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null) return [];
  const out: (string | number)[][] = [];
  for (const [k, child] of Object.entries(v)) {
    const p = [...prefix, Array.isArray(v) ? Number(k) : k];
    out.push(p, ...paths(child, p));
  }
  return out;
}

export function mutate(record: Json, m: Mutation): unknown {
  if (m.kind === 'replace') return m.value;
  const copy = structuredClone(record);
  const all = paths(copy);
  if (all.length === 0) return copy;
  const path = all[m.at % all.length]!;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (m.kind === 'delete') delete parent[last];
  else parent[last] = m.value;
  return copy;
}

/** Applies the mutations in turn (a record replaced by a non-object stays so). */
export function damage(record: Json, mutations: readonly Mutation[]): unknown {
  return mutations.reduce<unknown>(
    (r, m) => (typeof r === 'object' && r !== null && !Array.isArray(r) ? mutate(r as Json, m) : r),
    record,
  );
}
