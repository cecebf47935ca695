/**
 * Google Play Developer API v3 payloads (reviews), as documented in
 * https://developers.google.com/android-publisher/api-ref/rest/v3/reviews
 * Optional fields "may be absent", so only what we cannot do without is required.
 */
import { z } from 'zod';

/** `{"seconds":"1443676826","nanos":713000000}`: seconds is a string (int64 in JSON). */
export const timestampSchema = z.object({
  seconds: z.union([z.string().regex(/^-?\d+$/), z.number().int()]),
  nanos: z.number().int().optional(),
});
export type GoogleTimestamp = z.infer<typeof timestampSchema>;

/**
 * Every field of `UserComment` is optional in the discovery document (androidpublisher v3,
 * schemas.UserComment: no `required`), so only the star rating, which a case cannot do
 * without, is required here; a comment without it is set aside (map.ts).
 */
export const userCommentSchema = z.object({
  /** Title and body joined with a TAB (may start with one when there is no title). */
  text: z.string().optional(),
  lastModified: timestampSchema.optional(),
  starRating: z.number().int().min(1).max(5),
  reviewerLanguage: z.string().optional(),
  device: z.string().optional(),
  androidOsVersion: z.number().int().optional(),
  appVersionCode: z.number().int().optional(),
  appVersionName: z.string().optional(),
  thumbsUpCount: z.number().int().optional(),
  thumbsDownCount: z.number().int().optional(),
  deviceMetadata: z
    .object({ productName: z.string().optional(), manufacturer: z.string().optional() })
    .loose()
    .optional(),
  /** The text as written when it was translated (`translationLanguage`); "left blank" otherwise. */
  originalText: z.string().optional(),
});
export type UserComment = z.infer<typeof userCommentSchema>;

export const developerCommentSchema = z.object({
  text: z.string().optional(),
  lastModified: timestampSchema.optional(),
});

/** `comments` is a list of one-field unions: a userComment, then maybe a developerComment. */
export const commentSchema = z.object({
  userComment: userCommentSchema.optional(),
  developerComment: developerCommentSchema.optional(),
});

/** Only the id is required of a review: without it, it cannot be answered or told apart. */
export const reviewSchema = z.object({
  reviewId: z.string().min(1),
  authorName: z.string().optional(),
  comments: z.array(commentSchema).default([]),
});
export type GoogleReview = z.infer<typeof reviewSchema>;

/** The envelope; each review in it is checked on its own (map.ts). */
export const reviewsListSchema = z.object({
  reviews: z.array(z.unknown()).default([]),
  tokenPagination: z
    .object({ nextPageToken: z.string().optional(), previousPageToken: z.string().optional() })
    .optional(),
  pageInfo: z
    .object({
      totalResults: z.number().optional(),
      resultPerPage: z.number().optional(),
      startIndex: z.number().optional(),
    })
    .optional(),
});

export const replyResultSchema = z.object({
  result: z.object({ replyText: z.string().optional(), lastEdited: timestampSchema.optional() }).optional(),
});

/** Google's JSON error envelope; `message` can be null (sporadic 500 on reply). */
export const googleErrorSchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().nullish(),
    status: z.string().optional(),
    errors: z
      .array(z.object({ message: z.string().optional(), domain: z.string().optional(), reason: z.string().optional() }))
      .optional(),
  }),
});
export type GoogleError = z.infer<typeof googleErrorSchema>['error'];

/** OAuth token endpoint errors: `{"error":"invalid_grant","error_description":"…"}`. */
export const oauthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });
