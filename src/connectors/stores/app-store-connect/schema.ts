/**
 * Zod schemas for the App Store Connect payloads we read (JSON:API documents).
 * Reference: App Store Connect API 4.x, "List all customer reviews for an app",
 * https://developer.apple.com/documentation/appstoreconnectapi/get-v1-apps-_id_-customerreviews
 */
import { z } from 'zod';

const dateString = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'is not a date' });

const linkage = z.object({ type: z.string(), id: z.string() });

export const customerReviewSchema = z.object({
  type: z.literal('customerReviews'),
  id: z.string().min(1),
  // Every attribute is optional in the OpenAPI spec; only the rating is required here (a case
  // cannot do without it). A review without one is set aside (map.ts), not the page.
  attributes: z.object({
    rating: z.number().int().min(1).max(5),
    title: z.string().nullish(),
    body: z.string().nullish(),
    reviewerNickname: z.string().nullish(),
    createdDate: dateString.nullish(),
    territory: z.string().nullish(),
  }),
  relationships: z
    .object({
      response: z.object({ data: linkage.nullish() }).optional(),
    })
    .optional(),
});
export type CustomerReview = z.infer<typeof customerReviewSchema>;

export const customerReviewResponseSchema = z.object({
  type: z.literal('customerReviewResponses'),
  id: z.string().min(1),
  attributes: z.object({
    responseBody: z.string().nullish(),
    lastModifiedDate: dateString.nullish(),
    // A string, not an enum: a state Apple adds later must not break a whole page.
    state: z.string().nullish(),
  }),
  relationships: z
    .object({
      review: z.object({ data: linkage.nullish() }).optional(),
    })
    .optional(),
});
export type CustomerReviewResponse = z.infer<typeof customerReviewResponseSchema>;

const pageLinks = z.object({ self: z.string().optional(), next: z.string().optional() }).optional();

/**
 * The envelope is checked here; each review in `data` and each item of `included` is checked on
 * its own (map.ts), so one malformed review is set aside and the rest of the page flows.
 */
export const reviewsPageSchema = z.object({
  data: z.array(z.unknown()),
  included: z.array(z.unknown()).optional(),
  links: pageLinks,
  meta: z
    .object({ paging: z.object({ total: z.number().optional(), limit: z.number().optional() }).optional() })
    .optional(),
});
export type ReviewsPage = z.infer<typeof reviewsPageSchema>;

export const appSchema = z.object({
  type: z.literal('apps'),
  id: z.string().min(1),
  attributes: z.object({ name: z.string().nullish(), bundleId: z.string().nullish() }).optional(),
});

/** The app list; each app is checked on its own (one that does not fit is skipped). */
export const appsPageSchema = z.object({
  data: z.array(z.unknown()),
  links: pageLinks,
});

/** `GET /v1/customerReviews/{id}/response` and the 201 of `POST /v1/customerReviewResponses`. */
export const responseDocumentSchema = z.object({
  data: customerReviewResponseSchema.nullable(),
});

export const errorsDocumentSchema = z.object({
  errors: z
    .array(
      z.object({
        id: z.string().optional(),
        // A string in Apple's documents ("401"); tolerate a number.
        status: z.union([z.string(), z.number()]).optional(),
        code: z.string().optional(),
        title: z.string().optional(),
        detail: z.string().optional(),
        source: z.object({ parameter: z.string().optional(), pointer: z.string().optional() }).optional(),
      }),
    )
    .min(1),
});
export type AppleError = z.infer<typeof errorsDocumentSchema>['errors'][number];

/** `X-Rate-Limit: user-hour-lim:3600;user-hour-rem:500;` */
export function parseRateLimitHeader(
  value: string | undefined,
): { limit?: number | undefined; remaining: number } | undefined {
  if (!value) return undefined;
  const fields = new Map<string, number>();
  for (const part of value.split(';')) {
    const i = part.indexOf(':');
    if (i < 0) continue;
    const n = Number(part.slice(i + 1).trim());
    if (Number.isFinite(n)) fields.set(part.slice(0, i).trim().toLowerCase(), n);
  }
  const remaining = fields.get('user-hour-rem');
  return remaining === undefined ? undefined : { remaining, limit: fields.get('user-hour-lim') };
}
