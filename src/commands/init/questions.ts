/**
 * Pure answers → config: normalising what people type (subdomains, ids, country lists) and
 * changing the config draft. No prompts and no I/O here, so every rule is tested directly.
 * The draft is the config file's own content (`ConfigInput`): defaults are never written out.
 */
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { Env } from '../../config/load.js';
import { filtersSchema, type ConfigInput, type lengthFilters, type reviewTypes } from '../../config/schema.js';
import type { CaseField } from '../../connectors/helpdesk/types.js';
import type { StoreId } from '../../domain/review.js';

export type Lang = 'en' | 'ru';
export type AppInput = NonNullable<ConfigInput['apps']>[number];
export type FiltersInput = NonNullable<AppInput['filters']>;
export type ReviewType = (typeof reviewTypes)[number];
export type LengthFilter = (typeof lengthFilters)[number];

/** `--lang` wins; else the locale (`LC_ALL`, then `LC_MESSAGES`, then `LANG`) starting with `ru`; else English. */
export function detectLang(flag: string | undefined, env: Env): Lang {
  if (flag === 'ru' || flag === 'en') return flag;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^ru/i.test(locale) ? 'ru' : 'en';
}

/**
 * `company`, `company.omnidesk.ru` or `https://company.omnidesk.ru/staff/...` → `company`.
 * Other hosts are not guessed at: a proxy or emulator goes in ASODESK_OMNI_OMNIDESK_BASE_URL.
 */
export function normaliseSubdomain(text: string): string | undefined {
  let s = text.trim().toLowerCase();
  if (s === '') return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(s)) {
    try {
      s = new URL(s).hostname;
    } catch {
      return undefined;
    }
  } else {
    s = s.replace(/\/.*$/, '');
  }
  s = s.replace(/\.omnidesk\.(ru|pro|kz|by)$/, '');
  return /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(s) ? s : undefined;
}

export function isEmail(text: string): boolean {
  return z.email().safeParse(text.trim()).success;
}

export function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text.trim());
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** `cch12`, `12` → `cch12`. */
export function normaliseChannel(text: string): string | undefined {
  const m = /^(?:cch)?(\d+)$/i.exec(text.trim());
  return m ? `cch${m[1]}` : undefined;
}

/** The URL to paste into the custom channel: serve-hook's route (src/server/verify.ts) with the secret. */
export function webhookUrl(publicUrl: string, secret: string): string {
  return `${publicUrl.trim().replace(/\/+$/, '')}/omnidesk/webhook/${secret}`;
}

/**
 * The case field that holds the review key: a case-level text field titled exactly like the
 * channel. `nearMiss` is a field with that title of the wrong type or level, to say what is wrong.
 */
export function findCaseField(fields: readonly CaseField[], channelTitle: string): { field?: CaseField; nearMiss?: CaseField } {
  const title = channelTitle.trim().toLowerCase();
  const same = fields.filter((f) => f.title.trim().toLowerCase() === title);
  const field = same.find((f) => f.level === 'case' && f.fieldType === 'text');
  return field ? { field } : same[0] ? { nearMiss: same[0] } : {};
}

/** Splits `USA, rus; deu` or `en ru` into items. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Upper-cased alpha-3 codes, or the items that are not alpha-3. */
export function parseCountries(text: string): { ok: string[] } | { bad: string[] } {
  const items = splitList(text);
  const bad = items.filter((c) => !/^[A-Za-z]{3}$/.test(c));
  return bad.length > 0 ? { bad } : { ok: [...new Set(items.map((c) => c.toUpperCase()))] };
}

/** Language codes such as `en`, `ru`, `pt-BR`. */
export function parseLanguages(text: string): { ok: string[] } | { bad: string[] } {
  const items = splitList(text);
  const bad = items.filter((c) => !/^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$/i.test(c));
  return bad.length > 0 ? { bad } : { ok: [...new Set(items.map((c) => c.replace('_', '-')))] };
}

export type AppIdProblem = 'app-store-id' | 'package-name';

export function appIdProblem(store: StoreId, appId: string): AppIdProblem | undefined {
  const id = appId.trim();
  if (store === 'app-store') return /^\d+$/.test(id) ? undefined : 'app-store-id';
  return /^[A-Za-z][\w]*(\.[A-Za-z_][\w]*)+$/.test(id) ? undefined : 'package-name';
}

const localIdPattern = /^[a-z0-9][a-z0-9._-]*$/i;

export function localIdProblem(id: string, taken: readonly string[]): 'format' | 'taken' | undefined {
  if (!localIdPattern.test(id)) return 'format';
  return taken.includes(id) ? 'taken' : undefined;
}

/** A short local id for `--app`: from the name, else from the store id; unique. */
export function suggestLocalId(store: StoreId, appId: string, name: string | undefined, taken: readonly string[]): string {
  const fromName = (name ?? '')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const fallback = store === 'app-store' ? `ios-${appId}` : (appId.split('.').pop() ?? appId).toLowerCase().replace(/[^a-z0-9._-]/g, '');
  const base = (fromName || fallback || store).slice(0, 40) || store;
  let id = base;
  for (let i = 2; taken.includes(id); i++) id = `${base}-${i}`;
  return id;
}

// --- draft changes -------------------------------------------------------------------------

export interface OmnideskAnswers {
  subdomain: string;
  staffEmail: string;
  /** Undefined keeps what the draft has (or the env var provides). */
  apiKey?: string | undefined;
  baseUrl?: string | undefined;
}

