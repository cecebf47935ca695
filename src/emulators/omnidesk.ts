/**
 * A local Omnidesk: cases, users, messages, notes, labels, custom fields and custom channels
 * in memory, behind Basic auth (401 wrong key, 403 unknown staff), the per-minute budget
 * (writes cost 2; `api_calls_left`, `rate_limit_per_minute`, 429 + `retry_after`), paged
 * lists and validated bodies. A staff reply in a custom-channel case POSTs the channel
 * webhook as the real service does. Deleted cases (deleteCase, DELETE) answer 404. Faults come
 * from the harness (`server`).
 */
import { z } from 'zod';
import {
  ServiceEmulator,
  basicAuth,
  EmulatorServer,
  type EmuRequest,
  type EmuResponse,
  type Handler,
} from './harness.js';
import {
  badRequest,
  caseJson,
  caseNumber,
  channelJson,
  fieldJson,
  groupJson,
  labelJson,
  messageJson,
  pageOf,
  parseTimeFilter,
  staffJson,
  textMatches,
  userJson,
  type EmuAttachment,
  type EmuCase,
  type EmuCaseField,
  type EmuChannel,
  type EmuGroup,
  type EmuLabel,
  type EmuMessage,
  type EmuStaff,
  type EmuUser,
} from './omnidesk/model.js';
import { postWebhook, webhookForm } from './omnidesk/webhook.js';

export type {
  EmuCase,
  EmuMessage,
  EmuLabel,
  EmuUser,
  EmuStaff,
  EmuChannel,
  EmuCaseField,
  EmuGroup,
} from './omnidesk/model.js';

export interface OmnideskEmulatorOptions {
  staff?: EmuStaff[];
  /** Units per window (GET 1, POST/PUT/DELETE 2). */
  requestsPerMinute?: number;
  windowMs?: number;
  channels?: EmuChannel[];
  caseFields?: EmuCaseField[];
  /** Staff groups a case can be routed to (default: 1 "Support", 2 "Escalations"). */
  groups?: EmuGroup[];
  startCaseId?: number;
  /** Clock for created/updated dates (tests move it). */
  now?: () => number;
}

export interface StaffReplyOptions {
  note?: boolean;
  /** The rich editor's HTML; with `content` '' the message carries its text only here. */
  contentHtml?: string;
  sentViaRule?: boolean;
  attachments?: string[];
  staffId?: number;
}

