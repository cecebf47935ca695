/**
 * `init --non-interactive`: settings from flags, ASODESK_OMNI_* env vars and/or `--from`,
 * validated, checked live (unless `--offline`) and written. Every missing setting is named at
 * once (exit 4); invalid ones are a config error (exit 3). Nothing is written on failure.
 */
import { omnideskBaseUrl } from '../../config/omnidesk-address.js';
import { envOverrides, parseConfig, type Env } from '../../config/load.js';
import type { ConfigInput } from '../../config/schema.js';
import { writeConfigFile } from '../../config/store.js';
import { optionKey } from '../../connectors/stores/wizard-types.js';
import { allStoreWizards } from '../../connectors/stores/wizards.js';
import { buildServices } from '../../engine/wiring.js';
import {
  ConfigError,
  errorMessage,
  ExitCode,
  NeedsInputError,
  UserError,
  type ConfigProblem,
  type ExitCodeValue,
} from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { InitOptions } from './options.js';
import { chooseLang, loadDraft } from './interactive.js';
import { messagesFor, type Messages } from './messages.js';
import { newWebhookSecret } from './steps/channel.js';
import { checkOmnidesk } from './steps/omnidesk.js';
import { checkReachable } from './steps/endpoints.js';
import {
  absolutePath,
  endpointFlags,
  endpointOf,
  findCaseField,
  isEmail,
  isHttpUrl,
  isValidAppId,
  normaliseAppId,
  normaliseChannel,
  parseOmnideskAddress,
  setEndpoint,
  storeOfUrl,
  storeSection,
  suggestLocalId,
  webhookUrl,
  type AppInput,
  type EndpointId,
} from './questions.js';

type Loose = Record<string, unknown>;

function envFor(path: string): string {
  return envOverrides.find(([, p]) => p.join('.') === path)?.[0] ?? '';
}

/** Applies the flags to the draft; flags that cannot be read are problems (exit 3). */
export function applyFlags(
  draft: ConfigInput,
  opts: InitOptions,
  env: Env,
  f: Messages['flags'] = messagesFor('en').flags,
): { draft: ConfigInput; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const omni: Loose = { ...(draft.omnidesk ?? {}) };
  if (opts.subdomain !== undefined) {
    const a = parseOmnideskAddress(opts.subdomain);
    if (a) {
      omni.subdomain = a.subdomain;
      // omnidesk.ru is the default: only Deskie's domain is written.
      if (a.domain) omni.domain = a.domain;
      else delete omni.domain;
      // A full URL that is not omnidesk.ru (proxy, emulator) is the base URL.
      if (a.baseUrl) omni.baseUrl = a.baseUrl;
    } else problems.push({ path: '--subdomain', message: f.subdomain(opts.subdomain) });
  }
  const urls = endpointFlags(opts);
  problems.push(...urls.problems.map((p) => ({ path: p.path, message: f.url(p.value) })));
  if (urls.flags.omnidesk) {
    omni.baseUrl = urls.flags.omnidesk;
    omni.subdomain ??= parseOmnideskAddress(urls.flags.omnidesk)?.subdomain;
  }
  if (opts.email !== undefined) {
    if (isEmail(opts.email)) omni.staffEmail = opts.email.trim();
    else problems.push({ path: '--email', message: f.email(opts.email) });
  }
  if (opts.channel !== undefined) {
    const c = normaliseChannel(opts.channel);
    if (c) omni.channel = c;
    else problems.push({ path: '--channel', message: f.channel(opts.channel) });
  }
  // A base URL override (emulator, proxy) given by the env var is kept in the file.
  if (env.ASODESK_OMNI_OMNIDESK_BASE_URL && omni.baseUrl === undefined)
    omni.baseUrl = env.ASODESK_OMNI_OMNIDESK_BASE_URL;
  let next: ConfigInput = { ...draft };
  if (Object.keys(omni).length > 0) next.omnidesk = omni as NonNullable<ConfigInput['omnidesk']>;
  for (const [id, url] of Object.entries(urls.flags) as [EndpointId, string][])
    if (id !== 'omnidesk') next = setEndpoint(next, id, url);
  next = applyCredentialFlags(next, opts, env);

  const apps = [...(draft.apps ?? [])];
  for (const spec of opts.app ?? []) {
    const fromUrl = storeOfUrl(spec);
    const m = fromUrl ? [spec, fromUrl, spec] : /^([a-z-]+):(.+)$/.exec(spec.trim());
    const known = allStoreWizards().map((s) => s.id);
    const store = known.find((id) => id === m?.[1]);
    if (!m || !store) {
      problems.push({ path: '--app', message: f.app(spec, known.join(', ')) });
      continue;
    }
    const appId = normaliseAppId(store, m[2]!);
    if (!isValidAppId(store, appId)) {
      problems.push({ path: '--app', message: f.appId(spec, store) });
      continue;
    }
    if (apps.some((a) => a.store === store && a.appId === appId)) continue;
    const app: AppInput = {
      id: suggestLocalId(
        store,
        appId,
        undefined,
        apps.map((a) => a.id),
      ),
      store,
      appId,
    };
    apps.push(app);
  }
  if (apps.length > 0) next = { ...next, apps };

  const webhook: Loose = { ...(next.webhook ?? {}) };
  if (opts.publicUrl !== undefined) {
    if (isHttpUrl(opts.publicUrl)) webhook.publicUrl = opts.publicUrl.trim().replace(/\/+$/, '');
    else problems.push({ path: '--public-url', message: f.url(opts.publicUrl) });
  }
  // Kept when set (file or env var); else made here, as the interactive wizard does.
  if (webhook.secret === undefined && !env.ASODESK_OMNI_WEBHOOK_SECRET) webhook.secret = newWebhookSecret();
  next.webhook = webhook as ConfigInput['webhook'];
  return { draft: next, problems };
}

