/**
 * Omnidesk as the helpdesk: reviews become cases of a custom channel (`cchN`), keyed by
 * `user_custom_id` and by a case text field named like the channel. Every request goes
 * through HttpClient with Omnidesk's per-minute budget (writes cost 2).
 */
import { z } from 'zod';
import { omnideskBaseUrl } from '../../../config/omnidesk-address.js';
import type { OmnideskConfig } from '../../../config/schema.js';
import { ConfigError, RemoteError } from '../../../errors.js';
import { registerSecret, type Logger } from '../../../log.js';
import { backoffDelay, sleep } from '../../../util/sleep.js';
import type { ConnectorDeps } from '../../deps.js';
import { formatZodPath, HttpClient, transportFrom } from '../../http/client.js';
import type {
  CaseDraft,
  CaseField,
  CaseInfo,
  CaseRef,
  CaseRouting,
  CustomChannel,
  Helpdesk,
  HelpdeskMessage,
  ListOptions,
} from '../types.js';
import { describeOmniError, outcomeUnknown } from './errors.js';
import { caseFieldKey, toCaseField, toCaseInfo, toCaseRef, toCustomChannel, toMessage } from './map.js';
import { omnideskBudget } from './rate-limit.js';
import {
  caseEnvelope,
  caseSchema,
  customChannelSchema,
  customFieldSchema,
  groupSchema,
  labelEnvelope,
  labelSchema,
  messageEnvelope,
  messageSchema,
  pageSchema,
  staffSchema,
  userSchema,
} from './schema.js';

export interface LabelCache {
  get(title: string): Promise<number | undefined>;
  set(title: string, id: number): Promise<void>;
}

export interface OmnideskOptions {
  /** Label ids kept across runs (state DB), so known labels cost no request. */
  labelCache?: LabelCache | undefined;
  /** Budget window; 60 s in production, shorter against an emulator with a short window. */
  rateWindowMs?: number | undefined;
  /** Sends of a write whose outcome stayed unknown (default 3). */
  writeAttempts?: number | undefined;
}

const PAGE_LIMIT = 100;
/** Omnidesk refuses pages past 500 (50 000 items). */
const MAX_PAGE = 500;

export class OmnideskHelpdesk implements Helpdesk {
  static readonly id = 'omnidesk';
  readonly http: HttpClient;
  private readonly logger: Logger;
  private readonly wait: (ms: number) => Promise<void>;
  private readonly labels = new Map<string, number>();
  private labelsLoaded: Promise<void> | undefined;
  private readonly labelsInFlight = new Map<string, Promise<number>>();

  constructor(
    private readonly cfg: OmnideskConfig & { apiKey: string },
    private readonly deps: ConnectorDeps,
    private readonly opts: OmnideskOptions = {},
  ) {
    this.logger = deps.logger;
    this.wait = deps.wait ?? ((ms) => sleep(ms));
    const authHeader = `Basic ${Buffer.from(`${cfg.staffEmail}:${cfg.apiKey}`).toString('base64')}`;
    registerSecret(authHeader);
    this.http = new HttpClient({
      ...transportFrom(deps),
      service: 'Omnidesk',
      baseUrl: omnideskBaseUrl(cfg)!,
      auth: () => Promise.resolve({ authorization: authHeader }),
      describeError: describeOmniError(cfg.staffEmail),
      rateLimit: omnideskBudget({
        windowMs: opts.rateWindowMs ?? 60_000,
        requestsPerMinute: cfg.requestsPerMinute,
        now: deps.now,
        wait: deps.wait,
      }),
    });
  }

  async ping(): Promise<void> {
    await this.http.request({
      path: '/api/custom_channels.json',
      query: { page: 1, limit: 1 },
      schema: pageSchema('custom_channel', customChannelSchema),
    });
  }

