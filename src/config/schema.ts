/**
 * One schema for the whole configuration file. Every base URL and token endpoint has a
 * production default and can be overridden, so the same binary talks to the emulators or
 * to the real services. Secrets may be left out here and given by env vars (see `.env.example`).
 */
import { z } from 'zod';
import { storeIds } from '../domain/review.js';
import { isCountryCode } from './countries.js';
import { omnideskDomains } from './omnidesk-address.js';
import { matcherProblem } from '../rules/matcher.js';
import { stateUrlProblem } from './state-url.js';

export const reviewTypes = ['all', 'became-better', 'became-worse', 'updated'] as const;
export const lengthFilters = ['all', 'under-3-words', 'over-3-words'] as const;
export const sourceModes = ['auto', 'api', 'public'] as const;

const url = z.url({ message: 'must be a full URL such as https://example.com' });

export const filtersSchema = z
  .object({
    reviewType: z.enum(reviewTypes).default('all'),
    /** Unanswered old reviews imported on an app's first sync (the rest is marked seen). */
    backlog: z.number().int().min(0).max(100).default(10),
    ratings: z.array(z.number().int().min(1).max(5)).min(1, 'pick at least one rating').default([1, 2, 3, 4, 5]),
    /** App Store territories, ISO 3166 alpha-3 (`USA`, `RUS`); empty = all. */
    countries: z
      .array(
        z
          .string()
          .regex(/^[A-Za-z]{3}$/, 'use 3-letter ISO codes such as USA, RUS')
          .refine(isCountryCode, { message: 'not an ISO 3166 alpha-3 country code (e.g. USA, RUS, DEU)' })
          .transform((s) => s.toUpperCase()),
      )
      .default([]),
    /** Google Play reviewer languages (`en`, `ru`, `pt-BR`); empty = all. */
    languages: z.array(z.string().min(2)).default([]),
    length: z.enum(lengthFilters).default('all'),
  })
  .strict();
export type Filters = z.infer<typeof filtersSchema>;

export const appSchema = z
  .object({
    /** Local name used in `--app` and in logs. */
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'use letters, digits, dot, dash or underscore'),
    store: z.enum(storeIds),
    /** App Store: numeric Apple app id; Google Play / RuStore: package name. */
    appId: z.string().min(1),
    name: z.string().min(1).optional(),
    enabled: z.boolean().default(true),
    source: z.enum(sourceModes).default('auto'),
    filters: filtersSchema.default(filtersSchema.parse({})),
    tags: z.boolean().default(true),
    /** Google Play: ask the API for a translation shown beside the original. */
    translationLanguage: z.string().min(2).optional(),
  })
  .strict();
export type AppConfig = z.infer<typeof appSchema>;

export const omnideskSchema = z
  .object({
    /** `company` of company.omnidesk.ru (or company.deskie.io). */
    subdomain: z.string().regex(/^[a-z0-9-]+$/i, 'only the subdomain, e.g. "company" for company.omnidesk.ru'),
    /** omnidesk.ru (default) or deskie.io: Omnidesk's English edition, the same API. */
    domain: z.enum(omnideskDomains, { message: 'omnidesk.ru or deskie.io' }).optional(),
    /** Overrides https://{subdomain}.{domain} (emulators, self-hosted proxies). */
    baseUrl: url.optional(),
    staffEmail: z.email({ message: 'must be the e-mail of the main admin (staff) account' }),
    apiKey: z.string().min(1).optional(),
    /** Custom channel id as the API names it, e.g. `cch12`. */
    channel: z
      .string()
      .regex(/^cch\d+$/, 'looks like cch12 (Settings → Channels → custom channel)')
      .optional(),
    channelTitle: z.string().optional(),
    /** Id of the case text field named like the channel (`cf_<id>`). */
    caseFieldId: z.number().int().positive().optional(),
    /** Throttle below the account's per-minute limit; unset = learn it from response headers. */
    requestsPerMinute: z.number().int().positive().optional(),
  })
  .strict();

