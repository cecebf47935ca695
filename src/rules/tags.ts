/**
 * Tags that become Omnidesk labels: automatic ones (store, app, stars, country or language,
 * version, edit kind) plus keyword rules from the config, matched in any script.
 */
import type { AppConfig, TagRule } from '../config/schema.js';
import { type Review } from '../domain/review.js';
import { storeNames } from '../connectors/stores/registry.js';
import type { Change } from './filter.js';
import { compileMatcher } from './matcher.js';

export { compileMatcher };

export interface CompiledRule {
  label: string;
  matchers: RegExp[];
}

export function compileRules(rules: readonly TagRule[]): CompiledRule[] {
  return rules.map((r) => ({ label: r.label, matchers: r.match.map(compileMatcher) }));
}

export function autoTags(review: Review, app: AppConfig, change: Change): string[] {
  const tags = [storeNames[review.store], app.name ?? app.id, `${review.rating}★`];
  if (review.territory) tags.push(review.territory.toUpperCase());
  if (review.language) tags.push(review.language);
  if (review.appVersion) tags.push(`v${review.appVersion}`);
  if (change !== 'new') tags.push('edited');
  if (change === 'rating-up') tags.push('rating-up');
  if (change === 'rating-down') tags.push('rating-down');
  return tags;
}

export function keywordTags(review: Review, rules: readonly CompiledRule[]): string[] {
  const text = `${review.title ?? ''}\n${review.text}`;
  return rules.filter((r) => r.matchers.some((m) => m.test(text))).map((r) => r.label);
}

export function tagsFor(review: Review, app: AppConfig, change: Change, rules: readonly CompiledRule[]): string[] {
  if (!app.tags) return [];
  return [...new Set([...autoTags(review, app, change), ...keywordTags(review, rules)])];
}

/** Labels that describe a previous version and must go when the review changes. */
export function staleTags(previous: readonly string[], current: readonly string[]): string[] {
  const now = new Set(current);
  return previous.filter(
    (t) => !now.has(t) && (/^\d★$/.test(t) || /^v/.test(t) || t === 'rating-up' || t === 'rating-down'),
  );
}
