/**
 * `rules test`: which routing rules fire for a review and what the case would get, without
 * sending anything. The review is a stored one (its latest version, an edit when an earlier
 * version is stored) or a JSON review, checked field by field.
 */
import { z } from 'zod';
import type { AppConfig, CasePriority, Config } from '../config/schema.js';
import { storeIds, type Review } from '../domain/review.js';
import { ExitCode, UserError } from '../errors.js';
import { draftFor } from '../rules/drafts.js';
import { formatZodPath } from '../connectors/http/client.js';
import { Router, type RuleVerdict } from '../rules/routing.js';
import type { StateDb } from '../state/handle.js';
import { ReviewStore } from '../state/reviews.js';

/** A review given on stdin: the store-neutral fields, the config app it belongs to, and an optional earlier rating. */
export const reviewInputSchema = z
  .object({
    /** The config app id (`apps[].id`); or `store` + `appId` of a configured app. */
    app: z.string().min(1).optional(),
    store: z.enum(storeIds).optional(),
    appId: z.string().min(1).optional(),
    reviewId: z.string().min(1).default('stdin'),
    rating: z.number().int().min(1).max(5),
    title: z.string().optional(),
    text: z.string().default(''),
    author: z.string().optional(),
    createdAt: z.string().optional(),
    territory: z.string().optional(),
    language: z.string().optional(),
    appVersion: z.string().optional(),
    /** The rating before this version: makes it an edit. */
    previousRating: z.number().int().min(1).max(5).optional(),
  })
  .strict();

export interface RulesTestResult {
  review: { key: string; app: string; rating: number; previousRating?: number | undefined; kind: 'new' | 'edit' };
  rules: RuleVerdict[];
  /** The rule that decides (first match wins), or null. */
  decidedBy: string | null;
  groupId: number | null;
  priority: CasePriority | null;
  staffId: number | null;
  labels: string[];
  /** The reply draft a new case would get, when a template fits. */
  draft: string | null;
}

function evaluate(config: Config, app: AppConfig, review: Review, previousRating: number | undefined): RulesTestResult {
  const routed = new Router(config.routing).route({ review, app, previousRating });
  const draft = draftFor(config.drafts.templates, { review, app, rule: routed.rule?.name });
  return {
    review: {
      key: `${review.store}:${review.appId}:${review.reviewId}`,
      app: app.id,
      rating: review.rating,
      ...(previousRating !== undefined && { previousRating }),
      kind: previousRating === undefined ? 'new' : 'edit',
    },
    rules: routed.verdicts,
    decidedBy: routed.rule?.name ?? null,
    groupId: routed.action.groupId ?? null,
    priority: routed.action.priority ?? null,
    staffId: routed.action.staffId ?? null,
    labels: routed.action.labels,
    draft: draft ?? null,
  };
}

/** A stored review by its key (`store:appId:reviewId`). */
export async function testStoredReview(config: Config, db: StateDb, key: string): Promise<RulesTestResult> {
  const reviews = new ReviewStore(db);
  const row = await reviews.resolve(key);
  if (!row)
    throw new UserError(
      `No review ${key} in the state file.`,
      ExitCode.usage,
      'Give the key as store:appId:reviewId (as in the case field), run `asodesk-omni sync` first, or pipe a JSON review on stdin.',
    );
  const versions = await reviews.versions(row.reviewKey);
  const latest = versions.at(-1)!.review;
  const app = config.apps.find((a) => a.store === latest.store && a.appId === latest.appId);
  if (!app)
    throw new UserError(
      `The review ${key} belongs to ${latest.store} app ${latest.appId}, which is not in the config.`,
      ExitCode.config,
      'Add the app (asodesk-omni init) or test with a JSON review naming a configured app.',
    );
  return evaluate(config, app, latest, versions.at(-2)?.review.rating);
}

/** A JSON review (from stdin); errors name the field. */
export function testJsonReview(config: Config, text: string): RulesTestResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (err) {
    throw new UserError(
      `The review on stdin is not JSON: ${(err as Error).message}.`,
      ExitCode.usage,
      'Pipe one JSON object, e.g. {"app":"ios","rating":1,"text":"Crashes"}.',
    );
  }
  const parsed = reviewInputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(
      `The review on stdin: field "${formatZodPath(issue)}": ${issue.message}.`,
      ExitCode.usage,
      'Fields: app (or store + appId), rating, text, title, author, language, territory, appVersion, previousRating.',
    );
  }
  const r = parsed.data;
  const app =
    r.app !== undefined
      ? config.apps.find((a) => a.id === r.app)
      : config.apps.find((a) => a.store === r.store && a.appId === r.appId);
  if (!app)
    throw new UserError(
      r.app !== undefined
        ? `No app "${r.app}" in the config.`
        : 'The review names no configured app (give "app", or "store" and "appId" of one).',
      ExitCode.usage,
      `Known apps: ${config.apps.map((a) => a.id).join(', ') || 'none'}.`,
    );
  const review: Review = {
    store: app.store,
    appId: app.appId,
    reviewId: r.reviewId,
    rating: r.rating,
    title: r.title,
    text: r.text,
    author: r.author,
    createdAt: r.createdAt ?? new Date(0).toISOString(),
    territory: r.territory?.toUpperCase(),
    language: r.language,
    appVersion: r.appVersion,
    origin: 'api',
  };
  return evaluate(config, app, review, r.previousRating);
}
