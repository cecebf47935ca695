/**
 * The webhook's form parser, by property (fast-check, fixed seed, bounded runs: it runs in CI)
 * and against hostile bodies: it only ever returns a tree or throws FormLimitError, never writes
 * into Object.prototype, reads back what a PHP-bracket encoder wrote, and is linear in the body
 * (counted in parser steps: wall time on a shared machine proves nothing and fails at random).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultFormLimits,
  FormLimitError,
  parsePhpForm,
  type FormStats,
  type FormTree,
} from '../../../../../src/connectors/helpdesk/omnidesk/form.js';
import { parseWebhook } from '../../../../../src/connectors/helpdesk/omnidesk/webhook.js';
import { RemoteError } from '../../../../../src/errors.js';

const runs = { seed: 20261202, numRuns: 300 } as const;
const unlimited = {
  maxKeys: Number.POSITIVE_INFINITY,
  maxDepth: Number.POSITIVE_INFINITY,
  maxKeyLength: Number.POSITIVE_INFINITY,
};

/** Names as Omnidesk's (and any sane) fields look: no brackets, no reserved words. */
const name = fc
  .stringMatching(/^[a-z_][a-z0-9_]{0,11}$/)
  .filter((n) => !['__proto__', 'constructor', 'prototype'].includes(n));
const leaf = fc.string({ maxLength: 20, unit: 'grapheme' });
const tree: fc.Arbitrary<FormTree> = fc.letrec<{ node: FormTree | string; obj: FormTree }>((tie) => ({
  node: fc.oneof({ maxDepth: 3, depthSize: 'small' }, leaf, tie('obj')),
  obj: fc.dictionary(name, tie('node'), { minKeys: 1, maxKeys: 4 }),
})).obj;

/** The PHP-bracket encoding of a tree (empty objects have no pairs, so they are not generated). */
function encode(t: FormTree, prefix = ''): [string, string][] {
  return Object.entries(t).flatMap(([k, v]) => {
    const key = prefix === '' ? k : `${prefix}[${k}]`;
    return typeof v === 'string' ? [[key, v] as [string, string]] : encode(v, key);
  });
}

const hasEmpty = (t: FormTree): boolean =>
  Object.values(t).some((v) => typeof v !== 'string' && (Object.keys(v).length === 0 || hasEmpty(v)));

describe('parsePhpForm (property)', () => {
  it('reads back what a PHP-bracket encoder wrote', () => {
    fc.assert(
      fc.property(tree, (t) => {
        fc.pre(!hasEmpty(t));
        const body = new URLSearchParams(encode(t)).toString();
        expect(parsePhpForm(body, unlimited)).toEqual(t);
      }),
      runs,
    );
  });

  it('on any input returns a tree of strings or throws FormLimitError, and never touches Object.prototype', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '[',
        ']',
        '[]',
        '=',
        '&',
        '%',
        '%5B',
        '%5D',
        '+',
        '__proto__',
        'constructor',
        'prototype',
        'a',
        '0',
        '%00',
        '%zz',
      ),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80 }), (parts) => {
        const body = parts.join('');
        let out: FormTree | undefined;
        try {
          out = parsePhpForm(body);
        } catch (err) {
          expect(err).toBeInstanceOf(FormLimitError);
        }
        if (out) expect(isTree(out)).toBe(true);
        expect(Object.keys(Object.prototype)).toEqual([]);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      runs,
    );
  });

  it('the webhook parser answers any form body with an event or a bad-payload RemoteError', () => {
    const field = fc.constantFrom(
      'type',
      'object[message_id]',
      'object[case_id]',
      'object[staff_id]',
      'object[user_id]',
      'object[content]',
      'object[content_html]',
      'object[note]',
      'object[attachments][0][url]',
      'object[attachments][]',
    );
    const value = fc.oneof(
      fc.constantFrom('message_new', '0', '1', '-5', ' 77 ', '1e3', '9007199254740991', '9007199254740992', '007', ''),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(field, value), { maxLength: 14 }), (pairs) => {
        const body = new URLSearchParams(pairs).toString();
        try {
          const event = parseWebhook('application/x-www-form-urlencoded', body);
          for (const id of [event.caseId, event.messageId]) expect(Number.isSafeInteger(id) && id > 0).toBe(true);
          expect(Number.isSafeInteger(event.staffId) && event.staffId >= 0).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(RemoteError);
          expect((err as RemoteError).kind).toBe('bad-payload');
        }
      }),
      runs,
    );
  });
});

function isTree(v: unknown): boolean {
  if (typeof v === 'string') return true;
  if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return false;
  return Object.values(v).every(isTree);
}

describe('parsePhpForm (hostile bodies)', () => {
  const appends = (bytes: number): string => 'a[]=&'.repeat(Math.ceil(bytes / 5)).slice(0, bytes);

  it('keeps `a[]=` appends in order with PHP numbering', () => {
    expect(parsePhpForm('a[]=x&a[]=y&a[5]=z&a[]=w', unlimited)).toEqual({ a: { 0: 'x', 1: 'y', 5: 'z', 6: 'w' } });
  });

  it('refuses too many keys, too deep or too long names with FormLimitError', () => {
    expect(() => parsePhpForm(appends(60 * 1024))).toThrow(
      new FormLimitError(`more than ${defaultFormLimits.maxKeys} fields`),
    );
    expect(() => parsePhpForm(`a${'[x]'.repeat(6)}=1`)).toThrow(/nests deeper than 5/);
    expect(() => parsePhpForm(`${'k'.repeat(300)}=1`)).toThrow(/longer than 256/);
    expect(parsePhpForm(`a${'[x]'.repeat(5)}=1`)).toEqual({ a: { x: { x: { x: { x: { x: '1' } } } } } });
  });

  it('a 60 KB body of `a[]=` keys parses in linear time (counted in parser steps)', () => {
    const steps = (body: string): number => {
      const stats: FormStats = { steps: 0 };
      parsePhpForm(body, unlimited, stats);
      return stats.steps;
    };
    const small = appends(15 * 1024);
    const large = appends(60 * 1024);
    // Steps grow with the body: a quadratic parser (counting a node's keys per `[]`) would be ~16x.
    expect(steps(large) / steps(small)).toBeGreaterThan(3.5);
    expect(steps(large) / steps(small)).toBeLessThan(4.5);
    expect(steps(large)).toBeLessThan(2 * large.length);
  });

  it('the hostile body through the webhook parser is a 400-style bad payload naming the limit', () => {
    expect(() => parseWebhook('application/x-www-form-urlencoded', appends(60 * 1024))).toThrow(
      /more than 1000 fields/,
    );
  });
});
