/**
 * The Omnidesk emulator's records and their wire shapes (as documented on omnidesk.ru/api and
 * seen in public clients): dates "Mon, 05 May 2014 00:15:17 +0300", unset dates "-",
 * lists as objects with numeric keys plus `total_count`.
 */
import { formatOmniDate, parseOmniDate } from '../../connectors/helpdesk/omnidesk/map.js';
import type { EmuResponse } from '../harness.js';

/** The account's time zone (Moscow), so clients must honour the offset. */
export const ACCOUNT_OFFSET_MIN = 180;

export interface EmuStaff {
  email: string;
  apiKey: string;
  staffId: number;
  /** `staff_full_name`; an account may leave it empty (then clients show the e-mail). */
  fullName?: string | undefined;
  /** `active: false` for a disabled staff account (still listed). */
  active?: boolean | undefined;
}

/** A group of staff (Omnidesk → Settings → Groups); cases are routed to one by `group_id`. */
export interface EmuGroup {
  groupId: number;
  title: string;
}

export interface EmuChannel {
  id: number;
  title: string;
  webhookUrl?: string | undefined;
}

export interface EmuCaseField {
  fieldId: number;
  title: string;
  fieldType: string;
  level?: 'case' | 'user';
}

export interface EmuUser {
  userId: number;
  customId: string;
  channel: string;
  fullName: string;
  createdAt: number;
  updatedAt: number;
}

export interface EmuCase {
  caseId: number;
  caseNumber: string;
  subject: string;
  userId: number;
  /** The user's custom id (not part of the wire shape; handy in tests). */
  userCustomId: string | undefined;
  staffId: number;
  groupId: number;
  status: 'open' | 'waiting' | 'closed';
  priority: 'low' | 'normal' | 'high' | 'critical';
  channel: string;
  languageId: number;
  customFields: Record<string, unknown>;
  labels: number[];
  deleted: boolean;
  createdAt: number;
  updatedAt: number;
  closedAt: number | undefined;
  lastResponseAt: number | undefined;
}

export interface EmuAttachment {
  fileId: number;
  fileName: string;
  url: string;
}

export interface EmuMessage {
  messageId: number;
  caseId: number;
  userId: number;
  staffId: number;
  content: string;
  contentHtml: string;
  note: boolean;
  sentViaRule: boolean;
  attachments: EmuAttachment[];
  createdAt: number;
}

export interface EmuLabel {
  labelId: number;
  title: string;
}

const date = (ms: number | undefined): string => (ms === undefined ? '-' : formatOmniDate(ms, ACCOUNT_OFFSET_MIN));

export function caseJson(c: EmuCase): Record<string, unknown> {
  return {
    case_id: c.caseId,
    case_number: c.caseNumber,
    subject: c.subject,
    user_id: c.userId,
    staff_id: c.staffId,
    group_id: c.groupId,
    status: c.status,
    priority: c.priority,
    channel: c.channel,
    recipient: '',
    cc_emails: '',
    bcc_emails: '',
    deleted: c.deleted,
    spam: false,
    created_at: date(c.createdAt),
    updated_at: date(c.updatedAt),
    closed_at: date(c.closedAt),
    last_response_at: date(c.lastResponseAt),
    closing_speed: '-',
    language_id: c.languageId,
    // PHP encodes an empty map as [], and so does Omnidesk.
    custom_fields: Object.keys(c.customFields).length === 0 ? [] : c.customFields,
    labels: c.labels,
    locked_labels: [],
    rating: '-',
    rating_comment: '-',
    rated_staff_id: 0,
  };
}

export function messageJson(m: EmuMessage): Record<string, unknown> {
  return {
    message_id: m.messageId,
    user_id: m.userId,
    staff_id: m.staffId,
    content: m.content,
    content_html: m.contentHtml,
    attachments: m.attachments.map((a) => ({
      file_id: a.fileId,
      file_name: a.fileName,
      file_size: 1024,
      mime_type: 'application/octet-stream',
      url: a.url,
    })),
    note: m.note,
    sent_via_rule: m.sentViaRule,
    created_at: date(m.createdAt),
    sent_at: date(m.createdAt),
  };
}

