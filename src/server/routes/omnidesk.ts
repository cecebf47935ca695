/**
 * The Omnidesk custom-channel webhook, once the secret is verified and the body read:
 * parse, record in the outbox, answer. Publishing happens later, off the request.
 * A body that fails its schema is answered 400, logged once and counted; nothing is recorded.
 * A database locked by another process is waited for asynchronously (the listener keeps
 * serving); past the deadline the answer is 503 with `retry-after`, and nothing is recorded,
 * so a delivery repeated later is recorded exactly once.
 */
import { parsePhpForm, parseWebhook, type WebhookEvent } from '../../connectors/helpdesk/omnidesk/webhook.js';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { AcceptResult } from '../../engine/reply-publisher.js';
import { retryBusy, StateBusyError } from '../../state/retry-busy.js';

export interface WebhookSink {
  accept(event: WebhookEvent): Promise<AcceptResult>;
}

export interface RouteResult {
  status: number;
  json: Record<string, unknown>;
  headers?: Record<string, string> | undefined;
}

export interface WebhookRouteOptions {
  sink: WebhookSink;
  logger: Logger;
  onRecorded: () => void;
  /** Longest asynchronous wait for a write lock held elsewhere before answering 503. */
  lockWaitMs: number;
  /** Counts what was set aside, for /healthz. */
  counters: WebhookCounters;
}

export interface WebhookCounters {
  refused: number;
  busy: number;
}

export async function handleOmnideskWebhook(
  contentType: string,
  body: string,
  opts: WebhookRouteOptions,
): Promise<RouteResult> {
  const { sink, logger } = opts;
  let event: WebhookEvent;
  try {
    event = parseWebhook(contentType, body);
  } catch (err) {
    // Events other than a new message may carry other fields: acknowledge, do not fail them.
    const type = eventType(contentType, body);
    if (type !== undefined && type !== 'message_new') return { status: 200, json: { status: 'ok' } };
    opts.counters.refused += 1;
    // The reason names the field; the body itself (customer text) is not logged.
    logger.warn('webhook refused: the body does not match what Omnidesk sends', {
      reason: errorMessage(err),
      refused: opts.counters.refused,
    });
    return { status: 400, json: { status: 'error', error: errorMessage(err) } };
  }
  let result: AcceptResult;
  try {
    result = await retryBusy(() => sink.accept(event), {
      deadlineMs: opts.lockWaitMs,
      onBusy: () =>
        logger.warn('the state database is locked by another process; waiting to record the webhook', {
          messageId: event.messageId,
        }),
    });
  } catch (err) {
    if (err instanceof StateBusyError) {
      opts.counters.busy += 1;
      logger.error('could not record the webhook: the state database stayed locked', {
        messageId: event.messageId,
        waitedMs: Math.round(err.waitedMs),
      });
      return {
        status: 503,
        json: { status: 'error', error: 'busy, deliver again later' },
        headers: { 'retry-after': '5' },
      };
    }
    // The outbox could not be written (disk full…): Omnidesk may deliver again.
    logger.error('could not record the webhook', { messageId: event.messageId, error: errorMessage(err) });
    return { status: 500, json: { status: 'error', error: 'could not record the reply' } };
  }
  logger.debug('webhook event', { type: event.type, caseId: event.caseId, messageId: event.messageId, result });
  if (result === 'recorded') opts.onRecorded();
  return { status: 200, json: { status: 'ok' } };
}

/** Only the event type, read leniently from a body the full parser refused. */
function eventType(contentType: string, body: string): string | undefined {
  try {
    const raw: unknown =
      /json/i.test(contentType) || body.trim().startsWith('{') ? JSON.parse(body) : parsePhpForm(body);
    const type = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).type : undefined;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}