  async createCase(draft: CaseDraft): Promise<CaseRef & { created: boolean }> {
    const custom =
      this.cfg.caseFieldId === undefined ? undefined : { [caseFieldKey(this.cfg.caseFieldId)]: draft.userCustomId };
    const body = {
      case: {
        user_custom_id: draft.userCustomId,
        user_full_name: draft.userFullName,
        channel: this.channel(),
        subject: draft.subject,
        content: draft.content,
        content_html: draft.contentHtml,
        labels: draft.labelIds,
        ...routingFields(draft.routing),
        ...(custom && { custom_fields: custom }),
      },
    };
    const { value, fresh } = await this.writeOnce(
      'create case',
      async () =>
        toCaseRef(
          (
            await this.http.request({
              method: 'POST',
              path: '/api/cases.json',
              json: body,
              schema: caseEnvelope,
              cost: 2,
            })
          ).data.case,
        ),
      () => this.findCaseByCustomId(draft.userCustomId),
    );
    return { caseId: value.caseId, caseNumber: value.caseNumber, userId: value.userId, created: fresh };
  }

  /**
   * Omnidesk's text filters match substrings by default (`review-12` finds `review-123`), and
   * whether `user_custom_id` honours the `^…^` exact syntax is unverified. So we ask with the
   * plain id (right under either reading) and keep only exact matches: by the case field when
   * it is set, else by the users whose `user_custom_id` is exactly the key.
   */
  async findCaseByCustomId(userCustomId: string): Promise<CaseInfo | undefined> {
    const channel = this.channel();
    const cases = await this.listAll('/api/cases.json', 'case', caseSchema, { user_custom_id: userCustomId, channel });
    let owners: Set<number> | 'unknown' | undefined;
    const matches: CaseInfo[] = [];
    for (const c of cases) {
      const info = toCaseInfo(c, this.cfg.caseFieldId);
      if (info.reviewKey !== undefined) {
        if (info.reviewKey === userCustomId) matches.push(info);
        continue;
      }
      owners ??= await this.usersWithCustomId(userCustomId, channel);
      if (owners === 'unknown' || (info.userId !== undefined && owners.has(info.userId))) matches.push(info);
    }
    // Duplicates can only come from elsewhere; the oldest case is the one agents know.
    const first = matches.sort((a, b) => a.caseId - b.caseId)[0];
    return first && { ...first, userCustomId };
  }

  async getCase(caseId: number): Promise<CaseInfo> {
    const { data } = await this.http.request({ path: `/api/cases/${caseId}.json`, schema: caseEnvelope });
    return toCaseInfo(data.case, this.cfg.caseFieldId);
  }

  async addCustomerMessage(
    caseId: number,
    userId: number | undefined,
    content: string,
    contentHtml: string,
  ): Promise<{ messageId: number }> {
    const uid = userId ?? (await this.getCase(caseId)).userId;
    if (uid === undefined)
      throw new RemoteError({
        kind: 'bad-payload',
        service: 'Omnidesk',
        message: `Omnidesk: case ${caseId} has no user_id`,
      });
    const body = { message: { content, content_html: contentHtml, user_id: uid } };
    const { value } = await this.writeOnce(
      'add customer message',
      async () => ({
        messageId: (
          await this.http.request({
            method: 'POST',
            path: `/api/cases/${caseId}/messages.json`,
            json: body,
            schema: messageEnvelope,
            cost: 2,
          })
        ).data.message.message_id,
      }),
      async () => this.findMessage(caseId, (m) => !m.note && m.userId === uid && m.content === content),
    );
    return value;
  }

  async addNote(caseId: number, content: string, contentHtml?: string): Promise<{ messageId: number }> {
    const body = { note: { content, ...(contentHtml !== undefined && { content_html: contentHtml }) } };
    const { value } = await this.writeOnce(
      'add note',
      async () => ({
        messageId: (
          await this.http.request({
            method: 'POST',
            path: `/api/cases/${caseId}/note.json`,
            json: body,
            schema: messageEnvelope,
            cost: 2,
          })
        ).data.message.message_id,
      }),
      async () => this.findMessage(caseId, (m) => m.note && m.content === content),
    );
    return value;
  }