export function userJson(u: EmuUser): Record<string, unknown> {
  return {
    user_id: u.userId,
    user_full_name: u.fullName,
    company_name: '',
    company_position: '',
    thumbnail: '',
    confirmed: true,
    active: true,
    deleted: false,
    created_at: date(u.createdAt),
    updated_at: date(u.updatedAt),
    user_custom_id: u.customId,
    user_custom_channel: u.channel,
    custom_fields: [],
    linked_users: [],
  };
}

export function labelJson(l: EmuLabel): Record<string, unknown> {
  return { label_id: l.labelId, label_title: l.title };
}

export function groupJson(g: EmuGroup): Record<string, unknown> {
  return { group_id: g.groupId, group_title: g.title, group_from_name: '', group_signature: '', active: true };
}

/** As `GET /api/staff.json` lists staff (fields of public clients, e.g. palachX/laravel-omnidesk StaffData). */
export function staffJson(st: EmuStaff): Record<string, unknown> {
  return {
    staff_id: st.staffId,
    staff_email: st.email,
    staff_full_name: st.fullName ?? '',
    staff_signature: '',
    staff_signature_chat: '',
    thumbnail: '',
    active: st.active ?? true,
    status: 'online',
    status_id: 1,
    created_at: 'Mon, 05 May 2014 00:15:17 +0300',
    updated_at: 'Tue, 23 Dec 2014 10:55:23 +0200',
  };
}

export function channelJson(c: EmuChannel): Record<string, unknown> {
  return {
    channel_id: c.id,
    channel_api_key: `cch${c.id}`,
    title: c.title,
    channel_type: 'async',
    icon: 'fa-question-circle',
    webhook_url: c.webhookUrl ?? '',
    active: true,
  };
}

export function fieldJson(f: EmuCaseField): Record<string, unknown> {
  return {
    field_id: f.fieldId,
    title: f.title,
    field_type: f.fieldType,
    field_level: f.level ?? 'case',
    active: true,
    field_data: '',
  };
}

export function badRequest(error: string, message?: string): EmuResponse {
  return { status: 400, json: message ? { error, message } : { error } };
}

/** A page of a list: `{"0":{key:{…}},…,"total_count":N}`; 400 on a bad page or limit. */
export function pageOf<T>(
  items: readonly T[],
  query: URLSearchParams,
  key: string,
  toJson: (item: T) => unknown,
): EmuResponse {
  const page = query.has('page') ? Number(query.get('page')) : 1;
  const limit = query.has('limit') ? Number(query.get('limit')) : 100;
  if (!Number.isInteger(page) || page < 1 || page > 500) return badRequest('incorrect_page', 'page must be 1..500');
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    return badRequest('incorrect_limit', 'limit must be 1..100');
  const body: Record<string, unknown> = {};
  items.slice((page - 1) * limit, page * limit).forEach((item, i) => (body[String(i)] = { [key]: toJson(item) }));
  body.total_count = items.length;
  return { status: 200, json: body };
}

/** Omnidesk text filters: substring by default, `^x^` exact, `^x` prefix, `x^` suffix. */
export function textMatches(value: string | undefined, filter: string): boolean {
  if (value === undefined) return false;
  const starts = filter.startsWith('^');
  const ends = filter.length > 1 && filter.endsWith('^');
  const needle = filter.slice(starts ? 1 : 0, ends ? -1 : undefined);
  if (starts && ends) return value === needle;
  if (starts) return value.startsWith(needle);
  if (ends) return value.endsWith(needle);
  return value.includes(needle);
}

/** Time filters take unix seconds, "YYYY-MM-DD[ HH:MM:SS]" (account time) or Omnidesk's format. */
export function parseTimeFilter(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value);
  if (m) {
    const [, y, mo, d, h, mi, s] = m;
    return (
      Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)) -
      ACCOUNT_OFFSET_MIN * 60_000
    );
  }
  return parseOmniDate(value);
}

export function caseNumber(caseId: number): string {
  return `${100 + (caseId % 900)}-${String((245_651 + caseId * 7_919) % 1_000_000).padStart(6, '0')}`;
}