export const appStoreSchema = z
  .object({
    issuerId: z.string().min(1).optional(),
    keyId: z.string().min(1).optional(),
    /** Inline PEM of the .p8 key; prefer `privateKeyPath` or the env var. */
    privateKey: z.string().min(1).optional(),
    privateKeyPath: z.string().min(1).optional(),
    baseUrl: url.default('https://api.appstoreconnect.apple.com'),
    maxReplyLength: z.number().int().positive().default(5970),
    /** Public customer-reviews feed, used when there are no credentials. */
    publicBaseUrl: url.default('https://itunes.apple.com'),
    /** Countries (ISO alpha-2, lower case) read from the public feed when an app has no country filter. */
    publicCountries: z.array(z.string().regex(/^[a-z]{2}$/i)).default(['us', 'gb', 'ru', 'de', 'fr']),
    /** A full scan (not stopping at known reviews) every so often, to catch edits of old reviews. */
    fullScanHours: z.number().positive().default(24),
  })
  .strict();

export const googlePlaySchema = z
  .object({
    /** Inline service-account JSON; prefer `serviceAccountPath` or the env var. */
    serviceAccountJson: z.string().min(1).optional(),
    serviceAccountPath: z.string().min(1).optional(),
    baseUrl: url.default('https://androidpublisher.googleapis.com'),
    /** Overrides the key file's `token_uri`. */
    tokenUri: url.optional(),
    maxReplyLength: z.number().int().positive().max(350).default(350),
    quotaGetPerHour: z.number().int().positive().default(200),
    quotaPostPerDay: z.number().int().positive().default(2000),
    /** Google Play web pages, used when there are no credentials. */
    publicBaseUrl: url.default('https://play.google.com'),
    publicCountry: z
      .string()
      .regex(/^[a-z]{2}$/i)
      .default('us'),
  })
  .strict();

export const rustoreSchema = z
  .object({
    keyId: z.string().min(1).optional(),
    /** Base64 DER PKCS#8 as RuStore Console gives it, or PEM. */
    privateKey: z.string().min(1).optional(),
    privateKeyPath: z.string().min(1).optional(),
    baseUrl: url.default('https://public-api.rustore.ru'),
    maxReplyLength: z.number().int().positive().default(500),
    publicBaseUrl: url.default('https://backapi.rustore.ru'),
    /** A full scan every so often: comments come by creation date, so edits of old ones are deep. */
    fullScanHours: z.number().positive().default(24),
  })
  .strict();

export const tagRuleSchema = z
  .object({
    label: z.string().min(1),
    /** Words (matched case-insensitively, any script) or `/regex/flags`. */
    match: z.array(z.string().min(1)).min(1),
  })
  .strict();

export const webhookSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8787),
    /** Public URL of the listener behind the reverse proxy, without the secret path. */
    publicUrl: url.optional(),
    /** Random secret in the webhook URL path (Omnidesk signs nothing). Made by `init`. */
    secret: z
      .string()
      .min(22, 'must be at least 128 random bits (22+ characters); run `asodesk-omni init` to make one')
      .optional(),
    publishRuleReplies: z.boolean().default(true),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024),
    /** Open connections at most (default: the descriptor limit minus a reserve, at most 4096). */
    maxConnections: z.number().int().min(1).optional(),
    /** A client must send its headers within this, and the whole request within requestTimeoutMs. */
    headersTimeoutMs: z.number().int().min(100).default(5_000),
    requestTimeoutMs: z.number().int().min(100).default(15_000),
    /** How long a webhook waits for a database locked by another process before a 503. */
    lockWaitMs: z.number().int().min(0).default(8_000),
  })
  .strict();

export const templatesSchema = z
  .object({
    subject: z.string().min(1).optional(),
    body: z.string().min(1).optional(),
  })
  .strict();