/** Each store's credential flags (a key id, a key file…): key files by absolute path (the config may move, the cwd does). */
function applyCredentialFlags(draft: ConfigInput, opts: InitOptions, env: Env): ConfigInput {
  const path = (p: string): string => absolutePath(p, process.cwd(), env.HOME);
  const sections: Record<string, Loose> = {};
  for (const s of allStoreWizards()) {
    for (const c of s.credentialFlags) {
      const value = opts[optionKey(c.flag)];
      if (typeof value !== 'string') continue;
      sections[s.configKey] = { ...sections[s.configKey], [c.field]: c.isPath ? path(value) : value.trim() };
    }
  }
  if (Object.keys(sections).length === 0) return draft;
  const stores: Record<string, unknown> = { ...draft.stores };
  for (const [key, fields] of Object.entries(sections))
    stores[key] = { ...(stores[key] as Loose | undefined), ...fields };
  return { ...draft, stores: stores as ConfigInput['stores'] };
}

/** Every setting still missing, with where it can come from. */
export function missingSettings(draft: ConfigInput, env: Env): string[] {
  const missing: string[] = [];
  const omni: Loose = { ...(draft.omnidesk ?? {}) };
  const has = (path: string, value: unknown): boolean =>
    (value !== undefined && value !== '') || Boolean(env[envFor(path)]);
  if (!has('omnidesk.subdomain', omni.subdomain)) missing.push('omnidesk.subdomain (--subdomain company)');
  if (!has('omnidesk.staffEmail', omni.staffEmail)) missing.push('omnidesk.staffEmail (--email admin@company.com)');
  if (!has('omnidesk.apiKey', omni.apiKey)) missing.push('omnidesk.apiKey (env ASODESK_OMNI_OMNIDESK_API_KEY)');
  if (!has('omnidesk.channel', omni.channel)) missing.push('omnidesk.channel (--channel cch12)');
  if ((draft.apps ?? []).length === 0)
    missing.push(
      `apps: at least one (${allStoreWizards()
        .map((s) => `--app ${s.id}:${s.exampleAppId}`)
        .join(', ')})`,
    );

  // Store credentials are optional, but a half-given set is not.
  for (const { configKey: key, credentialGroups: groups } of allStoreWizards()) {
    const s = storeSection(draft, key);
    const given = groups.map((alts) => alts.some((f) => has(`stores.${key}.${f}`, s[f])));
    if (given.some(Boolean) && !given.every(Boolean)) {
      groups.forEach((alts, i) => {
        const envName = envFor(`stores.${key}.${alts[0]}`);
        if (!given[i]) missing.push(`stores.${key}.${alts[0]}${envName ? ` (env ${envName})` : ''}`);
      });
    }
  }
  return missing;
}