  async updateCase(
    caseId: number,
    change: {
      addLabels?: number[];
      deleteLabels?: number[];
      status?: 'open' | 'waiting' | 'closed';
      routing?: CaseRouting | undefined;
    },
  ): Promise<void> {
    const body: Record<string, unknown> = { ...routingFields(change.routing) };
    if (change.addLabels?.length) body.add_labels = change.addLabels;
    if (change.deleteLabels?.length) body.delete_labels = change.deleteLabels;
    if (change.status) body.status = change.status;
    if (Object.keys(body).length === 0) return;
    // Adding/removing labels and setting a status give the same result when repeated.
    await this.http.request({
      method: 'PUT',
      path: `/api/cases/${caseId}.json`,
      json: { case: body },
      schema: caseEnvelope,
      cost: 2,
      idempotent: true,
    });
  }

  async listMessages(caseId: number, opts: ListOptions = {}): Promise<HelpdeskMessage[]> {
    const path = `/api/cases/${caseId}/messages.json`;
    const onInvalid = opts.onInvalid;
    if (!onInvalid)
      return (await this.listAll(path, 'message', messageSchema, { order: 'asc' })).map((m) => toMessage(caseId, m));
    // Each message checked on its own: one that fails its schema is set aside, the rest flow.
    const out: HelpdeskMessage[] = [];
    for (const [i, raw] of (await this.listAll(path, 'message', z.unknown(), { order: 'asc' })).entries()) {
      const parsed = messageSchema.safeParse(raw);
      if (parsed.success) {
        out.push(toMessage(caseId, parsed.data));
        continue;
      }
      const issue = parsed.error.issues[0]!;
      const id = (raw as { message_id?: unknown } | null)?.message_id;
      onInvalid({
        id: typeof id === 'number' && Number.isSafeInteger(id) ? id : undefined,
        reason: `case ${caseId}, message #${i + 1}: field "${formatZodPath({ ...issue, path: ['message', ...issue.path] })}": ${issue.message}`,
      });
    }
    return out;
  }

  async listChannelCasesUpdatedSince(sinceIso: string | undefined): Promise<CaseInfo[]> {
    const since = sinceIso === undefined ? undefined : Date.parse(sinceIso);
    if (since !== undefined && Number.isNaN(since)) throw new TypeError(`not an ISO date: ${sinceIso}`);
    // Unix seconds: the filter takes "string/int", and a number leaves no doubt about the time zone.
    const query = {
      channel: this.channel(),
      sort: 'updated_at_asc',
      from_updated_time: since === undefined ? undefined : Math.floor(since / 1000),
    };
    const byId = new Map<number, CaseInfo>();
    // A case updated while we page may show up twice; the later copy wins.
    for (const c of await this.listAll('/api/cases.json', 'case', caseSchema, query))
      byId.set(c.case_id, toCaseInfo(c, this.cfg.caseFieldId));
    return [...byId.values()];
  }

  get listsReviewKeys(): boolean {
    return this.cfg.caseFieldId !== undefined;
  }

  async listChannelCasesPage(
    page: number,
    opts: { createdSinceMs?: number | undefined } = {},
  ): Promise<{ cases: CaseInfo[]; fetched: number; totalCount: number | undefined; pageSize: number }> {
    const since = opts.createdSinceMs === undefined ? undefined : Math.floor(opts.createdSinceMs / 1000);
    const query = { channel: this.channel(), sort: 'created_at_desc', from_time: since, page, limit: PAGE_LIMIT };
    const { data } = await this.http.request({
      path: '/api/cases.json',
      query,
      schema: pageSchema('case', caseSchema),
    });
    // A case in the trash (or marked spam) is no answer to "does this review have a case".
    const live = data.items
      .map((entry) => (entry as { case: z.infer<typeof caseSchema> }).case)
      .filter((c) => c.deleted !== true && c.spam !== true);
    const cases = live.map((c) => toCaseInfo(c, this.cfg.caseFieldId));
    return { cases, fetched: data.items.length, totalCount: data.total_count, pageSize: PAGE_LIMIT };
  }

