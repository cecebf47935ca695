/**
 * The custom-channel webhook Omnidesk POSTs on a staff reply. Seen as form-urlencoded with
 * PHP-bracket keys (`object[case_id]`, `object[attachments][0][url]`) and, in some clients'
 * tests, as JSON `{type, object:{…}}`; both are accepted. Nothing is signed: the receiver
 * authenticates by the secret in its URL.
 */
import { z } from 'zod';
import { RemoteError } from '../../../errors.js';
import { formatZodPath } from '../../http/client.js';
import { defaultFormLimits, FormLimitError, parsePhpForm, type FormLimits } from './form.js';
import { htmlToText } from './html.js';

export { parsePhpForm } from './form.js';

export interface WebhookEvent {
  type: string;
  caseId: number;
  messageId: number;
  staffId: number;
  userId: number;
  customUserId?: string | undefined;
  content: string;
  note: boolean;
  sentViaRule: boolean;
  /** Attachment URLs. */
  attachments: string[];
}

const flagValues = new Map<unknown, boolean>([
  [0, false],
  ['0', false],
  ['false', false],
  ['', false],
  [1, true],
  ['1', true],
  ['true', true],
]);
const flag = z.preprocess((v) => flagValues.get(v) ?? v, z.boolean({ error: 'expected 0/1 or true/false' }));

/** Form bodies give lists as objects with numeric keys; JSON as arrays. */
const listish = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.values(v) : v), z.array(item));

/**
 * Ids are what Omnidesk writes: plain decimal digits (a JSON number or a form string), a safe
 * integer. `0`, `-5`, `" 77 "`, `1e3`, `0x10`, `007`, 2^53 and beyond are refused: an id that
 * is not Omnidesk's own must not be recorded, nor order anything.
 */
const digits = /^[1-9]\d{0,15}$/;
function idSchema(allowZero: boolean) {
  const what = allowZero ? 'a whole number from 0' : 'a whole number from 1';
  return z
    .union([z.string(), z.number()], { error: `expected ${what}, written as plain digits` })
    .transform((v, ctx) => {
      const n = typeof v === 'number' ? v : digits.test(v) || (allowZero && v === '0') ? Number(v) : NaN;
      if (Number.isSafeInteger(n) && (n > 0 || (allowZero && n === 0))) return n;
      ctx.addIssue({ code: 'custom', message: `expected ${what} to 2^53-1, written as plain digits` });
      return z.NEVER;
    });
}
const positiveId = idSchema(false);
/** `staff_id` is 0 on a customer's message and `user_id` 0 on staff's (Omnidesk's convention). */
const personId = idSchema(true);

const attachment = z.union([z.string(), z.looseObject({ url: z.string() }).transform((a) => a.url)]);

const webhookSchema = z.object({
  type: z.string().min(1),
  object: z.looseObject({
    case_id: positiveId,
    message_id: positiveId,
    staff_id: personId,
    user_id: personId.optional(),
    custom_user_id: z.union([z.string(), z.number().transform(String)]).optional(),
    content: z.string().default(''),
    content_html: z.string().optional(),
    note: flag.default(false),
    sent_via_rule: flag.default(false),
    attachments: listish(attachment).default([]),
  }),
});

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function bad(message: string, cause?: unknown): RemoteError {
  return new RemoteError({
    kind: 'bad-payload',
    service: 'Omnidesk',
    code: 'bad_webhook',
    message: `Omnidesk webhook: ${message}`,
    cause,
  });
}

/** JSON ids written as `1e3`, `1.0` or `-0` parse to numbers that look fine: refuse them from the text. */
const jsonIdToken = /"(?:message_id|case_id|staff_id|user_id)"\s*:\s*(-?[0-9][0-9.eE+-]{0,40})/g;

function checkJsonIdTokens(body: string): void {
  for (const m of body.matchAll(jsonIdToken)) {
    if (!/^(0|[1-9]\d*)$/.test(m[1]!)) throw bad(`an id is written as "${m[1]!.slice(0, 24)}": expected plain digits`);
  }
}

export function parseWebhook(contentType: string, body: string, limits: FormLimits = defaultFormLimits): WebhookEvent {
  const trimmed = body.trim();
  if (trimmed === '') throw bad('empty body');
  const isJson = /json/i.test(contentType) || (!/form-urlencoded/i.test(contentType) && trimmed.startsWith('{'));
  let raw: unknown;
  if (isJson) {
    try {
      raw = JSON.parse(trimmed);
    } catch (err) {
      throw bad('the body is not valid JSON', err);
    }
    checkJsonIdTokens(trimmed);
  } else {
    try {
      raw = parsePhpForm(trimmed, limits);
    } catch (err) {
      if (err instanceof FormLimitError) throw bad(err.message, err);
      throw err;
    }
  }
  const result = webhookSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = formatZodPath(issue);
    const missing = valueAt(raw, issue.path) === undefined;
    throw bad(missing ? `field "${field}" is missing` : `field "${field}": ${issue.message}`);
  }
  const { type, object: o } = result.data;
  return {
    type,
    caseId: o.case_id,
    messageId: o.message_id,
    staffId: o.staff_id,
    userId: o.user_id ?? 0,
    customUserId: o.custom_user_id,
    // Text written in the rich editor may be only in `content_html`.
    content: o.content.trim() === '' && o.content_html ? htmlToText(o.content_html) : o.content,
    note: o.note,
    sentViaRule: o.sent_via_rule,
    attachments: o.attachments,
  };
}
