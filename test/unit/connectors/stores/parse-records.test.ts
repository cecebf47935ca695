import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseEach, readId, RecordError } from '../../../../src/connectors/stores/parse-records.js';

const schema = z.object({ id: z.string().min(1), rating: z.number().int().min(1).max(5) });

describe('parseEach', () => {
  it('keeps the good records in order and sets each bad one aside, naming id and field', () => {
    const items = [
      { id: 'a', rating: 5 },
      { id: 'b', rating: 0 },
      'junk',
      { rating: 2 },
      { id: 'c', rating: 1 },
      { id: 'in space', rating: 'x' },
    ];
    const out = parseEach(schema, items, (raw) => readId(raw, 'id'));
    expect(out.ok.map((r) => r.id)).toEqual(['a', 'c']);
    expect(out.setAside).toEqual([
      { id: 'b', reason: 'record b: field "rating" Too small: expected number to be >=1' },
      {
        id: undefined,
        reason: 'record [2] (no readable id): field "(body)" Invalid input: expected object, received string',
      },
      {
        id: undefined,
        reason: 'record [3] (no readable id): field "id" Invalid input: expected string, received undefined',
      },
      { id: 'in space', reason: 'record "in space": field "rating" Invalid input: expected number, received string' },
    ]);
  });

  it('sets aside a record whose mapping fails, and never throws', () => {
    const out = parseEach(
      schema,
      [
        { id: 'a', rating: 1 },
        { id: 'b', rating: 2 },
      ],
      (raw) => readId(raw, 'id'),
      (r) => {
        if (r.id === 'a') throw new RecordError('has no date');
        if (r.id === 'b') throw new RangeError('Invalid time value');
        return r;
      },
    );
    expect(out).toEqual({
      ok: [],
      setAside: [
        { id: 'a', reason: 'record a: has no date' },
        { id: 'b', reason: 'record b: Invalid time value' },
      ],
    });
  });

  it('reads ids that are strings or finite numbers only', () => {
    expect(readId({ a: { b: 7 } }, 'a', 'b')).toBe('7');
    expect(readId({ a: '  ' }, 'a')).toBeUndefined();
    expect(readId({ a: Number.NaN }, 'a')).toBeUndefined();
    expect(readId(null, 'a')).toBeUndefined();
    expect(readId([{ a: 1 }], 'a')).toBeUndefined();
  });
});
