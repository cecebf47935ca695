/**
 * Payloads of the RuStore Public API, checked with zod.
 * Reference: RuStore Public API v1.0.0 (OpenAPI render), https://www.rustore.ru/help/en/work-with-rustore-api/
 * Every response is wrapped in the envelope `{code, message, body, timestamp}`.
 */
import { z } from 'zod';

/** Ids come as numbers in some DTOs and as strings in others (FeedbackResponseDto). */
const id = z.union([z.number().int(), z.string().min(1)]).transform(String);

export function envelope<T extends z.ZodType>(body: T) {
  return z.object({
    code: z.string().nullish(),
    message: z.string().nullish(),
    body,
    timestamp: z.string().nullish(),
  });
}

/** The envelope of an error, read loosely: some errors carry no body or a non-JSON one. */
export const errorEnvelopeSchema = z.object({
  code: z.string().nullish(),
  message: z.string().nullish(),
});

export const tokenEnvelopeSchema = envelope(
  z.object({
    jwe: z.string().min(10),
    /** Seconds; 900 in the docs. */
    ttl: z.number().int().positive().optional(),
  }),
);

export const feedbackStatuses = ['PUBLISHED', 'MODERATION', 'REJECTED', 'DELETED'] as const;

export const feedbackSchema = z.object({
  id,
  commentId: id.optional(),
  text: z.string().nullish(),
  /** PUBLISHED | MODERATION | REJECTED | DELETED; kept open so a new status does not break reading. */
  status: z.string(),
  /** "2023-06-01 18:10:43.043" (Moscow time) in the docs, ISO in the OpenAPI schema. */
  date: z.string().nullish(),
  /** Not documented; read when present so a rejection can be explained. */
  reason: z.string().nullish(),
  rejectReason: z.string().nullish(),
});
export type FeedbackDto = z.infer<typeof feedbackSchema>;

export const commentSchema = z.object({
  packageName: z.string().nullish(),
  commentId: id,
  userName: z.string().nullish(),
  /** Seen in one client instead of userName. */
  firstName: z.string().nullish(),
  /** integer(int32) in the OpenAPI schema; a review without a rating of 1 to 5 is set aside. */
  appRating: z.number().int().min(1).max(5),
  commentStatus: z.string().nullish(),
  commentText: z.string().nullish(),
  commentDate: z.string().nullish(),
  commentDateIso: z.string().nullish(),
  updatedAt: z.string().nullish(),
  updatedAtIso: z.string().nullish(),
  edited: z.boolean().nullish(),
  appVersionName: z.string().nullish(),
  likeCounter: z.number().int().nullish(),
  dislikeCounter: z.number().int().nullish(),
  deviceInfo: z
    .union([
      z.string(),
      z.object({ device: z.string().nullish(), model: z.string().nullish(), osVersion: z.string().nullish() }),
    ])
    .nullish(),
  /** Not in the OpenAPI schema; seen in public clients as a list (or a single object). */
  devResponse: z.union([z.array(feedbackSchema), feedbackSchema]).nullish(),
  devResponses: z.array(feedbackSchema).nullish(),
});
export type CommentDto = z.infer<typeof commentSchema>;

/**
 * `body` of a list: the OpenAPI schema says a bare array; some deployments answer a Spring
 * page (`content` plus paging fields). A bare array is read as a page without paging fields,
 * so one schema checks both and a bad item is reported by its field.
 */
export function listBody<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (v) => (Array.isArray(v) ? { content: v } : v),
    z.object({
      content: z.array(item),
      totalPages: z.number().int().nullish(),
      totalElements: z.number().int().nullish(),
      last: z.boolean().nullish(),
    }),
  );
}

/** Comments are checked one by one (map.ts): one malformed comment is set aside, not the page. */
export const commentsEnvelopeSchema = envelope(listBody(z.unknown()));
export const feedbackListEnvelopeSchema = envelope(listBody(feedbackSchema));
export const feedbackEnvelopeSchema = envelope(feedbackSchema);
export const feedbackIdEnvelopeSchema = envelope(z.object({ id }));
/** DELETE answers an envelope with an empty body. */
export const voidEnvelopeSchema = envelope(z.unknown());

/** One app of the list; every field is optional in the OpenAPI schema, a package name is needed here. */
export const userAppSchema = z.object({
  appId: id.nullish(),
  packageName: z.string().min(1),
  appName: z.string().nullish(),
});

/** The app list; each app is checked on its own (one without a package name is skipped). */
export const appsEnvelopeSchema = envelope(
  z.object({
    content: z.array(z.unknown()),
    continuationToken: z.string().nullish(),
  }),
);

export interface ListBody<T> {
  content: T[];
  totalPages?: number | null | undefined;
  last?: boolean | null | undefined;
}
