/**
 * Reply drafts: the first template whose conditions (apps, ratings, languages, routing rule)
 * all hold, filled from the review. Placeholders were checked when the config was loaded, so
 * every `{{name}}` here has a value (an empty one when the review lacks it).
 */
import type { AppConfig, DraftTemplate, draftPlaceholders } from '../config/schema.js';
import { storeNames } from '../connectors/stores/registry.js';
import { stars } from '../domain/case-content.js';
import type { Review } from '../domain/review.js';
import { languageMatches } from './filter.js';

export interface DraftInput {
  review: Review;
  app: Pick<AppConfig, 'id' | 'name'>;
  /** The routing rule that decided, if one did. */
  rule?: string | undefined;
}

export function chooseDraft(templates: readonly DraftTemplate[], input: DraftInput): DraftTemplate | undefined {
  return templates.find(
    (t) =>
      (!t.apps || t.apps.includes(input.app.id)) &&
      (!t.ratings || t.ratings.includes(input.review.rating)) &&
      (!t.languages || (input.review.language !== undefined && languageMatches(input.review.language, t.languages))) &&
      (t.rule === undefined || t.rule === input.rule),
  );
}

export function renderDraft(text: string, input: DraftInput): string {
  const { review, app } = input;
  const values: Record<(typeof draftPlaceholders)[number], string> = {
    author: review.author?.trim() ?? '',
    app: app.name ?? app.id,
    store: storeNames[review.store],
    rating: String(review.rating),
    stars: stars(review.rating),
    version: review.appVersion ?? '',
    title: review.title ?? '',
    text: review.text,
    language: review.language ?? '',
    country: review.territory ?? '',
    rule: input.rule ?? '',
  };
  return text.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (all, name: string) =>
    name in values ? values[name as keyof typeof values] : all,
  );
}

/** The draft for a review, rendered; undefined when no template fits. */
export function draftFor(templates: readonly DraftTemplate[], input: DraftInput): string | undefined {
  const template = chooseDraft(templates, input);
  return template && renderDraft(template.text, input).trim();
}
