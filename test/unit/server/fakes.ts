/**
 * Small in-memory fakes of the Helpdesk and StoreConnector contracts, for the reply
 * publisher and listener unit tests (the end-to-end tests use the real emulators).
 */
import { configSchema, type Config, type ConfigInput } from '../../../src/config/schema.js';
import type { CaseInfo, Helpdesk, HelpdeskMessage } from '../../../src/connectors/helpdesk/types.js';
import type { AppRef, Capabilities, PublishedReply, ReplyStatus, ReviewPage, StoreConnector } from '../../../src/connectors/stores/types.js';
import type { AnswerState, Review, StoreId } from '../../../src/domain/review.js';
import type { Services } from '../../../src/engine/services.js';
import type { WebhookEvent } from '../../../src/connectors/helpdesk/omnidesk/webhook.js';
import { RemoteError } from '../../../src/errors.js';
import type { Db } from '../../../src/state/db.js';
import { ReviewStore } from '../../../src/state/reviews.js';

export const secret = 'test-secret-0123456789abcdef';

export function testConfig(extra: Partial<ConfigInput> = {}): Config {
  return configSchema.parse({
    omnidesk: { subdomain: 'acme', staffEmail: 'admin@acme.test', apiKey: 'key-123456', channel: 'cch7' },
    apps: [
      { id: 'ios', store: 'app-store', appId: '1234567890' },
      { id: 'android', store: 'google-play', appId: 'com.acme.app' },
      { id: 'ru', store: 'rustore', appId: 'com.acme.ru' },
    ],
    webhook: { secret },
    ...extra,
  });
}

function notImplemented(): never {
  throw new Error('not used by these tests');
}

export class FakeHelpdesk implements Helpdesk {
  readonly notes: { caseId: number; content: string }[] = [];
  readonly cases = new Map<number, CaseInfo>();
  readonly messages = new Map<number, HelpdeskMessage[]>();
  /** Errors thrown by the next addNote calls, in order. */
  readonly noteFailures: Error[] = [];
  getCaseCalls = 0;

  async ping(): Promise<void> {}
  createCase = notImplemented;
  findCaseByCustomId = notImplemented;
  addCustomerMessage = notImplemented;
  updateCase = notImplemented;
  labelId = notImplemented;
  listCustomChannels = notImplemented;
  listCaseFields = notImplemented;
  quotaSnapshot(): { remaining?: number; limit?: number } {
    return {};
  }

  async getCase(caseId: number): Promise<CaseInfo> {
    this.getCaseCalls += 1;
    const c = this.cases.get(caseId);
    if (!c) throw new RemoteError({ kind: 'not-found', service: 'Omnidesk', status: 404, message: `case ${caseId} not found` });
    return c;
  }

  async addNote(caseId: number, content: string): Promise<{ messageId: number }> {
    const failure = this.noteFailures.shift();
    if (failure) throw failure;
    this.notes.push({ caseId, content });
    return { messageId: 900_000 + this.notes.length };
  }

  async listMessages(caseId: number): Promise<HelpdeskMessage[]> {
    return this.messages.get(caseId) ?? [];
  }

  async listChannelCasesUpdatedSince(_since: string | undefined): Promise<CaseInfo[]> {
    return [...this.cases.values()];
  }

  notesFor(caseId: number): string[] {
    return this.notes.filter((n) => n.caseId === caseId).map((n) => n.content);
  }
}

export interface PublishCall {
  app: AppRef;
  reviewId: string;
  text: string;
  previousAnswerId: string | undefined;
}

const initialState: Record<StoreId, AnswerState> = { 'google-play': 'PUBLISHED', 'app-store': 'PENDING_PUBLISH', rustore: 'MODERATION' };

export class FakeStore implements StoreConnector {
  readonly origin = 'api' as const;
  readonly capabilities: Capabilities;
  readonly calls: PublishCall[] = [];
  /** Errors thrown by the next publishReply calls, in order. */
  readonly failures: Error[] = [];
  status: ReplyStatus | undefined;
  statusCalls = 0;
  private answers = 0;

  constructor(readonly store: StoreId) {
    this.capabilities = { reply: true, maxReplyLength: store === 'google-play' ? 350 : 5970, replyNeedsReadBack: store !== 'google-play', editDetection: 'edit-date', recreatesEditedReviews: false };
  }

  async ping(): Promise<void> {}
  // eslint-disable-next-line require-yield
  async *readPages(): AsyncIterable<ReviewPage> {
    return;
  }

  async publishReply(app: AppRef, reviewId: string, text: string, previousAnswerId?: string): Promise<PublishedReply> {
    this.calls.push({ app, reviewId, text, previousAnswerId });
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.answers += 1;
    return { state: initialState[this.store], answerId: this.store === 'google-play' ? undefined : `answer-${this.answers}` };
  }

  async replyStatus(): Promise<ReplyStatus | undefined> {
    this.statusCalls += 1;
    return this.status;
  }
}

export function fakeServices(helpdesk: FakeHelpdesk, stores: Partial<Record<StoreId, StoreConnector>>): Services {
  return {
    helpdesk,
    sourceFor: notImplemented,
    replyConnector: (store) => stores[store],
  };
}

export function allStores(): Record<StoreId, FakeStore> {
  return { 'app-store': new FakeStore('app-store'), 'google-play': new FakeStore('google-play'), rustore: new FakeStore('rustore') };
}

/** A known review whose case is `caseId`. */
export function seedReview(db: Db, store: StoreId, appId: string, reviewId: string, caseId: number): string {
  const reviews = new ReviewStore(db);
  const review: Review = { store, appId, reviewId, rating: 2, text: 'Crashes on start', createdAt: '2025-01-01T00:00:00Z', origin: 'api' };
  const row = reviews.insert(review, 'deliver', null);
  reviews.setCase(row.reviewKey, caseId, 5000 + caseId);
  return row.reviewKey;
}

export function staffReply(messageId: number, caseId: number, content: string, extra: Partial<WebhookEvent> = {}): WebhookEvent {
  return { type: 'message_new', caseId, messageId, staffId: 77, userId: 0, content, note: false, sentViaRule: false, attachments: [], ...extra };
}

export function transient(message = 'store answered 503'): RemoteError {
  return new RemoteError({ kind: 'transient', service: 'Store', status: 503, message });
}
