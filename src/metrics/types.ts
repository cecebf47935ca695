/** What the listener and the reply publisher report to monitoring; no-ops unless metrics are on. */

/**
 * Why a webhook request was refused (a fixed set: label values never come from the request).
 * `secret`: the webhook path with a wrong secret; `not-found`: any other path.
 */
export type WebhookRejection = 'not-found' | 'secret' | 'method' | 'too-large' | 'invalid' | 'busy' | 'error';

export interface WebhookMetrics {
  received(): void;
  rejected(reason: WebhookRejection): void;
}

export type ReplyOutcome = 'published' | 'awaiting' | 'refused' | 'failed' | 'retrying';

export interface ReplyMetrics {
  /** `store`: the store id of the reply's review, `unknown` when its case is not linked to one. */
  outcome(store: string, outcome: ReplyOutcome): void;
  publishSeconds(store: string, seconds: number): void;
}
