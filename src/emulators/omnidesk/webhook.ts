/**
 * The custom-channel webhook as Omnidesk sends it on a staff reply: one POST,
 * `application/x-www-form-urlencoded`, PHP-bracket keys (contract notes §6).
 */
import { request } from 'undici';
import type { EmuCase, EmuMessage } from './model.js';

export function webhookForm(c: EmuCase, m: EmuMessage): string {
  const form = new URLSearchParams();
  form.set('type', 'message_new');
  form.set('object[message_id]', String(m.messageId));
  form.set('object[case_id]', String(c.caseId));
  form.set('object[staff_id]', String(m.staffId));
  form.set('object[user_id]', String(c.userId));
  form.set('object[custom_user_id]', c.userCustomId ?? '');
  form.set('object[content]', m.content);
  // Unverified whether the real webhook carries it: sent here when the text is only in HTML.
  if (m.content === '' && m.contentHtml) form.set('object[content_html]', m.contentHtml);
  form.set('object[note]', m.note ? '1' : '0');
  form.set('object[sent_via_rule]', m.sentViaRule ? '1' : '0');
  m.attachments.forEach((a, i) => {
    form.set(`object[attachments][${i}][file_name]`, a.fileName);
    form.set(`object[attachments][${i}][url]`, a.url);
  });
  return form.toString();
}

export interface WebhookResult {
  status?: number | undefined;
  error?: string | undefined;
}

export async function postWebhook(url: string, body: string): Promise<WebhookResult> {
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Omnidesk-Emulator' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    await res.body.dump();
    return { status: res.statusCode };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