  async labelId(title: string): Promise<number> {
    const key = title.trim();
    const known = this.labels.get(key) ?? (await this.opts.labelCache?.get(key));
    if (known !== undefined) {
      this.labels.set(key, known);
      return known;
    }
    let pending = this.labelsInFlight.get(key);
    if (!pending) {
      pending = this.resolveLabel(key).finally(() => this.labelsInFlight.delete(key));
      this.labelsInFlight.set(key, pending);
    }
    return pending;
  }

  async listCustomChannels(): Promise<CustomChannel[]> {
    return (await this.listAll('/api/custom_channels.json', 'custom_channel', customChannelSchema)).map(
      toCustomChannel,
    );
  }

  async listCaseFields(): Promise<CaseField[]> {
    return (await this.listAll('/api/custom_fields.json', 'custom_field', customFieldSchema)).map(toCaseField);
  }

  async listGroups(): Promise<{ id: number; title: string; active: boolean }[]> {
    return (await this.listAll('/api/groups.json', 'group', groupSchema)).map((g) => ({
      id: g.group_id,
      title: g.group_title,
      active: g.active ?? true,
    }));
  }

  async listStaff(): Promise<{ id: number; name: string; active: boolean }[]> {
    return (await this.listAll('/api/staff.json', 'staff', staffSchema)).map((st) => ({
      id: st.staff_id,
      name: st.staff_full_name || st.staff_email || String(st.staff_id),
      active: st.active ?? true,
    }));
  }

  quotaSnapshot(): { remaining?: number | undefined; limit?: number | undefined } {
    return this.http.rateLimit.snapshot();
  }

  private channel(): string {
    if (this.cfg.channel) return this.cfg.channel;
    throw new ConfigError(
      'omnidesk.channel is not set',
      [{ path: 'omnidesk.channel', message: 'set the custom channel id, e.g. cch12' }],
      'Run `asodesk-omni init` to pick the Omnidesk custom channel.',
    );
  }

  /** Every page of a list (`page` from 1, `limit` 100), tolerating a short or empty last page. */
  private async listAll<K extends string, T extends z.ZodType>(
    path: string,
    key: K,
    item: T,
    query: Record<string, string | number | undefined> = {},
  ): Promise<z.infer<T>[]> {
    const schema = pageSchema(key, item);
    const out: z.infer<T>[] = [];
    for (let page = 1; page <= MAX_PAGE; page++) {
      const { data } = await this.http.request({ path, query: { ...query, page, limit: PAGE_LIMIT }, schema });
      const items = data.items.map((entry) => (entry as Record<K, z.infer<T>>)[key]);
      out.push(...items);
      const total = data.total_count;
      if (items.length < PAGE_LIMIT || (total !== undefined && page * PAGE_LIMIT >= total)) return out;
    }
    this.logger.warn('Omnidesk list cut at its last page', { path, pages: MAX_PAGE });
    return out;
  }

