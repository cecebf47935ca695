import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { routingRuleSchema, type RoutingRule } from '../../../src/config/schema.js';
import type { Review } from '../../../src/domain/review.js';
import { chooseDraft, renderDraft } from '../../../src/rules/drafts.js';
import { Router } from '../../../src/rules/routing.js';

const base: Review = {
  store: 'google-play',
  appId: 'com.shop.app',
  reviewId: 'r1',
  rating: 1,
  title: 'Beware',
  text: 'The app crashes when I pay',
  author: 'Ann',
  language: 'en-GB',
  territory: 'GBR',
  appVersion: '3.2.1',
  createdAt: '2026-11-01T00:00:00Z',
  origin: 'api',
};
const app = { id: 'shop' };

function rule(when: Record<string, unknown>, then: Record<string, unknown> = { priority: 'high' }): RoutingRule {
  return routingRuleSchema.parse({ name: 'r', when, then });
}

/** True when the one rule matches the review (as new, or as an edit from `previous`). */
function fires(when: Record<string, unknown>, review: Partial<Review> = {}, previous?: number): boolean {
  const result = new Router([rule(when)]).route({ review: { ...base, ...review }, app, previousRating: previous });
  return result.rule !== undefined;
}

describe('routing conditions', () => {
  it('store and app', () => {
    expect(fires({ stores: ['google-play'] })).toBe(true);
    expect(fires({ stores: ['app-store', 'rustore'] })).toBe(false);
    expect(fires({ apps: ['shop'] })).toBe(true);
    expect(fires({ apps: ['other'] })).toBe(false);
  });

  it('rating', () => {
    expect(fires({ ratings: [1, 2] })).toBe(true);
    expect(fires({ ratings: [4, 5] })).toBe(false);
  });

  it('rating change: up, down, by at least N; never a new review', () => {
    expect(fires({ ratingChange: { direction: 'down' } }, { rating: 1 }, 4)).toBe(true);
    expect(fires({ ratingChange: { direction: 'up' } }, { rating: 1 }, 4)).toBe(false);
    expect(fires({ ratingChange: { direction: 'up', atLeast: 2 } }, { rating: 5 }, 3)).toBe(true);
    expect(fires({ ratingChange: { direction: 'up', atLeast: 3 } }, { rating: 5 }, 3)).toBe(false);
    expect(fires({ ratingChange: { direction: 'any', atLeast: 2 } }, { rating: 2 }, 4)).toBe(true);
    expect(fires({ ratingChange: {} }, { rating: 3 }, 3)).toBe(false);
    expect(fires({ ratingChange: {} })).toBe(false);
  });

  it('language (prefix of a region) and country', () => {
    expect(fires({ languages: ['en'] })).toBe(true);
    expect(fires({ languages: ['ru'] })).toBe(false);
    expect(fires({ languages: ['en'] }, { language: undefined })).toBe(false);
    expect(fires({ countries: ['gbr'] })).toBe(true);
    expect(fires({ countries: ['USA'] })).toBe(false);
  });

  it('app version, exact or with *', () => {
    expect(fires({ versions: ['3.2.1'] })).toBe(true);
    expect(fires({ versions: ['3.2.*'] })).toBe(true);
    expect(fires({ versions: ['3.1.*', '4.*'] })).toBe(false);
    expect(fires({ versions: ['3.2.*'] }, { appVersion: '3.20.0' })).toBe(false);
    expect(fires({ versions: ['3.*'] }, { appVersion: undefined })).toBe(false);
  });

  it('length in words, any script (CJK counted by word, not by space)', () => {
    expect(fires({ words: { min: 5 } })).toBe(true); // "Beware" + 6 words
    expect(fires({ words: { max: 3 } })).toBe(false);
    // "这个应用程序非常好用" is several words although it has no space.
    expect(fires({ words: { min: 3 } }, { title: undefined, text: '这个应用程序非常好用' })).toBe(true);
    expect(fires({ words: { max: 1 } }, { title: undefined, text: 'ok' })).toBe(true);
  });

  it('keywords and regexes, case-insensitive, any script', () => {
    expect(fires({ match: ['CRASHES'] })).toBe(true);
    expect(fires({ match: ['crash'] })).toBe(false); // whole words only
    expect(fires({ match: ['/crash(es|ed)?/'] })).toBe(true);
    expect(fires({ match: ['оплата'] }, { text: 'Оплата не проходит' })).toBe(true);
    expect(fires({ match: ['支付'] }, { text: '无法支付订单' })).toBe(true);
    expect(fires({ match: ['/\\p{Script=Cyrillic}+/'] })).toBe(false);
    expect(fires({ match: ['beware'] })).toBe(true); // the title counts
  });

  it('first review vs edit', () => {
    expect(fires({ kind: 'new' })).toBe(true);
    expect(fires({ kind: 'new' }, {}, 3)).toBe(false);
    expect(fires({ kind: 'edit' }, {}, 3)).toBe(true);
    expect(fires({ kind: 'edit' })).toBe(false);
  });

  it('every condition must hold', () => {
    expect(fires({ ratings: [1], languages: ['en'], match: ['pay'] })).toBe(true);
    expect(fires({ ratings: [1], languages: ['en'], match: ['refund'] })).toBe(false);
    expect(fires({})).toBe(true);
  });
});