export const syncSchema = z
  .object({
    /** Apps synced at the same time. */
    concurrency: z.number().int().min(1).max(16).default(4),
    /** Attempts to publish a reply (transient failures) before it is marked failed and noted. */
    maxAttempts: z.number().int().min(1).default(5),
    /** Pages read per app per run at most: a store that pages forever cannot hold the run. */
    maxPagesPerApp: z.number().int().min(1).default(200),
    /** Seconds spent paging one app per run at most. */
    maxPullSeconds: z.number().positive().default(120),
    /** Days run reports are kept in the state (the last run, and the last successful one, always stay). */
    keepRunsDays: z.number().positive().default(7),
  })
  .strict();

export const stateSchema = z
  .object({
    /** A postgres:// connection string puts the state in PostgreSQL; unset keeps the SQLite file. */
    url: z
      .string()
      .trim()
      .min(1)
      .superRefine((text, ctx) => {
        const problem = stateUrlProblem(text);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
  })
  .strict();

/** Omnidesk's case priorities (the API's enum). */
export const casePriorities = ['low', 'normal', 'high', 'critical'] as const;
export type CasePriority = (typeof casePriorities)[number];

const countryList = z
  .array(
    z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'use 3-letter ISO codes such as USA, RUS')
      .refine(isCountryCode, { message: 'not an ISO 3166 alpha-3 country code (e.g. USA, RUS, DEU)' })
      .transform((s) => s.toUpperCase()),
  )
  .min(1);

/** A word or `/regex/flags`; a regex that does not compile is refused at load. */
const matcherEntry = z
  .string()
  .min(1)
  .superRefine((entry, ctx) => {
    const problem = matcherProblem(entry);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Every condition given must hold (AND); a list matches when any of its entries does (OR). */
export const routingWhenSchema = z
  .object({
    stores: z.array(z.enum(storeIds)).min(1).optional(),
    /** App ids of this config (`apps[].id`). */
    apps: z.array(z.string().min(1)).min(1).optional(),
    ratings: z.array(z.number().int().min(1).max(5)).min(1).optional(),
    /** Only edits whose rating moved: `up`, `down` or `any`, by at least `atLeast` stars. */
    ratingChange: z
      .object({
        direction: z.enum(['up', 'down', 'any']).default('any'),
        atLeast: z.number().int().min(1).max(4).default(1),
      })
      .strict()
      .optional(),
    /** Reviewer languages (`en` also matches `en-GB`). */
    languages: z.array(z.string().min(2)).min(1).optional(),
    /** Territories, ISO 3166 alpha-3. */
    countries: countryList.optional(),
    /** App versions: exact (`3.2.1`) or with `*` (`3.2.*`). */
    versions: z.array(z.string().min(1)).min(1).optional(),
    /** Review length in words (Intl.Segmenter: right for CJK and Thai too), bounds included. */
    words: z
      .object({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
      .strict()
      .optional(),
    /** Words or `/regex/flags` in the title or text, any script, case-insensitive. */
    match: z.array(matcherEntry).min(1).optional(),
    /** `new`: the first version of a review; `edit`: a later version. */
    kind: z.enum(['new', 'edit']).optional(),
  })
  .strict();

export const routingThenSchema = z
  .object({
    /** Omnidesk group id (`group_id`). */
    groupId: z.number().int().positive().optional(),
    priority: z.enum(casePriorities).optional(),
    /** Omnidesk staff id the case is assigned to (`staff_id`). */
    staffId: z.number().int().positive().optional(),
    /** Extra labels (titles; created in Omnidesk when missing). */
    labels: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .refine((t) => Object.values(t).some((v) => v !== undefined), {
    message: 'set at least one of groupId, priority, staffId, labels',
  });

export const routingRuleSchema = z
  .object({
    /** Shown by `rules test`; draft templates can be chosen by it. */
    name: z.string().min(1),
    when: routingWhenSchema.default({}),
    then: routingThenSchema,
  })
  .strict();
export type RoutingRule = z.infer<typeof routingRuleSchema>;

/** `{{name}}` placeholders a draft may use. */
export const draftPlaceholders = [
  'author',
  'app',
  'store',
  'rating',
  'stars',
  'version',
  'title',
  'text',
  'language',
  'country',
  'rule',
] as const;

const draftText = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    for (const m of text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
      if (!(draftPlaceholders as readonly string[]).includes(m[1]!))
        ctx.addIssue({
          code: 'custom',
          message: `unknown placeholder {{${m[1]}}}: use ${draftPlaceholders.map((p) => `{{${p}}}`).join(' ')}`,
        });
    }
  });

/** A reply draft; the first template whose conditions all hold is used. */
export const draftTemplateSchema = z
  .object({
    apps: z.array(z.string().min(1)).min(1).optional(),
    ratings: z.array(z.number().int().min(1).max(5)).min(1).optional(),
    languages: z.array(z.string().min(2)).min(1).optional(),
    /** The name of the routing rule that routed the review. */
    rule: z.string().min(1).optional(),
    text: draftText,
  })
  .strict();
export type DraftTemplate = z.infer<typeof draftTemplateSchema>;

export const draftsSchema = z
  .object({
    /** Post the matching draft as an internal note on each new case (opt-in). */
    enabled: z.boolean().default(false),
    templates: z.array(draftTemplateSchema).default([]),
  })
  .strict();

/** Publishing the matching draft without an agent: off unless this section is present. */
export const autoReplySchema = z
  .object({
    apps: z.array(z.string().min(1)).min(1),
    ratings: z.array(z.number().int().min(1).max(5)).min(1),
    /** Automatic replies per app per UTC day at most. */
    dailyCap: z.number().int().min(1).default(20),
    /** Minutes to wait after the case is made; an agent's own reply meanwhile wins. */
    delayMinutes: z.number().min(0).default(60),
  })
  .strict();
export type AutoReplyConfig = z.infer<typeof autoReplySchema>;

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    omnidesk: omnideskSchema.optional(),
    stores: z
      .object({
        appStore: appStoreSchema.default(appStoreSchema.parse({})),
        googlePlay: googlePlaySchema.default(googlePlaySchema.parse({})),
        rustore: rustoreSchema.default(rustoreSchema.parse({})),
      })
      .strict()
      .default({
        appStore: appStoreSchema.parse({}),
        googlePlay: googlePlaySchema.parse({}),
        rustore: rustoreSchema.parse({}),
      }),
    apps: z.array(appSchema).default([]),
    tagRules: z.array(tagRuleSchema).default([]),
    templates: templatesSchema.default({}),
    webhook: webhookSchema.default(webhookSchema.parse({})),
    sync: syncSchema.default(syncSchema.parse({})),
    /** Routing rules, first match wins: group, priority, staff and labels of the case. */
    routing: z.array(routingRuleSchema).default([]),
    drafts: draftsSchema.default(draftsSchema.parse({})),
    autoReply: autoReplySchema.optional(),
    /** Ui language of `init` and texts written into cases. */
    language: z.enum(['en', 'ru']).optional(),
    /** Where the state lives: unset keeps the SQLite file beside the config. */
    state: stateSchema.optional(),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type OmnideskConfig = z.infer<typeof omnideskSchema>;
export type AppStoreConfig = z.infer<typeof appStoreSchema>;
export type GooglePlayConfig = z.infer<typeof googlePlaySchema>;
export type RuStoreConfig = z.infer<typeof rustoreSchema>;
export type WebhookConfig = z.infer<typeof webhookSchema>;
export type TagRule = z.infer<typeof tagRuleSchema>;

/** Paths of fields that hold secrets: redacted by `config show`, never logged. */
export const secretFields = [
  'omnidesk.apiKey',
  'stores.appStore.privateKey',
  'stores.googlePlay.serviceAccountJson',
  'stores.rustore.privateKey',
  'webhook.secret',
  'state.url',
] as const;
