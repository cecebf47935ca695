/**
 * The Omnidesk custom-channel webhook, once the secret is verified and the body read:
 * parse, record in the outbox, answer. Publishing happens later, off the request.
 */
import { parsePhpForm, parseWebhook, type WebhookEvent } from '../../connectors/helpdesk/omnidesk/webhook.js';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { AcceptResult } from '../../engine/reply-publisher.js';

export interface WebhookSink {
  accept(event: WebhookEvent): AcceptResult;
}

export interface RouteResult {
  status: number;
  json: Record<string, unknown>;
}

export function handleOmnideskWebhook(contentType: string, body: string, sink: WebhookSink, logger: Logger, onRecorded: () => void): RouteResult {
  let event: WebhookEvent;
  try {
    event = parseWebhook(contentType, body);
  } catch (err) {
    // Events other than a new message may carry other fields: acknowledge, do not fail them.
    const type = eventType(contentType, body);
    if (type !== undefined && type !== 'message_new') return { status: 200, json: { status: 'ok' } };
    return { status: 400, json: { status: 'error', error: errorMessage(err) } };
  }
  let result: AcceptResult;
  try {
    result = sink.accept(event);
  } catch (err) {
    // The outbox could not be written (disk full, database locked): Omnidesk may deliver again.
    logger.error('could not record the webhook', { messageId: event.messageId, error: errorMessage(err) });
    return { status: 500, json: { status: 'error', error: 'could not record the reply' } };
  }
  logger.debug('webhook event', { type: event.type, caseId: event.caseId, messageId: event.messageId, result });
  if (result === 'recorded') onRecorded();
  return { status: 200, json: { status: 'ok' } };
}

/** Only the event type, read leniently from a body the full parser refused. */
function eventType(contentType: string, body: string): string | undefined {
  try {
    const raw: unknown = /json/i.test(contentType) || body.trim().startsWith('{') ? JSON.parse(body) : parsePhpForm(body);
    const type = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).type : undefined;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}
