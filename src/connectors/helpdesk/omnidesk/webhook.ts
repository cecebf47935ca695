/**
 * The custom-channel webhook Omnidesk POSTs on a staff reply. Seen as form-urlencoded with
 * PHP-bracket keys (`object[case_id]`, `object[attachments][0][url]`) and, in some clients'
 * tests, as JSON `{type, object:{…}}`; both are accepted. Nothing is signed: the receiver
 * authenticates by the secret in its URL.
 */
import { z } from 'zod';
import { RemoteError } from '../../../errors.js';
import { formatZodPath } from '../../http/client.js';
import { intish } from './schema.js';

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
  [0, false], ['0', false], ['false', false], ['', false],
  [1, true], ['1', true], ['true', true],
]);
const flag = z.preprocess((v) => flagValues.get(v) ?? v, z.boolean({ error: 'expected 0/1 or true/false' }));

/** Form bodies give lists as objects with numeric keys; JSON as arrays. */
const listish = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.values(v) : v), z.array(item));

const attachment = z.union([z.string(), z.looseObject({ url: z.string() }).transform((a) => a.url)]);

const webhookSchema = z.object({
  type: z.string().min(1),
  object: z.looseObject({
    case_id: intish,
    message_id: intish,
    staff_id: intish,
    user_id: intish.optional(),
    custom_user_id: z.union([z.string(), z.number().transform(String)]).optional(),
    content: z.string().default(''),
    note: flag.default(false),
    sent_via_rule: flag.default(false),
    attachments: listish(attachment).default([]),
  }),
});

type Tree = { [key: string]: Tree | string };

const unsafeKeys = new Set(['__proto__', 'constructor', 'prototype']);

/** `a[b][0][c]=v` → {a:{b:{"0":{c:"v"}}}}, as PHP reads it. */
export function parsePhpForm(body: string): Tree {
  const root: Tree = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const m = /^([^[]+)((?:\[[^\]]*\])*)$/.exec(key);
    const path = m ? [m[1]!, ...[...m[2]!.matchAll(/\[([^\]]*)\]/g)].map((x) => x[1]!)] : [key];
    // `__proto__[x]=y` would otherwise write into Object.prototype: no field of ours has such a name.
    if (path.some((p) => unsafeKeys.has(p))) continue;
    let node = root;
    path.forEach((part, i) => {
      const k = part === '' ? String(Object.keys(node).length) : part; // `a[]=x` appends
      if (i === path.length - 1) {
        node[k] = value;
        return;
      }
      const next = node[k];
      node = typeof next === 'object' ? next : (node[k] = {});
    });
  }
  return root;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function bad(message: string, cause?: unknown): RemoteError {
  return new RemoteError({ kind: 'bad-payload', service: 'Omnidesk', code: 'bad_webhook', message: `Omnidesk webhook: ${message}`, cause });
}

export function parseWebhook(contentType: string, body: string): WebhookEvent {
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
  } else {
    raw = parsePhpForm(trimmed);
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
    content: o.content,
    note: o.note,
    sentViaRule: o.sent_via_rule,
    attachments: o.attachments,
  };
}
