/**
 * Omnidesk payloads → the helpdesk types, and Omnidesk's date format
 * ("Mon, 05 May 2014 00:15:17 +0300"; unset dates are "-").
 */
import type { z } from 'zod';
import type { CaseField, CaseInfo, CaseRef, CustomChannel, HelpdeskMessage } from '../types.js';
import { htmlToText } from './html.js';
import type { customChannelSchema, customFieldSchema, OmniCase, OmniMessage } from './schema.js';

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const omniDate =
  /^(?:[A-Za-z]{3},\s*)?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? ([+-])(\d{2}):?(\d{2})$/;

/** Omnidesk date → epoch ms; undefined for "-", empty or unreadable values. */
export function parseOmniDate(value: string | undefined | null): number | undefined {
  if (!value || value.trim() === '-') return undefined;
  const m = omniDate.exec(value.trim());
  if (!m) return undefined;
  const [, d, mon, y, hh, mm, ss, sign, oh, om] = m;
  const month = months.findIndex((x) => x.toLowerCase() === mon!.toLowerCase());
  if (month < 0) return undefined;
  const offsetMin = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  return Date.UTC(Number(y), month, Number(d), Number(hh), Number(mm), Number(ss ?? 0)) - offsetMin * 60_000;
}

/** Omnidesk date → ISO 8601 (UTC), or undefined. */
export function omniDateToIso(value: string | undefined | null): string | undefined {
  const ms = parseOmniDate(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Epoch ms → Omnidesk date in the given UTC offset (minutes; Moscow is +180). */
export function formatOmniDate(ms: number, offsetMinutes = 0): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${days[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

export function caseFieldKey(fieldId: number): string {
  return `cf_${fieldId}`;
}

export function toCaseRef(c: OmniCase): CaseRef {
  return { caseId: c.case_id, caseNumber: c.case_number, userId: c.user_id };
}

export function toCaseInfo(c: OmniCase, caseFieldId: number | undefined): CaseInfo {
  const raw = caseFieldId === undefined ? undefined : c.custom_fields?.[caseFieldKey(caseFieldId)];
  const reviewKey = typeof raw === 'string' && raw.length > 0 ? raw : undefined;
  return {
    ...toCaseRef(c),
    status: c.status,
    labels: c.labels ?? [],
    reviewKey,
    updatedAt: omniDateToIso(c.updated_at),
  };
}

export function toMessage(caseId: number, m: OmniMessage): HelpdeskMessage {
  return {
    messageId: m.message_id,
    caseId,
    staffId: m.staff_id ?? 0,
    userId: m.user_id ?? 0,
    // Messages written in the rich editor (or by API with HTML only) may carry no plain `content`.
    content: (m.content ?? '').trim() === '' && m.content_html ? htmlToText(m.content_html) : (m.content ?? ''),
    note: m.note ?? false,
    sentViaRule: m.sent_via_rule ?? false,
    attachments: (m.attachments ?? []).map((a) => a.url),
    createdAt: omniDateToIso(m.created_at),
  };
}

export function toCustomChannel(c: z.infer<typeof customChannelSchema>): CustomChannel {
  return {
    id: c.channel_api_key ?? `cch${c.channel_id}`,
    title: c.title,
    webhookUrl: c.webhook_url ?? undefined,
    active: c.active ?? true,
  };
}

export function toCaseField(f: z.infer<typeof customFieldSchema>): CaseField {
  return { fieldId: f.field_id, title: f.title, fieldType: f.field_type, level: f.field_level ?? 'case' };
}