const ids = z.array(z.number().int().positive());
const statuses = ['open', 'waiting', 'closed'] as const;
const priorities = ['low', 'normal', 'high', 'critical'] as const;
const staffReplyBody = z.object({
  content: z.string(),
  note: z.boolean().optional(),
  sentViaRule: z.boolean().optional(),
  attachments: z.array(z.string()).optional(),
  staffId: z.number().int().optional(),
});

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export class OmnideskEmulator extends ServiceEmulator {
  override readonly server: EmulatorServer;
  private readonly staff: EmuStaff[];
  private readonly channels: EmuChannel[];
  private readonly fields: EmuCaseField[];
  private readonly groups: EmuGroup[];
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly caseList: EmuCase[] = [];
  /** By id, and messages by case: lookups that scanned every case or message made the emulator cost more CPU than the CLI. */
  private readonly caseById = new Map<number, EmuCase>();
  private readonly messagesByCase = new Map<number, EmuMessage[]>();
  private readonly users: EmuUser[] = [];
  /** Users by channel and custom id: a case create must not scan every user (the benchmark's CPU). */
  private readonly userIndex = new Map<string, EmuUser>();
  private readonly labelList: EmuLabel[] = [];
  private nextCaseId: number;
  private nextUserId = 5001;
  private nextMessageId = 70_001;
  private nextLabelId = 201;
  private nextFileId = 9001;
  private windowStart = 0;
  private used = 0;

  constructor(opts: OmnideskEmulatorOptions = {}) {
    super();
    this.staff = opts.staff ?? [{ email: 'admin@example.test', apiKey: 'omni-test-key-0001', staffId: 1 }];
    this.channels = (opts.channels ?? [{ id: 1, title: 'App reviews' }]).map((c) => ({ ...c }));
    this.fields = opts.caseFields ?? [
      { fieldId: 1, title: this.channels[0]?.title ?? 'App reviews', fieldType: 'text' },
    ];
    this.groups = opts.groups ?? [
      { groupId: 1, title: 'Support' },
      { groupId: 2, title: 'Escalations' },
    ];
    this.limit = opts.requestsPerMinute ?? 1000;
    this.windowMs = opts.windowMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    this.nextCaseId = opts.startCaseId ?? 2000;
    this.server = new EmulatorServer({
      name: 'omnidesk',
      rateLimitedResponse: () => this.tooMany(Math.max(0, this.limit - this.used)),
      serverErrorResponse: (status) =>
        status === 500
          ? { status, json: { error: 'internal_error' } }
          : {
              status,
              text: `<html><head><title>${status}</title></head><body><center><h1>${status}</h1></center><hr><center>nginx</center></body></html>`,
              headers: { 'content-type': 'text/html' },
            },
    });
    this.routes();
  }

  cases(): EmuCase[] {
    return this.caseList.map((c) => structuredClone(c));
  }

  /** Cases not deleted (what the API still shows). */
  liveCases(): EmuCase[] {
    return this.cases().filter((c) => !c.deleted);
  }

  /**
   * Deletes a case as Omnidesk does at the plan's case limit (oldest by last update first) or
   * as an agent does: the API answers 404 `case_not_found` for it from now on.
   */
  deleteCase(caseId: number): void {
    const c = this.liveCase(caseId);
    if (!c) throw new Error(`no case ${caseId}`);
    c.deleted = true;
  }

  messages(caseId: number): EmuMessage[] {
    return this.messagesOf(caseId).map((m) => structuredClone(m));
  }

  labels(): EmuLabel[] {
    return this.labelList.map((l) => ({ ...l }));
  }

  /** Adds labels directly (tests of paging need many). */
  seedLabels(titles: readonly string[]): EmuLabel[] {
    return titles.map((title) => this.addLabel(title));
  }

  setChannelWebhook(channelId: string, url: string | undefined): void {
    const channel = this.channelByKey(channelId);
    if (!channel) throw new Error(`no channel ${channelId}`);
    channel.webhookUrl = url;
  }

  /**
   * An agent's reply typed in Omnidesk. A non-note reply in a custom-channel case with a webhook
   * URL is POSTed there (awaited); `webhookStatus` is the receiver's answer.
   */
  async addStaffReply(
    caseId: number,
    content: string,
    opts: StaffReplyOptions = {},
  ): Promise<{ messageId: number; webhookStatus?: number; webhookError?: string }> {
    const c = this.liveCase(caseId);
    if (!c) throw new Error(`no case ${caseId}`);
    const m = this.addMessage(c, {
      content,
      contentHtml: opts.contentHtml,
      staffId: opts.staffId ?? this.staff[0]?.staffId ?? 1,
      note: opts.note ?? false,
      sentViaRule: opts.sentViaRule ?? false,
      attachments: opts.attachments ?? [],
    });
    const result = await this.pushWebhook(c, m);
    return {
      messageId: m.messageId,
      ...(result?.status !== undefined && { webhookStatus: result.status }),
      ...(result?.error !== undefined && { webhookError: result.error }),
    };
  }

  private routes(): void {
    const s = this.server;
    s.route(
      'GET',
      '/api/cases.json',
      this.api((req) => this.listCases(req)),
    );
    s.route(
      'POST',
      '/api/cases.json',
      this.api((req) => this.createCase(req)),
    );
    s.route(
      'GET',
      '/api/cases/:id.json',
      this.api((req) => this.withCase(req, (c) => ({ status: 200, json: { case: caseJson(c) } }))),
    );
    s.route(
      'PUT',
      '/api/cases/:id.json',
      this.api((req) => this.withCase(req, (c) => this.updateCase(c, req.json))),
    );
    s.route(
      'DELETE',
      '/api/cases/:id.json',
      this.api((req) => this.withCase(req, (c) => ((c.deleted = true), { status: 200, json: {} }))),
    );
    s.route(
      'GET',
      '/api/cases/:id/messages.json',
      this.api((req) => this.withCase(req, (c) => this.listMessages(c, req.query))),
    );
    s.route(
      'POST',
      '/api/cases/:id/messages.json',
      this.api((req) => this.withCase(req, (c) => this.postMessage(c, req.json))),
    );
    s.route(
      'POST',
      '/api/cases/:id/note.json',
      this.api((req, staff) => this.withCase(req, (c) => this.postNote(c, req.json, staff))),
    );
    s.route(
      'GET',
      '/api/labels.json',
      this.api((req) => pageOf(this.labelList, req.query, 'label', labelJson)),
    );
    s.route(
      'POST',
      '/api/labels.json',
      this.api((req) => this.createLabel(req.json)),
    );
    s.route(
      'DELETE',
      '/api/labels/:id.json',
      this.api((req) => this.deleteLabel(req)),
    );
    s.route(
      'GET',
      '/api/custom_fields.json',
      this.api((req) => pageOf(this.fields, req.query, 'custom_field', fieldJson)),
    );
    s.route(
      'GET',
      '/api/custom_channels.json',
      this.api((req) => pageOf(this.channels, req.query, 'custom_channel', channelJson)),
    );
    s.route(
      'GET',
      '/api/groups.json',
      this.api((req) => pageOf(this.groups, req.query, 'group', groupJson)),
    );
    s.route(
      'GET',
      '/api/staff.json',
      this.api((req) => pageOf(this.staff, req.query, 'staff', staffJson)),
    );
    s.route(
      'GET',
      '/api/users.json',
      this.api((req) => this.listUsers(req.query)),
    );
    s.route(
      'GET',
      '/api/users/:id.json',
      this.api((req) => {
        const u = this.users.find((x) => x.userId === Number(req.params.id));
        return u ? { status: 200, json: { user: userJson(u) } } : { status: 404, json: { error: 'user_not_found' } };
      }),
    );
    // Inspection and the agent's side, outside the API (no auth, no budget).
    s.route('GET', '/__emulator/cases', () => ({
      status: 200,
      json: {
        cases: this.caseList.map((c) => ({ ...c, messages: this.messagesOf(c.caseId) })),
        labels: this.labelList,
      },
    }));
    s.route('POST', '/__emulator/cases/:id/staff-reply', async (req) => {
      const body = staffReplyBody.safeParse(req.json);
      if (!body.success) return badRequest('bad_body', body.error.issues[0]?.message);
      const { content, ...opts } = body.data;
      try {
        return { status: 201, json: await this.addStaffReply(Number(req.params.id), content, opts) };
      } catch (err) {
        return { status: 404, json: { error: 'case_not_found', message: (err as Error).message } };
      }
    });
  }

  /** Auth, then the budget, then the handler; budget headers on every API answer. */
  private api(handler: (req: EmuRequest, staff: EmuStaff) => EmuResponse | Promise<EmuResponse>): Handler {
    return async (req) => {
      const creds = basicAuth(req);
      const staff = creds && this.staff.find((x) => x.email.toLowerCase() === creds.user.toLowerCase());
      let res: EmuResponse;
      if (!creds)
        res = {
          status: 401,
          json: { error: 'unauthorized', message: 'Basic auth with staff e-mail and API key required' },
        };
      else if (!staff) res = { status: 403, json: { error: 'access_denied', message: 'no staff with this e-mail' } };
      else if (staff.apiKey !== creds.password)
        res = { status: 401, json: { error: 'unauthorized', message: 'wrong API key' } };
      else {
        const cost = req.method === 'GET' ? 1 : 2;
        const left = this.spend(cost);
        if (left === undefined) return this.tooMany(Math.max(0, this.limit - this.used));
        res = await handler(req, staff);
      }
      return { ...res, headers: { ...res.headers, ...this.budgetHeaders(Math.max(0, this.limit - this.used)) } };
    };
  }

  /** Spends `cost` units; undefined when the window has not enough left. */
  private spend(cost: number): number | undefined {
    const now = Date.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    if (this.used + cost > this.limit) return undefined;
    this.used += cost;
    return this.limit - this.used;
  }

  private budgetHeaders(left: number): Record<string, string> {
    return { rate_limit_per_minute: String(this.limit), api_calls_left: String(left) };
  }

  private tooMany(left: number): EmuResponse {
    const seconds = Math.max(1, Math.ceil((this.windowStart + this.windowMs - Date.now()) / 1000));
    return {
      status: 429,
      json: { error: 'rate_limit_exceeded', retry_after: seconds },
      headers: { ...this.budgetHeaders(left), retry_after: String(seconds) },
    };
  }

  private withCase(
    req: EmuRequest,
    fn: (c: EmuCase) => EmuResponse | Promise<EmuResponse>,
  ): EmuResponse | Promise<EmuResponse> {
    const c = this.liveCase(Number(req.params.id));
    return c ? fn(c) : { status: 404, json: { error: 'case_not_found' } };
  }

  private liveCase(caseId: number): EmuCase | undefined {
    const c = this.caseById.get(caseId);
    return c && !c.deleted ? c : undefined;
  }

  private messagesOf(caseId: number): EmuMessage[] {
    return this.messagesByCase.get(caseId) ?? [];
  }

  private channelByKey(key: string): EmuChannel | undefined {
    return this.channels.find((c) => `cch${c.id}` === key);
  }

  private listCases(req: EmuRequest): EmuResponse {
    const q = req.query;
    let list = this.caseList.filter((c) => !c.deleted);
    const multi = (name: string): string[] =>
      [...q.getAll(name), ...q.getAll(`${name}[]`)].flatMap((v) => v.split(',')).filter((v) => v !== '');
    const channels = multi('channel');
    if (channels.length) list = list.filter((c) => channels.includes(c.channel));
    const statusesWanted = multi('status');
    if (statusesWanted.length) list = list.filter((c) => statusesWanted.includes(c.status));
    const userIds = multi('user_id').map(Number);
    if (userIds.length) list = list.filter((c) => userIds.includes(c.userId));
    const customIds = multi('user_custom_id');
    if (customIds.length) list = list.filter((c) => customIds.some((f) => textMatches(c.userCustomId, f)));
    for (const [name, field, cmp] of [
      ['from_time', 'createdAt', 1],
      ['to_time', 'createdAt', -1],
      ['from_updated_time', 'updatedAt', 1],
      ['to_updated_time', 'updatedAt', -1],
    ] as const) {
      const raw = q.get(name);
      if (raw === null) continue;
      const t = parseTimeFilter(raw);
      if (t === undefined) return badRequest('incorrect_time', `${name} is not a date`);
      list = list.filter((c) => (cmp > 0 ? c[field] >= t : c[field] <= t));
    }
    const sort = q.get('sort') ?? 'created_at_desc';
    const m = /^(created_at|updated_at)_(asc|desc)$/.exec(sort);
    if (!m) return badRequest('incorrect_sort');
    const key = m[1] === 'created_at' ? 'createdAt' : 'updatedAt';
    const dir = m[2] === 'asc' ? 1 : -1;
    list = [...list].sort((a, b) => dir * (a[key] - b[key] || a.caseId - b.caseId));
    return pageOf(list, q, 'case', caseJson);
  }

  private createCase(req: EmuRequest): EmuResponse {
    const root = isObj(req.json) ? req.json.case : undefined;
    if (!isObj(root)) return badRequest('case_data_required', 'body must be {"case":{…}}');
    const subject = str(root.subject);
    const content = str(root.content);
    if (!subject?.trim()) return badRequest('subject_required');
    if (!content?.trim()) return badRequest('content_required');
    const customId = str(root.user_custom_id);
    if (!customId) return badRequest('user_identity_required', 'user_email, user_phone or user_custom_id is required');
    const channel = str(root.channel);
    if (!channel) return badRequest('channel_required', 'user_custom_id needs the custom channel (cchN)');
    if (!this.channelByKey(channel)) return badRequest('channel_not_found');
    const labels = ids.safeParse(root.labels ?? []);
    if (!labels.success) return badRequest('incorrect_labels', 'labels must be label ids');
    const custom = this.customFields(root.custom_fields);
    if (typeof custom === 'string') return badRequest(custom);
    const routed = this.routing(root);
    if (typeof routed === 'string') return badRequest(routed);
    const now = this.now();
    const user = this.userFor(customId, channel, str(root.user_full_name) ?? customId, now);
    const c: EmuCase = {
      caseId: this.nextCaseId++,
      caseNumber: '',
      subject,
      userId: user.userId,
      userCustomId: customId,
      staffId: routed.staffId ?? 0,
      groupId: routed.groupId ?? 0,
      status: 'open',
      priority: routed.priority ?? 'normal',
      channel,
      languageId: typeof root.language_id === 'number' ? root.language_id : 1,
      customFields: custom,
      labels: [...new Set(labels.data)],
      deleted: false,
      createdAt: now,
      updatedAt: now,
      closedAt: undefined,
      lastResponseAt: undefined,
    };
    c.caseNumber = caseNumber(c.caseId);
    this.caseList.push(c);
    this.caseById.set(c.caseId, c);
    this.addMessage(c, { content, contentHtml: str(root.content_html), userId: user.userId });
    c.updatedAt = now;
    return { status: 201, json: { case: caseJson(c) } };
  }

  private updateCase(c: EmuCase, json: unknown): EmuResponse {
    const root = isObj(json) ? json.case : undefined;
    if (!isObj(root)) return badRequest('case_data_required', 'body must be {"case":{…}}');
    const add = ids.safeParse(root.add_labels ?? []);
    const del = ids.safeParse(root.delete_labels ?? []);
    const replace = root.labels === undefined ? undefined : ids.safeParse(root.labels);
    if (!add.success || !del.success || (replace && !replace.success))
      return badRequest('incorrect_labels', 'labels must be label ids');
    if (root.status !== undefined && !statuses.includes(root.status as (typeof statuses)[number]))
      return badRequest('incorrect_status');
    const routed = this.routing(root);
    if (typeof routed === 'string') return badRequest(routed);
    const custom = root.custom_fields === undefined ? {} : this.customFields(root.custom_fields);
    if (typeof custom === 'string') return badRequest(custom);
    if (root.subject !== undefined) {
      if (!str(root.subject)?.trim()) return badRequest('subject_required');
      c.subject = str(root.subject)!;
    }
    if (replace?.success) c.labels = [...new Set(replace.data)];
    c.labels = [...new Set([...c.labels, ...add.data])].filter((id) => !del.data.includes(id));
    if (root.status !== undefined) {
      c.status = root.status as EmuCase['status'];
      c.closedAt = c.status === 'closed' ? this.now() : undefined;
    }
    if (routed.priority !== undefined) c.priority = routed.priority;
    if (routed.groupId !== undefined) c.groupId = routed.groupId;
    if (routed.staffId !== undefined) c.staffId = routed.staffId;
    Object.assign(c.customFields, custom);
    c.updatedAt = this.now();
    return { status: 200, json: { case: caseJson(c) } };
  }

  /** `group_id`, `staff_id` and `priority` of a case body, checked against the account, or an error code. */
  private routing(root: Obj): Partial<Pick<EmuCase, 'groupId' | 'staffId' | 'priority'>> | string {
    const out: Partial<Pick<EmuCase, 'groupId' | 'staffId' | 'priority'>> = {};
    if (root.priority !== undefined) {
      if (!priorities.includes(root.priority as (typeof priorities)[number])) return 'incorrect_priority';
      out.priority = root.priority as EmuCase['priority'];
    }
    if (root.group_id !== undefined) {
      if (!this.groups.some((g) => g.groupId === root.group_id)) return 'group_not_found';
      out.groupId = root.group_id as number;
    }
    if (root.staff_id !== undefined) {
      if (!this.staff.some((x) => x.staffId === root.staff_id)) return 'staff_not_found';
      out.staffId = root.staff_id as number;
    }
    return out;
  }

  /** `{cf_N: value}` for known case-level fields, or an error code. */
  private customFields(raw: unknown): Obj | string {
    if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) return {};
    if (!isObj(raw)) return 'incorrect_custom_fields';
    for (const key of Object.keys(raw)) {
      const id = /^cf_(\d+)$/.exec(key)?.[1];
      const field =
        id === undefined
          ? undefined
          : this.fields.find((f) => f.fieldId === Number(id) && (f.level ?? 'case') === 'case');
      if (!field) return 'custom_field_not_found';
    }
    return { ...raw };
  }

  private listMessages(c: EmuCase, q: URLSearchParams): EmuResponse {
    const order = q.get('order') ?? 'asc';
    if (order !== 'asc' && order !== 'desc') return badRequest('incorrect_order');
    const list = [...this.messagesOf(c.caseId)];
    if (order === 'desc') list.reverse();
    return pageOf(list, q, 'message', messageJson);
  }

  private postMessage(c: EmuCase, json: unknown): EmuResponse {
    const root = isObj(json) ? json.message : undefined;
    if (!isObj(root)) return badRequest('message_data_required', 'body must be {"message":{…}}');
    const content = str(root.content);
    if (!content?.trim()) return badRequest('content_required');
    const userId = typeof root.user_id === 'number' ? root.user_id : undefined;
    const staffId = typeof root.staff_id === 'number' ? root.staff_id : undefined;
    if (userId === undefined && staffId === undefined) return badRequest('user_id_or_staff_id_required');
    if (userId !== undefined && userId !== c.userId)
      return badRequest('user_not_in_case', 'user_id must be the case customer');
    if (staffId !== undefined && !this.staff.some((x) => x.staffId === staffId)) return badRequest('staff_not_found');
    const m = this.addMessage(c, { content, contentHtml: str(root.content_html), userId, staffId });
    // The real service pushes asynchronously; so do we.
    if (staffId !== undefined) void this.pushWebhook(c, m);
    return { status: 201, json: { message: messageJson(m) } };
  }

  private postNote(c: EmuCase, json: unknown, staff: EmuStaff): EmuResponse {
    const root = isObj(json) ? json.note : undefined;
    if (!isObj(root)) return badRequest('note_data_required', 'body must be {"note":{…}}');
    const content = str(root.content);
    if (!content?.trim()) return badRequest('content_required');
    const m = this.addMessage(c, { content, contentHtml: str(root.content_html), staffId: staff.staffId, note: true });
    return { status: 201, json: { message: messageJson(m) } };
  }

  private addMessage(
    c: EmuCase,
    m: {
      content: string;
      contentHtml?: string | undefined;
      userId?: number | undefined;
      staffId?: number | undefined;
      note?: boolean;
      sentViaRule?: boolean;
      attachments?: string[];
    },
  ): EmuMessage {
    const now = this.now();
    const attachments: EmuAttachment[] = (m.attachments ?? []).map((url) => ({
      fileId: this.nextFileId++,
      fileName: url.split('/').pop() || 'file',
      url,
    }));
    const msg: EmuMessage = {
      messageId: this.nextMessageId++,
      caseId: c.caseId,
      userId: m.userId ?? 0,
      staffId: m.staffId ?? 0,
      content: m.content,
      contentHtml: m.contentHtml ?? `<p>${escapeHtml(m.content)}</p>`,
      note: m.note ?? false,
      sentViaRule: m.sentViaRule ?? false,
      attachments,
      createdAt: now,
    };
    const ofCase = this.messagesByCase.get(msg.caseId);
    if (ofCase) ofCase.push(msg);
    else this.messagesByCase.set(msg.caseId, [msg]);
    c.updatedAt = now;
    if (msg.userId !== 0 && c.status !== 'open') {
      // A customer writing again reopens the case.
      c.status = 'open';
      c.closedAt = undefined;
    }
    if (msg.staffId !== 0 && !msg.note) c.lastResponseAt = now;
    return msg;
  }

  private async pushWebhook(
    c: EmuCase,
    m: EmuMessage,
  ): Promise<{ status?: number | undefined; error?: string | undefined } | undefined> {
    if (m.note || m.staffId === 0) return undefined;
    const url = this.channelByKey(c.channel)?.webhookUrl;
    if (!url) return undefined;
    return postWebhook(url, webhookForm(c, m));
  }

  private userFor(customId: string, channel: string, fullName: string, now: number): EmuUser {
    const key = JSON.stringify([channel, customId]);
    let user = this.userIndex.get(key);
    if (!user) {
      user = { userId: this.nextUserId++, customId, channel, fullName, createdAt: now, updatedAt: now };
      this.users.push(user);
      this.userIndex.set(key, user);
    }
    return user;
  }

  private listUsers(q: URLSearchParams): EmuResponse {
    let list = this.users;
    const customId = q.get('user_custom_id');
    if (customId !== null) list = list.filter((u) => textMatches(u.customId, customId));
    const channel = q.get('user_custom_channel');
    if (channel !== null) list = list.filter((u) => u.channel === channel);
    return pageOf(list, q, 'user', userJson);
  }

  private createLabel(json: unknown): EmuResponse {
    const root = isObj(json) ? json.label : undefined;
    if (!isObj(root)) return badRequest('label_data_required', 'body must be {"label":{…}}');
    const title = str(root.label_title)?.trim();
    if (!title) return badRequest('label_title_required');
    return { status: 201, json: { label: labelJson(this.addLabel(title)) } };
  }

  private addLabel(title: string): EmuLabel {
    const label = { labelId: this.nextLabelId++, title };
    this.labelList.push(label);
    return label;
  }

  private deleteLabel(req: EmuRequest): EmuResponse {
    const i = this.labelList.findIndex((l) => l.labelId === Number(req.params.id));
    if (i < 0) return { status: 404, json: { error: 'label_not_found' } };
    this.labelList.splice(i, 1);
    return { status: 200, text: '' };
  }
}