describe('first match wins', () => {
  const rules = [
    routingRuleSchema.parse({ name: 'one-star', when: { ratings: [1] }, then: { groupId: 2, priority: 'high' } }),
    routingRuleSchema.parse({ name: 'crashes', when: { match: ['crashes'] }, then: { staffId: 7, labels: ['crash'] } }),
  ];

  it('the first matching rule decides; later matches are reported, not merged', () => {
    const r = new Router(rules).route({ review: base, app });
    expect(r.rule).toEqual({ index: 0, name: 'one-star' });
    expect(r.action).toEqual({ groupId: 2, priority: 'high', staffId: undefined, labels: [] });
    expect(r.verdicts.map((v) => v.matched)).toEqual([true, true]);
  });

  it('a later rule decides when the earlier fails, and says why the earlier failed', () => {
    const r = new Router(rules).route({ review: { ...base, rating: 3 }, app });
    expect(r.rule?.name).toBe('crashes');
    expect(r.action).toMatchObject({ staffId: 7, labels: ['crash'] });
    expect(r.verdicts[0]!.failed).toBe('rating 3 not in 1');
  });

  it('no rule matches: no routing at all', () => {
    const r = new Router(rules).route({ review: { ...base, rating: 5, text: 'fine' }, app });
    expect(r.rule).toBeUndefined();
    expect(r.action).toEqual({ labels: [] });
  });
});

describe('routing, drafts and autoReply in the config', () => {
  const apps = [{ id: 'shop', store: 'google-play', appId: 'com.shop.app' }];
  const problemsOf = (extra: Record<string, unknown>): string[] =>
    parseConfig({ apps, ...extra }, {}).problems.map((p) => `${p.path}: ${p.message}`);

  it('errors name the rule index and field', () => {
    expect(problemsOf({ routing: [{ name: 'a', when: { ratings: [6] }, then: { priority: 'high' } }] })).toEqual([
      expect.stringMatching(/^routing\.0\.when\.ratings\.0: /),
    ]);
    expect(problemsOf({ routing: [{ name: 'a', then: { priority: 'urgent' } }] })[0]).toMatch(
      /^routing\.0\.then\.priority: /,
    );
    expect(problemsOf({ routing: [{ name: 'a', then: {} }] })[0]).toBe(
      'routing.0.then: set at least one of groupId, priority, staffId, labels',
    );
    expect(problemsOf({ routing: [{ name: 'a', when: { colour: 'red' }, then: { groupId: 1 } }] })[0]).toMatch(
      /^routing\.0\.when: unknown field\(s\): colour/,
    );
  });

  it('a regex that does not compile is refused at load, naming the entry', () => {
    const [problem] = problemsOf({
      routing: [
        { name: 'ok', when: { match: ['fine'] }, then: { groupId: 1 } },
        { name: 'bad', when: { match: ['word', '/(unclosed/'] }, then: { groupId: 1 } },
      ],
    });
    expect(problem).toMatch(/^routing\.1\.when\.match\.1: not a valid regular expression/);
  });

  it('unknown app ids, duplicate names, drafts naming a missing rule', () => {
    expect(
      problemsOf({
        routing: [
          { name: 'a', when: { apps: ['nope'] }, then: { groupId: 1 } },
          { name: 'a', then: { groupId: 1 } },
        ],
        drafts: { templates: [{ rule: 'b', text: 'Hi' }] },
      }),
    ).toEqual([
      'routing.0.when.apps.0: no app "nope" in apps (known: shop)',
      'routing.1.name: duplicate rule name "a": names must differ',
      'drafts.templates.0.rule: no routing rule named "b"',
    ]);
  });

  it('an unknown placeholder in a draft is a config error naming it', () => {
    const [problem] = problemsOf({ drafts: { templates: [{ text: 'Hi {{author}}, {{nmae}}' }] } });
    expect(problem).toMatch(/^drafts\.templates\.0\.text: unknown placeholder \{\{nmae\}\}: use \{\{author\}\}/);
  });

  it('auto-reply is off unless configured, and needs drafts', () => {
    const { config } = parseConfig({ apps }, {});
    expect(config!.autoReply).toBeUndefined();
    expect(config!.drafts.enabled).toBe(false);
    expect(config!.routing).toEqual([]);
    expect(problemsOf({ autoReply: { apps: ['shop'], ratings: [5] } })).toEqual([
      'autoReply: auto-reply sends the matching draft: add drafts.templates first',
    ]);
  });
});

describe('drafts', () => {
  const templates = [
    { apps: ['shop'], ratings: [1, 2], languages: ['ru'], text: 'Здравствуйте, {{author}}!' },
    { rule: 'vip', text: 'VIP {{author}}' },
    { ratings: [1, 2], text: 'Hi {{ author }}, sorry about {{app}} {{version}} ({{stars}}, {{rating}}/5) {{store}}' },
  ];

  it('chosen by app, rating, language and rule; the first that fits', () => {
    expect(chooseDraft(templates, { review: { ...base, language: 'ru' }, app })).toBe(templates[0]);
    expect(chooseDraft(templates, { review: base, app, rule: 'vip' })).toBe(templates[1]);
    expect(chooseDraft(templates, { review: base, app })).toBe(templates[2]);
    expect(chooseDraft(templates, { review: { ...base, rating: 5 }, app })).toBeUndefined();
  });

  it('fills placeholders from the review', () => {
    expect(renderDraft(templates[2]!.text, { review: base, app: { id: 'shop', name: 'Shop' } })).toBe(
      'Hi Ann, sorry about Shop 3.2.1 (★☆☆☆☆, 1/5) Google Play',
    );
  });
});
