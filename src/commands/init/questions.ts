/**
 * Pure answers → config: normalising what people type (subdomains, ids, country lists) and
 * changing the config draft. No prompts and no I/O here, so every rule is tested directly.
 * The draft is the config file's own content (`ConfigInput`): defaults are never written out.
 */
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { isCountryCode } from '../../config/countries.js';
import type { Env } from '../../config/load.js';
import type { OmnideskDomain } from '../../config/omnidesk-address.js';
import { filtersSchema, type ConfigInput, type lengthFilters, type reviewTypes } from '../../config/schema.js';
import type { CaseField } from '../../connectors/helpdesk/types.js';
import type { StoreId } from '../../domain/review.js';
import { allStoreWizards, storeWizard } from '../../connectors/stores/wizards.js';
import { optionKey } from '../../connectors/stores/wizard-types.js';

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
 * `company`, `company.omnidesk.ru`, `company.deskie.io` or `https://company.omnidesk.ru/staff/...` → `company`.
 * Anything else that is an address (`http://127.0.0.1:8080`, `localhost:8080`, a proxy's URL)
 * is not a subdomain: use `parseOmnideskAddress`, which returns it as a base URL.
 */
export function normaliseSubdomain(text: string): string | undefined {
  const a = parseOmnideskAddress(text);
  return a && a.baseUrl === undefined ? a.subdomain : undefined;
}

export interface OmnideskAddress {
  subdomain: string;
  /** `deskie.io` for an account of the English edition; absent: omnidesk.ru. */
  domain?: OmnideskDomain | undefined;
  /** Set when the address is not an Omnidesk-hosted one (emulator, proxy): the API base URL. */
  baseUrl?: string | undefined;
}

const omnideskHost = /\.(omnidesk\.(ru|pro|kz|by)|deskie\.io)$/;

/** The account of a hosted address: its subdomain, and the domain when it is Deskie's. */
function hosted(host: string): OmnideskAddress | undefined {
  const sub = host.replace(omnideskHost, '');
  if (!subdomainPattern.test(sub)) return undefined;
  return host.endsWith('.deskie.io') ? { subdomain: sub, domain: 'deskie.io' } : { subdomain: sub };
}
const subdomainPattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * What people type as the Omnidesk address: a subdomain, an omnidesk.ru host or URL, or the
 * full URL of anything else (a proxy, the emulator: `http://127.0.0.1:PORT`, `localhost:PORT`),
 * which becomes the base URL; the subdomain is then only a label made from the host.
 */
export function parseOmnideskAddress(text: string): OmnideskAddress | undefined {
  let s = text.trim();
  if (s === '') return undefined;
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
  // `localhost:8080`, `127.0.0.1:8080`: a host and port without the scheme.
  if (!hasScheme && /^(localhost|\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\])(:\d+)?(\/.*)?$/i.test(s)) s = `http://${s}`;
  else if (!hasScheme && /^[^/]+\.[^/]+/.test(s) && !omnideskHost.test(s.toLowerCase().replace(/[/:].*$/, '')))
    s = `https://${s}`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      return undefined;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    const host = u.hostname.toLowerCase();
    if (omnideskHost.test(host)) return hosted(host);
    const label =
      host
        .replace(/^\[|\]$/g, '')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 63) || 'omnidesk';
    const path = u.pathname.replace(/\/+$/, '');
    return { subdomain: label, baseUrl: `${u.origin}${path}` };
  }
  return hosted(s.toLowerCase().replace(/\/.*$/, ''));
}

/** A service address a config can override: the flag of `init`, the config field. */
export type EndpointId = string;

export interface Endpoint {
  id: EndpointId;
  flag: string;
  /** Key of `InitOptions` (commander's camel case of the flag). */
  option: string;
  path: readonly [string, string] | readonly [string, string, string];
  /** The production address, shown as the default (undefined: derived, e.g. from the subdomain or key file). */
  production: string | undefined;
}

const omnideskEndpoint: Endpoint = {
  id: 'omnidesk',
  flag: '--omnidesk-url',
  option: 'omnideskUrl',
  path: ['omnidesk', 'baseUrl'],
  production: undefined,
};

/** Omnidesk's address, then each store's, as its connector lists them. */
export function endpointList(): Endpoint[] {
  return [
    omnideskEndpoint,
    ...allStoreWizards().flatMap((s) =>
      s.endpoints.map((e) => ({
        id: e.id,
        flag: e.flag,
        option: optionKey(e.flag),
        path: ['stores', s.configKey, e.field] as const,
        production: e.production,
      })),
    ),
  ];
}

export function endpointOf(id: EndpointId): Endpoint {
  const e = endpointList().find((x) => x.id === id);
  if (!e) throw new Error(`no endpoint ${id}`);
  return e;
}

