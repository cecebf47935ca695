/**
 * The RuStore website's own backend (no auth), as the rustore.ru app pages call it:
 *   GET https://backapi.rustore.ru/comment/comment?packageName=…&sortBy=NEW_FIRST&pageNumber=0&pageSize=20
 * Envelope as in RuStore's other APIs: {code:"OK", message, body:{content:[…]}}. Field names are
 * those public clients read (firstName, appRating, commentDate, commentText, likeCounter,
 * dislikeCounter, devResponse, devResponseDate); `commentId` is the console API's name for the
 * id and is assumed here (see README.md). Unknown fields pass through.
 */
import { z } from 'zod';

/** Public pages show the answer as text; the console API as a list of objects: take either. */
const devResponse = z.union([
  z.string(),
  z.array(z.object({ text: z.string(), date: z.string().nullish(), status: z.string().nullish() }).loose()),
]);

export const publicCommentSchema = z
  .object({
    commentId: z.union([z.number().int(), z.string().min(1)]),
    firstName: z.string().nullish(),
    appRating: z.number().int().min(1).max(5),
    commentText: z.string().nullish(),
    commentDate: z.string().min(1),
    updatedAt: z.string().nullish(),
    likeCounter: z.number().int().nullish(),
    dislikeCounter: z.number().int().nullish(),
    appVersionName: z.string().nullish(),
    edited: z.boolean().nullish(),
    devResponse: devResponse.nullish(),
    devResponseDate: z.string().nullish(),
  })
  .loose();
export type PublicComment = z.infer<typeof publicCommentSchema>;

export const publicCommentPageSchema = z.object({
  code: z.string(),
  message: z.string().nullish(),
  /** Comments are checked one by one (map.ts): one malformed comment is set aside, not the page. */
  body: z
    .object({ content: z.array(z.unknown()) })
    .loose()
    .nullish(),
});
export type PublicCommentPage = z.infer<typeof publicCommentPageSchema>;

/** Error bodies use the same envelope. */
export const envelopeSchema = z.object({ code: z.string().optional(), message: z.string().nullish() }).loose();