export function setOmnidesk(draft: ConfigInput, a: OmnideskAnswers): ConfigInput {
  const previous = draft.omnidesk;
  const omnidesk = { ...previous, subdomain: a.subdomain, staffEmail: a.staffEmail.trim() };
  if (a.apiKey !== undefined) omnidesk.apiKey = a.apiKey.trim();
  if (a.baseUrl !== undefined) omnidesk.baseUrl = a.baseUrl;
  return { ...draft, omnidesk };
}

export function setChannel(draft: ConfigInput, channel: { id: string; title: string }): ConfigInput {
  if (!draft.omnidesk) throw new Error('the Omnidesk account comes first');
  const same = draft.omnidesk.channel === channel.id && draft.omnidesk.channelTitle === channel.title;
  // Another channel means another case field: it is looked up again.
  const omnidesk = { ...draft.omnidesk, channel: channel.id, channelTitle: channel.title, ...(same ? {} : { caseFieldId: undefined }) };
  return { ...draft, omnidesk: dropUndefined(omnidesk) };
}

export function setCaseField(draft: ConfigInput, fieldId: number | undefined): ConfigInput {
  if (!draft.omnidesk) throw new Error('the Omnidesk account comes first');
  return { ...draft, omnidesk: dropUndefined({ ...draft.omnidesk, caseFieldId: fieldId }) };
}

export function setWebhook(draft: ConfigInput, w: { publicUrl?: string | undefined; secret: string }): ConfigInput {
  const webhook = dropUndefined({ ...draft.webhook, publicUrl: w.publicUrl?.trim().replace(/\/+$/, '') || undefined, secret: w.secret });
  return { ...draft, webhook };
}

export function upsertApp(draft: ConfigInput, app: AppInput, index?: number): ConfigInput {
  const apps = [...(draft.apps ?? [])];
  if (index === undefined) apps.push(app);
  else apps[index] = app;
  return { ...draft, apps };
}

export function removeApp(draft: ConfigInput, index: number): ConfigInput {
  return { ...draft, apps: (draft.apps ?? []).filter((_, i) => i !== index) };
}

export interface FilterAnswers {
  reviewType: ReviewType;
  backlog: number;
  ratings: number[];
  countries: string[];
  languages: string[];
  length: LengthFilter;
  tags: boolean;
}

/** Current filters with the schema's defaults filled in, for the prompts' defaults. */
export function currentFilters(app: AppInput): FilterAnswers {
  const parsed = filtersSchema.safeParse(app.filters ?? {});
  const f = parsed.success ? parsed.data : filtersSchema.parse({});
  return { reviewType: f.reviewType, backlog: f.backlog, ratings: f.ratings, countries: f.countries, languages: f.languages, length: f.length, tags: app.tags ?? true };
}

export function setFilters(draft: ConfigInput, index: number, f: FilterAnswers): ConfigInput {
  const app = draft.apps?.[index];
  if (!app) throw new Error(`no app #${index}`);
  const filters: FiltersInput = {
    reviewType: f.reviewType,
    backlog: f.backlog,
    ratings: [...f.ratings].sort((a, b) => a - b),
    ...(app.store === 'app-store' ? { countries: f.countries } : {}),
    ...(app.store === 'google-play' ? { languages: f.languages } : {}),
    length: f.length,
  };
  return upsertApp(draft, { ...app, filters, tags: f.tags }, index);
}

export type StoreKey = 'appStore' | 'googlePlay' | 'rustore';
export const storeKeyOf: Record<StoreId, StoreKey> = { 'app-store': 'appStore', 'google-play': 'googlePlay', rustore: 'rustore' };

export type CredentialAnswers =
  | { store: 'app-store'; issuerId: string; keyId: string; privateKeyPath: string }
  | { store: 'google-play'; serviceAccountPath: string }
  | { store: 'rustore'; keyId: string; privateKeyPath?: string | undefined; privateKey?: string | undefined };

const credentialFields: Record<StoreKey, readonly string[]> = {
  appStore: ['issuerId', 'keyId', 'privateKey', 'privateKeyPath'],
  googlePlay: ['serviceAccountJson', 'serviceAccountPath'],
  rustore: ['keyId', 'privateKey', 'privateKeyPath'],
};

/** Sets a store's credentials (key files by path; a pasted key inline), or removes them (`undefined`). */
export function setCredentials(draft: ConfigInput, store: StoreId, creds: CredentialAnswers | undefined): ConfigInput {
  const key = storeKeyOf[store];
  const current: Record<string, unknown> = { ...(draft.stores?.[key] ?? {}) };
  for (const f of credentialFields[key]) delete current[f];
  const { store: _s, ...fields } = creds ?? { store };
  const next = dropUndefined({ ...current, ...fields });
  const stores: Record<string, unknown> = { ...draft.stores, [key]: next };
  // No empty sections in the file: a store without settings is simply absent.
  if (Object.keys(next).length === 0) delete stores[key];
  const { stores: _old, ...rest } = draft;
  return Object.keys(stores).length === 0 ? rest : { ...rest, stores: stores as ConfigInput['stores'] };
}

export function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A typed or dragged-in path: quotes stripped, `~` expanded, made absolute (the config may move, the cwd does). */
export function absolutePath(text: string, cwd: string, home: string | undefined): string {
  let p = text.trim().replace(/^(['"])(.*)\1$/, '$2');
  if (home && (p === '~' || p.startsWith('~/'))) p = home + p.slice(1);
  return isAbsolute(p) ? p : resolve(cwd, p);
}