/** The endpoint's name as the wizard shows it. */
export function endpointName(lang: Lang, id: EndpointId): string {
  if (id === 'omnidesk') return 'Omnidesk';
  for (const s of allStoreWizards()) for (const e of s.endpoints) if (e.id === id) return e.names[lang];
  return id;
}

/** The `--…-url` flags given, checked: a full http(s) URL each. */
export function endpointFlags(opts: object): {
  flags: Partial<Record<EndpointId, string>>;
  problems: { path: string; message: string; value: string }[];
} {
  const flags: Partial<Record<EndpointId, string>> = {};
  const problems: { path: string; message: string; value: string }[] = [];
  const given = opts as Record<string, unknown>;
  for (const e of endpointList()) {
    const value = given[e.option];
    if (typeof value !== 'string') continue;
    if (isHttpUrl(value)) flags[e.id] = value.trim().replace(/\/+$/, '');
    else
      problems.push({
        path: e.flag,
        value,
        message: `"${value}" is not a full URL such as https://proxy.example.com or http://127.0.0.1:8080`,
      });
  }
  return { flags, problems };
}

/** The endpoint's value in the draft, or undefined (the production default applies). */
export function getEndpoint(draft: ConfigInput, id: EndpointId): string | undefined {
  let node: unknown = draft;
  for (const key of endpointOf(id).path)
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return typeof node === 'string' ? node : undefined;
}