export async function nonInteractiveInit(ctx: CommandContext, opts: InitOptions): Promise<ExitCodeValue> {
  const base = loadDraft(opts.from ?? ctx.location.configPath).draft;
  const lang = chooseLang(opts, ctx, base);
  const t = messagesFor(lang);
  const { draft, problems } = applyFlags(base, opts, ctx.env, t.flags);
  if (opts.lang) draft.language = lang;
  if (problems.length > 0)
    throw new ConfigError(
      `${t.nonInteractive.invalid}\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`,
      problems,
    );
  const missing = missingSettings(draft, ctx.env);
  if (missing.length > 0) throw new NeedsInputError(t.nonInteractive.missing(missing), t.nonInteractive.missingHint);
  const parsed = parseConfig(draft, ctx.env);
  if (!parsed.config) {
    throw new ConfigError(
      `${t.nonInteractive.invalid}\n${parsed.problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`,
      parsed.problems,
    );
  }
  const notes = opts.offline ? [] : await liveChecks(ctx, draft, t, opts);
  writeConfigFile(ctx.location.configPath, draft as Record<string, unknown>);
  const secret = ctx.env.ASODESK_OMNI_WEBHOOK_SECRET || draft.webhook?.secret;
  const hook = draft.webhook?.publicUrl && secret ? webhookUrl(draft.webhook.publicUrl, secret) : undefined;
  if (ctx.json) {
    ctx.out(
      JSON.stringify(
        {
          ok: true,
          config: ctx.location.configPath,
          checked: !opts.offline,
          caseFieldId: draft.omnidesk?.caseFieldId ?? null,
          notes,
        },
        null,
        2,
      ),
    );
  } else {
    for (const n of notes) ctx.out(n);
    ctx.out(t.nonInteractive.written(ctx.location.configPath));
    // The secret is masked here (logs of CI jobs): the full URL is in the config.
    if (hook) ctx.out(`webhook URL: ${hook}`);
  }
  return ExitCode.ok;
}

/** Omnidesk account, channel and case field, then each store's credentials; updates the draft. */
async function liveChecks(ctx: CommandContext, draft: ConfigInput, t: Messages, opts: InitOptions): Promise<string[]> {
  const config = parseConfig(draft, ctx.env).config!;
  const omni = config.omnidesk!;
  const deps = { logger: ctx.logger, timeoutMs: 15_000, backoffBaseMs: 250 };
  const fail = (message: string): never => {
    throw new UserError(t.nonInteractive.liveFailed(message), ExitCode.config, t.nonInteractive.liveHint);
  };
  const account = await checkOmnidesk(
    {
      subdomain: omni.subdomain,
      domain: omni.domain,
      staffEmail: omni.staffEmail,
      apiKey: omni.apiKey ?? '',
      baseUrl: omni.baseUrl,
    },
    deps,
  );
  if (!account.ok)
    fail(account.problem === 'other' ? `${account.message} (${omnideskBaseUrl(omni)})` : account.message);
  const services = buildServices(config, ctx.location, ctx.logger, deps);
  const notes: string[] = [];
  try {
    const channels = await services.helpdesk.listCustomChannels();
    const channel = channels.find((c) => c.id === omni.channel);
    if (!channel)
      return fail(
        t.nonInteractive.channelUnknown(
          omni.channel!,
          channels.map((c) => `${c.id} "${c.title}"`),
        ),
      );
    draft.omnidesk = { ...draft.omnidesk!, channelTitle: channel.title };
    const { field } = findCaseField(await services.helpdesk.listCaseFields(), channel.title);
    if (field) {
      draft.omnidesk = { ...draft.omnidesk, caseFieldId: field.fieldId };
      notes.push(t.nonInteractive.fieldFound(field.fieldId));
    } else {
      notes.push(t.nonInteractive.fieldMissing(channel.title));
    }
    for (const { id: store } of allStoreWizards()) {
      const connector = services.replyConnector(store);
      if (!connector) continue;
      await connector.ping();
      notes.push(t.credentials.accepted(store));
    }
    // Addresses given by flags that no check above used (public sources, token endpoint): do they answer?
    for (const [id, url] of Object.entries(endpointFlags(opts).flags) as [EndpointId, string][]) {
      if (id === 'omnidesk') continue;
      const r = await checkReachable(url);
      if (!r.ok) fail(`${endpointOf(id).flag}: ${t.endpoints.unreachable(url, r.message)}`);
    }
  } catch (err) {
    if (err instanceof UserError && err.exitCode === ExitCode.config && !(err instanceof ConfigError)) throw err;
    fail(errorMessage(err) + (err instanceof UserError && err.hint ? ` (${err.hint})` : ''));
  }
  return notes;
}
