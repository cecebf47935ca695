/**
 * What `google-play-scraper` (v10) returns from `reviews()`, checked before use: the library
 * maps Google's nested batchexecute arrays by position, so a change on Google's side shows up
 * here as nulls or wrong types. Its typings claim strings where the data has nulls (title,
 * replyText, replyDate, version), hence the nullable fields.
 * The wire format it parses is documented in README.md and served by the emulator.
 */
import { z } from 'zod';

export const scrapedReviewSchema = z
  .object({
    id: z.string().min(1),
    userName: z.string().nullish(),
    date: z.string().nullish(),
    score: z.number().int().min(1).max(5),
    title: z.string().nullish(),
    text: z.string().nullish(),
    replyDate: z.string().nullish(),
    replyText: z.string().nullish(),
    version: z.string().nullish(),
    thumbsUp: z.number().int().nullish(),
  })
  .loose();
export type ScrapedReview = z.infer<typeof scrapedReviewSchema>;

/** Reviews are checked one by one (map.ts): one malformed review is set aside, not the page. */
export const scrapedPageSchema = z.object({
  data: z.array(z.unknown()),
  nextPaginationToken: z.string().nullish(),
});
export type ScrapedPage = z.infer<typeof scrapedPageSchema>;