/** Sets (a URL, trailing slashes dropped) or clears (undefined: back to the default) an endpoint; the Omnidesk one needs the account section. */
export function setEndpoint(draft: ConfigInput, id: EndpointId, url: string | undefined): ConfigInput {
  const value = url?.trim().replace(/\/+$/, '') || undefined;
  const path = endpointOf(id).path;
  if (path[0] === 'omnidesk') {
    if (!draft.omnidesk) throw new Error('the Omnidesk account comes first');
    return { ...draft, omnidesk: dropUndefined({ ...draft.omnidesk, baseUrl: value }) };
  }
  const key = path[1];
  const field = path[2]!;
  const section: Record<string, unknown> = { ...storeSection(draft, key) };
  if (value === undefined) delete section[field];
  else section[field] = value;
  const stores: Record<string, unknown> = { ...draft.stores, [key]: section };
  if (Object.keys(section).length === 0) delete stores[key];
  const { stores: _old, ...rest } = draft;
  return Object.keys(stores).length === 0 ? rest : { ...rest, stores: stores as ConfigInput['stores'] };
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
export function findCaseField(
  fields: readonly CaseField[],
  channelTitle: string,
): { field?: CaseField; nearMiss?: CaseField } {
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

/** Upper-cased ISO 3166 alpha-3 codes, or the items that are not such codes (`XXX`, `США`). */
export function parseCountries(text: string): { ok: string[] } | { bad: string[] } {
  const items = splitList(text);
  const bad = items.filter((c) => !/^[A-Za-z]{3}$/.test(c) || !isCountryCode(c));
  return bad.length > 0 ? { bad } : { ok: [...new Set(items.map((c) => c.toUpperCase()))] };
}

/** Language codes such as `en`, `ru`, `pt-BR`. */
export function parseLanguages(text: string): { ok: string[] } | { bad: string[] } {
  const items = splitList(text);
  const bad = items.filter((c) => !/^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$/i.test(c));
  return bad.length > 0 ? { bad } : { ok: [...new Set(items.map((c) => c.replace('_', '-')))] };
}

/** The store a pasted store-page URL belongs to, or undefined when it is not one. */
export function storeOfUrl(text: string): StoreId | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  return allStoreWizards().find((s) => s.isStorePage(url))?.id;
}

/** The app id as the store's API wants it, from what people paste (an id, a store page URL). */
export function normaliseAppId(store: StoreId, text: string): string {
  return storeWizard(store).normaliseAppId(text);
}

export function isValidAppId(store: StoreId, appId: string): boolean {
  return storeWizard(store).isAppId(normaliseAppId(store, appId));
}

const localIdPattern = /^[a-z0-9][a-z0-9._-]*$/i;

export function localIdProblem(id: string, taken: readonly string[]): 'format' | 'taken' | undefined {
  if (!localIdPattern.test(id)) return 'format';
  return taken.includes(id) ? 'taken' : undefined;
}

/** `com.acme.reviews` → `acme-reviews`: the reverse-domain prefix dropped, the rest kept (the last part alone says little). */
export function readablePackageId(pkg: string): string {
  const parts = pkg
    .toLowerCase()
    .split('.')
    .filter((p) => p !== '');
  const prefixes = new Set([
    'com',
    'ru',
    'org',
    'net',
    'io',
    'app',
    'co',
    'de',
    'uk',
    'me',
    'dev',
    'info',
    'biz',
    'su',
    'by',
    'kz',
    'ua',
  ]);
  const rest = parts.length > 1 && prefixes.has(parts[0]!) ? parts.slice(1) : parts;
  return rest
    .join('-')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** A short local id for `--app`: from the name, else from the store id; unique. */
export function suggestLocalId(
  store: StoreId,
  appId: string,
  name: string | undefined,
  taken: readonly string[],
): string {
  const fromName = (name ?? '')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const fallback = storeWizard(store).localIdOf?.(appId) ?? readablePackageId(appId);
  const base = (fromName || fallback || store).slice(0, 40) || store;
  let id = base;
  for (let i = 2; taken.includes(id); i++) id = `${base}-${i}`;
  return id;
}

// --- draft changes -------------------------------------------------------------------------

export interface OmnideskAnswers {
  subdomain: string;
  /** `deskie.io` writes the domain; anything else leaves omnidesk.ru (the default). */
  domain?: OmnideskDomain | undefined;
  staffEmail: string;
  /** Undefined keeps what the draft has (or the env var provides). */
  apiKey?: string | undefined;
  /** A URL sets the base URL, `null` removes it (a plain subdomain was typed), undefined keeps it. */
  baseUrl?: string | null | undefined;
}

export function setOmnidesk(draft: ConfigInput, a: OmnideskAnswers): ConfigInput {
  const previous = draft.omnidesk;
  const omnidesk = { ...previous, subdomain: a.subdomain, staffEmail: a.staffEmail.trim() };
  // omnidesk.ru is the default: only Deskie's domain is written.
  if (a.domain === 'deskie.io') omnidesk.domain = a.domain;
  else delete omnidesk.domain;
  if (a.apiKey !== undefined) omnidesk.apiKey = a.apiKey.trim();
  if (a.baseUrl === null) delete omnidesk.baseUrl;
  else if (a.baseUrl !== undefined) omnidesk.baseUrl = a.baseUrl;
  return { ...draft, omnidesk };
}

export function setChannel(draft: ConfigInput, channel: { id: string; title: string }): ConfigInput {
  if (!draft.omnidesk) throw new Error('the Omnidesk account comes first');
  const same = draft.omnidesk.channel === channel.id && draft.omnidesk.channelTitle === channel.title;
  // Another channel means another case field: it is looked up again.
  const omnidesk = {
    ...draft.omnidesk,
    channel: channel.id,
    channelTitle: channel.title,
    ...(same ? {} : { caseFieldId: undefined }),
  };
  return { ...draft, omnidesk: dropUndefined(omnidesk) };
}

export function setCaseField(draft: ConfigInput, fieldId: number | undefined): ConfigInput {
  if (!draft.omnidesk) throw new Error('the Omnidesk account comes first');
  return { ...draft, omnidesk: dropUndefined({ ...draft.omnidesk, caseFieldId: fieldId }) };
}

export function setWebhook(draft: ConfigInput, w: { publicUrl?: string | undefined; secret: string }): ConfigInput {
  const webhook = dropUndefined({
    ...draft.webhook,
    publicUrl: w.publicUrl?.trim().replace(/\/+$/, '') || undefined,
    secret: w.secret,
  });
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
  return {
    reviewType: f.reviewType,
    backlog: f.backlog,
    ratings: f.ratings,
    countries: f.countries,
    languages: f.languages,
    length: f.length,
    tags: app.tags ?? true,
  };
}

export function setFilters(draft: ConfigInput, index: number, f: FilterAnswers): ConfigInput {
  const app = draft.apps?.[index];
  if (!app) throw new Error(`no app #${index}`);
  const filters: FiltersInput = {
    reviewType: f.reviewType,
    backlog: f.backlog,
    ratings: [...f.ratings].sort((a, b) => a - b),
    ...(storeWizard(app.store).filters.countries ? { countries: f.countries } : {}),
    ...(storeWizard(app.store).filters.languages ? { languages: f.languages } : {}),
    length: f.length,
  };
  return upsertApp(draft, { ...app, filters, tags: f.tags }, index);
}

/** A store's section of the draft (`stores.<configKey>`), empty when absent. */
export function storeSection(draft: ConfigInput, configKey: string): Readonly<Record<string, unknown>> {
  const stores: Readonly<Record<string, unknown>> = { ...draft.stores };
  const section = stores[configKey];
  return typeof section === 'object' && section !== null ? (section as Record<string, unknown>) : {};
}

/** The config fields of a store's credentials (each alternative of each setting). */
export function credentialFields(store: StoreId): string[] {
  return storeWizard(store).credentialGroups.flat();
}

/** Sets a store's credentials (the fields its questions gave), or removes them (`undefined`). */
export function setCredentials(
  draft: ConfigInput,
  store: StoreId,
  creds: Readonly<Record<string, string | undefined>> | undefined,
): ConfigInput {
  const key = storeWizard(store).configKey;
  const current: Record<string, unknown> = { ...storeSection(draft, key) };
  for (const f of credentialFields(store)) delete current[f];
  const next = dropUndefined({ ...current, ...creds });
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
