/**
 * Routing rules: which Omnidesk group, priority, staff and extra labels a review's case gets.
 * **First match wins**: the rules are read top to bottom and the first whose conditions all
 * hold decides. Group, priority and staff hold one value each, so merging several rules would
 * need a precedence of its own; an ordered list (like firewall rules) is what people predict.
 * Labels that should add up belong in `tagRules`, which all apply.
 */
import type { AppConfig, CasePriority, RoutingRule } from '../config/schema.js';
import type { Review } from '../domain/review.js';
import { countWords, languageMatches } from './filter.js';
import { compileMatcher } from './matcher.js';

/** What routing needs to know beyond the review: its app and how it relates to the version before. */
export interface RoutingInput {
  review: Review;
  app: Pick<AppConfig, 'id'>;
  /** The rating of the version before, for an edit; undefined for the first version. */
  previousRating?: number | undefined;
}

export interface RoutingAction {
  groupId?: number | undefined;
  priority?: CasePriority | undefined;
  staffId?: number | undefined;
  labels: string[];
}

export interface RuleVerdict {
  index: number;
  name: string;
  matched: boolean;
  /** The first condition that failed, in words (for `rules test`). */
  failed?: string | undefined;
}

export interface RoutingResult {
  /** The rule that decided, if any. */
  rule?: { index: number; name: string } | undefined;
  action: RoutingAction;
  verdicts: RuleVerdict[];
}

interface Compiled {
  index: number;
  rule: RoutingRule;
  matchers: RegExp[] | undefined;
}

function versionMatches(version: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    const body = p
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    return new RegExp(`^${body}$`).test(version);
  });
}

export class Router {
  private readonly rules: Compiled[];

  constructor(rules: readonly RoutingRule[]) {
    this.rules = rules.map((rule, index) => ({
      index,
      rule,
      matchers: rule.when.match?.map(compileMatcher),
    }));
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Every rule's verdict, and the action of the first that matched. */
  route(input: RoutingInput): RoutingResult {
    const verdicts = this.rules.map((c) => {
      const failed = this.failedCondition(c, input);
      return { index: c.index, name: c.rule.name, matched: failed === undefined, failed };
    });
    const first = verdicts.find((v) => v.matched);
    if (!first) return { action: { labels: [] }, verdicts };
    const then = this.rules[first.index]!.rule.then;
    return {
      rule: { index: first.index, name: first.name },
      action: { groupId: then.groupId, priority: then.priority, staffId: then.staffId, labels: then.labels ?? [] },
      verdicts,
    };
  }

  private failedCondition(c: Compiled, input: RoutingInput): string | undefined {
    const w = c.rule.when;
    const { review, previousRating } = input;
    const edit = previousRating !== undefined;
    if (w.stores && !w.stores.includes(review.store)) return `store is ${review.store}, not ${w.stores.join('/')}`;
    if (w.apps && !w.apps.includes(input.app.id)) return `app is ${input.app.id}, not ${w.apps.join('/')}`;
    if (w.kind && w.kind !== (edit ? 'edit' : 'new')) return `the review is ${edit ? 'an edit' : 'new'}`;
    if (w.ratings && !w.ratings.includes(review.rating)) return `rating ${review.rating} not in ${w.ratings.join(',')}`;
    if (w.ratingChange) {
      if (!edit) return 'no rating change: the review is new';
      const delta = review.rating - previousRating;
      const { direction, atLeast } = w.ratingChange;
      const moved = direction === 'up' ? delta : direction === 'down' ? -delta : Math.abs(delta);
      if (moved < atLeast)
        return `rating ${previousRating} → ${review.rating} is not ${direction === 'any' ? 'a change' : direction} by ${atLeast}+`;
    }
    if (w.languages && !(review.language && languageMatches(review.language, w.languages)))
      return `language ${review.language ?? 'unknown'} not in ${w.languages.join(',')}`;
    if (w.countries && !(review.territory && w.countries.includes(review.territory.toUpperCase())))
      return `country ${review.territory ?? 'unknown'} not in ${w.countries.join(',')}`;
    if (w.versions && !(review.appVersion && versionMatches(review.appVersion, w.versions)))
      return `version ${review.appVersion ?? 'unknown'} not in ${w.versions.join(',')}`;
    if (w.words) {
      const words = countWords(`${review.title ?? ''} ${review.text}`.trim());
      if (w.words.min !== undefined && words < w.words.min) return `${words} words, fewer than ${w.words.min}`;
      if (w.words.max !== undefined && words > w.words.max) return `${words} words, more than ${w.words.max}`;
    }
    if (c.matchers) {
      const text = `${review.title ?? ''}\n${review.text}`;
      if (!c.matchers.some((m) => m.test(text))) return `no keyword of ${w.match!.join(', ')} in the text`;
    }
    return undefined;
  }
}
