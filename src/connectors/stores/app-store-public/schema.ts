/**
 * Apple's public customer-reviews feed, JSON variant:
 *   GET https://itunes.apple.com/{cc}/rss/customerreviews/page={n}/id={appId}/sortby=mostrecent/json
 * Every scalar is wrapped as `{"label": "…"}`. Quirks handled here (see README.md for sources):
 * - `entry` is an array, a single bare object when the page holds one review, or absent when empty;
 * - old feeds put the app itself first on page 1 (`im:name`, no `im:rating`): dropped;
 * - `updated` per entry appeared again in 2021; older pages lack it (the feed-level one is used).
 */
import { z } from 'zod';

const label = z.object({ label: z.string() });
const optionalLabel = label.optional();

export const feedLinkSchema = z.object({
  attributes: z.object({ rel: z.string().optional(), href: z.string().optional() }).loose(),
});
export type FeedLink = z.infer<typeof feedLinkSchema>;

export const feedEntrySchema = z
  .object({
    id: label,
    author: z.object({ name: label, uri: optionalLabel }).loose(),
    'im:rating': z.object({ label: z.string().regex(/^[1-5]$/, 'must be a rating from 1 to 5') }),
    'im:version': optionalLabel,
    title: optionalLabel,
    content: z.object({ label: z.string() }).loose(),
    updated: optionalLabel,
  })
  .loose();
export type FeedEntry = z.infer<typeof feedEntrySchema>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The app's own description entry of old feeds: it names the app and carries no rating. */
export function isAppEntry(v: unknown): boolean {
  return isRecord(v) && 'im:name' in v && !('im:rating' in v);
}

/** One entry → array of one; absent → []; app-description entries removed. */
function normaliseEntries(v: unknown): unknown {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.filter((e) => !isAppEntry(e));
}

function normaliseLinks(v: unknown): unknown {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export const feedSchema = z.object({
  feed: z
    .object({
      /** Entries are checked one by one (map.ts): one malformed entry is set aside, not the page. */
      entry: z.preprocess(normaliseEntries, z.array(z.unknown())),
      link: z.preprocess(normaliseLinks, z.array(feedLinkSchema)),
      updated: optionalLabel,
    })
    .loose(),
});
export type Feed = z.infer<typeof feedSchema>;
