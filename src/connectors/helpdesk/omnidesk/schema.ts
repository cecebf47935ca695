/**
 * Zod schemas for Omnidesk API answers (https://omnidesk.ru/api, contract notes in
 * shared/contracts/omnidesk.md). Loose objects: the service adds fields over time, and we
 * only check what we read.
 */
import { z } from 'zod';

/** Ids are numbers; a few clients have seen them as numeric strings, so both are accepted. */
export const intish = z.preprocess(
  (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
  z.number({ error: 'expected an integer' }).int({ error: 'expected an integer' }),
);

/** PHP serialises an empty map as `[]`, so a map field may arrive as an empty array. */
const phpMap = z.preprocess((v) => (Array.isArray(v) && v.length === 0 ? {} : v), z.record(z.string(), z.unknown()));

export const caseSchema = z.looseObject({
  case_id: intish,
  case_number: z.string().optional(),
  subject: z.string().optional(),
  user_id: intish.optional(),
  staff_id: intish.optional(),
  status: z.string().optional(),
  channel: z.string().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  custom_fields: phpMap.optional(),
  labels: z.array(intish).optional(),
  deleted: z.boolean().optional(),
  spam: z.boolean().optional(),
});
export type OmniCase = z.infer<typeof caseSchema>;

export const attachmentSchema = z.looseObject({
  file_id: intish.optional(),
  file_name: z.string().optional(),
  url: z.string(),
});

export const messageSchema = z.looseObject({
  message_id: intish,
  user_id: intish.optional(),
  staff_id: intish.optional(),
  content: z.string().nullish(),
  content_html: z.string().nullish(),
  attachments: z.array(attachmentSchema).optional(),
  note: z.boolean().optional(),
  sent_via_rule: z.boolean().optional(),
  created_at: z.string().optional(),
});
export type OmniMessage = z.infer<typeof messageSchema>;

export const labelSchema = z.looseObject({ label_id: intish, label_title: z.string() });

export const customFieldSchema = z.looseObject({
  field_id: intish,
  title: z.string(),
  field_type: z.string(),
  field_level: z.string().optional(),
  active: z.boolean().optional(),
});

export const customChannelSchema = z.looseObject({
  channel_id: intish,
  channel_api_key: z.string().optional(),
  title: z.string(),
  channel_type: z.string().optional(),
  webhook_url: z.string().nullish(),
  active: z.boolean().optional(),
});

export const groupSchema = z.looseObject({
  group_id: intish,
  group_title: z.string(),
  active: z.boolean().optional(),
});

export const staffSchema = z.looseObject({
  staff_id: intish,
  staff_email: z.string().optional(),
  staff_full_name: z.string().optional(),
  active: z.boolean().optional(),
});

export const userSchema = z.looseObject({
  user_id: intish,
  user_custom_id: z.string().nullish(),
  user_custom_channel: z.string().nullish(),
});

export const caseEnvelope = z.object({ case: caseSchema });
export const messageEnvelope = z.object({ message: messageSchema });
export const labelEnvelope = z.object({ label: labelSchema });
export const anyBody = z.unknown();

/**
 * A list page: `{"0":{"case":{…}},"1":{…},"total_count":245}`. Keys other than the numeric
 * ones and `total_count` are dropped (an empty page has been seen as `{"case":[]}`), and an
 * array of entries is accepted too. Items keep their page order.
 */
export function pageSchema<K extends string, T extends z.ZodType>(key: K, item: T) {
  const entry = z.object({ [key]: item } as Record<K, T>);
  return z.preprocess(
    (raw) => {
      if (Array.isArray(raw)) return { items: raw };
      if (raw === null || typeof raw !== 'object') return raw;
      const obj = raw as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => /^\d+$/.test(k))
        .sort((a, b) => Number(a) - Number(b));
      return { items: keys.map((k) => obj[k]), total_count: obj.total_count };
    },
    z.object({ items: z.array(entry), total_count: intish.optional() }),
  );
}

/** Error bodies: `{"error":"case_not_found"}`, sometimes with `message` or `errors[]`. */
export const errorBodySchema = z.looseObject({
  error: z.string().optional(),
  message: z.string().optional(),
  errors: z.array(z.unknown()).optional(),
  retry_after: intish.optional(),
});