  /**
   * Sends a non-idempotent write; when its outcome is unknown, waits a little, looks whether
   * it happened, and only then sends again.
   */
  private async writeOnce<T>(
    what: string,
    send: () => Promise<T>,
    lookup: () => Promise<T | undefined>,
  ): Promise<{ value: T; fresh: boolean }> {
    const attempts = this.opts.writeAttempts ?? 3;
    let lastError: RemoteError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        return { value: await send(), fresh: true };
      } catch (err) {
        if (!outcomeUnknown(err)) throw err;
        lastError = err;
        this.logger.warn('Omnidesk write outcome unknown; checking before sending again', {
          what,
          attempt: attempt + 1,
          reason: err.message,
        });
        await this.wait(backoffDelay(attempt, this.deps.backoffBaseMs ?? 500, 30_000));
        const found = await lookup();
        if (found !== undefined) return { value: found, fresh: false };
      }
    }
    throw lastError!;
  }

  private async findMessage(
    caseId: number,
    match: (m: HelpdeskMessage) => boolean,
  ): Promise<{ messageId: number } | undefined> {
    const found = (await this.listMessages(caseId)).filter(match).at(-1);
    return found && { messageId: found.messageId };
  }

  /** Ids of the channel's users whose custom id is exactly `id`; 'unknown' if users do not show it. */
  private async usersWithCustomId(id: string, channel: string): Promise<Set<number> | 'unknown'> {
    const users = await this.listAll('/api/users.json', 'user', userSchema, {
      user_custom_id: id,
      user_custom_channel: channel,
    });
    if (users.length > 0 && users.every((u) => u.user_custom_id == null)) return 'unknown';
    return new Set(users.filter((u) => u.user_custom_id === id).map((u) => u.user_id));
  }

  private async resolveLabel(title: string): Promise<number> {
    this.labelsLoaded ??= this.loadLabels().catch((err: unknown) => {
      this.labelsLoaded = undefined;
      throw err;
    });
    await this.labelsLoaded;
    const existing = this.findLabel(title);
    if (existing !== undefined) return this.rememberLabel(title, existing);
    const { value } = await this.writeOnce(
      'create label',
      async () =>
        (
          await this.http.request({
            method: 'POST',
            path: '/api/labels.json',
            json: { label: { label_title: title } },
            schema: labelEnvelope,
            cost: 2,
          })
        ).data.label.label_id,
      async () => {
        await this.loadLabels();
        return this.findLabel(title);
      },
    );
    return this.rememberLabel(title, value);
  }

  private async loadLabels(): Promise<void> {
    for (const l of await this.listAll('/api/labels.json', 'label', labelSchema))
      this.labels.set(l.label_title.trim(), l.label_id);
  }

  /** Exact title first; else the same title in another letter case (agents retype labels). */
  private findLabel(title: string): number | undefined {
    const exact = this.labels.get(title);
    if (exact !== undefined) return exact;
    const lower = title.toLowerCase();
    for (const [t, id] of this.labels) if (t.toLowerCase() === lower) return id;
    return undefined;
  }

  private async rememberLabel(title: string, id: number): Promise<number> {
    this.labels.set(title, id);
    await this.opts.labelCache?.set(title, id);
    return id;
  }
}

/** Omnidesk's names for the routed fields; unset ones are left out (the account's defaults apply). */
function routingFields(r: CaseRouting | undefined): Record<string, unknown> {
  if (!r) return {};
  return {
    ...(r.groupId !== undefined && { group_id: r.groupId }),
    ...(r.priority !== undefined && { priority: r.priority }),
    ...(r.staffId !== undefined && { staff_id: r.staffId }),
  };
}

export function createOmnidesk(cfg: OmnideskConfig, deps: ConnectorDeps, opts?: OmnideskOptions): OmnideskHelpdesk {
  if (!cfg.apiKey) {
    throw new ConfigError(
      'omnidesk.apiKey is not set',
      [{ path: 'omnidesk.apiKey', message: 'required (or set ASODESK_OMNI_OMNIDESK_API_KEY)' }],
      'Create a key under Settings → API in Omnidesk and put it in omnidesk.apiKey or ASODESK_OMNI_OMNIDESK_API_KEY.',
    );
  }
  registerSecret(cfg.apiKey);
  return new OmnideskHelpdesk({ ...cfg, apiKey: cfg.apiKey }, deps, opts);
}

export type { WebhookEvent } from './webhook.js';
export { parseWebhook } from './webhook.js';
export { formatOmniDate, omniDateToIso, parseOmniDate } from './map.js';
