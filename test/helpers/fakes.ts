/**
 * In-memory stand-ins for a store and for Omnidesk, for the engine, reply publisher and
 * listener unit tests that need exact control over where a failure happens. Integration tests
 * use the real emulators instead.
 */
import { configSchema, type Config, type ConfigInput } from '../../src/config/schema.js';
import type { WebhookEvent } from '../../src/connectors/helpdesk/omnidesk/webhook.js';
import type {
  CaseDraft,
  CaseInfo,
  Helpdesk,
  HelpdeskMessage,
  ListOptions,
} from '../../src/connectors/helpdesk/types.js';
import type {
  AppRef,
  Capabilities,
  PublishedReply,
  ReplyStatus,
  ReviewPage,
  SetAside,
  StoreConnector,
} from '../../src/connectors/stores/types.js';
import type { AnswerState, Review, StoreId } from '../../src/domain/review.js';
import type { Services } from '../../src/engine/services.js';
import { noteBody } from '../../src/engine/reply-notes.js';
import { RemoteError } from '../../src/errors.js';
import type { StateDb } from '../../src/state/handle.js';
import { ReviewStore } from '../../src/state/reviews.js';

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

export interface PublishCall {
  app: AppRef;
  reviewId: string;
  text: string;
  previousAnswerId: string | undefined;
}

const initialState: Record<StoreId, AnswerState> = {
  'google-play': 'PUBLISHED',
  'app-store': 'PENDING_PUBLISH',
  rustore: 'MODERATION',
};

/** A store: reviews served in pages, answers recorded; failures injected per call. */
export class FakeStore implements StoreConnector {
  readonly capabilities: Capabilities;
  reviews: Review[] = [];
  requests = 0;
  pageSize = 10;
  failNext: Error | undefined;
  /** Fail the n-th page request (1-based) of the next fetch. */
  failOnPage: { page: number; error: Error } | undefined;
  /** Records served as set aside (failed their schema) on the first page of each fetch. */
  setAside: SetAside[] = [];
  readonly calls: PublishCall[] = [];
  /** Errors thrown by the next publishReply calls, in order. */
  readonly failures: Error[] = [];
  status: ReplyStatus | undefined;
  statusCalls = 0;
  private answers = 0;

  constructor(
    readonly store: StoreId,
    readonly origin: 'api' | 'public' = 'api',
    capabilities: Partial<Capabilities> = {},
  ) {
    this.capabilities = {
      reply: true,
      maxReplyLength: store === 'google-play' ? 350 : 5970,
      replyNeedsReadBack: store !== 'google-play',
      editDetection: 'edit-date',
      recreatesEditedReviews: false,
      ...capabilities,
    };
  }

  async ping(): Promise<void> {}

  async *readPages(app: AppRef): AsyncIterable<ReviewPage> {
    const mine = this.reviews
      .filter((r) => r.appId === app.appId)
      .sort((a, b) => Date.parse(b.updatedAt ?? b.createdAt) - Date.parse(a.updatedAt ?? a.createdAt));
    for (let i = 0; i < mine.length || i === 0; i += this.pageSize) {
      this.requests++;
      if (this.failOnPage && this.failOnPage.page === i / this.pageSize + 1) {
        const { error } = this.failOnPage;
        this.failOnPage = undefined;
        throw error;
      }
      if (this.failNext) {
        const err = this.failNext;
        this.failNext = undefined;
        throw err;
      }
      const page = mine.slice(i, i + this.pageSize).map((r) => structuredClone(r));
      const next = i + this.pageSize < mine.length ? String(i + this.pageSize) : undefined;
      yield { reviews: page, setAside: i === 0 ? this.setAside : [], next };
    }
  }

  async publishReply(app: AppRef, reviewId: string, text: string, previousAnswerId?: string): Promise<PublishedReply> {
    this.calls.push({ app, reviewId, text, previousAnswerId });
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.answers += 1;
    return {
      state: initialState[this.store],
      answerId: this.store === 'google-play' ? undefined : `answer-${this.answers}`,
    };
  }

  async replyStatus(): Promise<ReplyStatus | undefined> {
    this.statusCalls += 1;
    return this.status;
  }
}

export function allStores(): Record<StoreId, FakeStore> {
  return {
    'app-store': new FakeStore('app-store'),
    'google-play': new FakeStore('google-play'),
    rustore: new FakeStore('rustore'),
  };
}

export function fakeServices(helpdesk: FakeHelpdesk, stores: Partial<Record<StoreId, StoreConnector>>): Services {
  return {
    helpdesk,
    sourceFor: notImplemented,
    replyConnector: (store) => stores[store],
  };
}

interface FakeCase extends CaseInfo {
  subject: string;
  content: string;
  messages: HelpdeskMessage[];
}

/** Omnidesk in memory. `loseResponseOnce` makes a write succeed but throw, like a dropped connection. */
export class FakeHelpdesk implements Helpdesk {
  cases: FakeCase[] = [];
  labels = new Map<string, number>();
  writes = 0;
  /** Every note added, also to cases this fake does not hold (the publisher's notes). */
  readonly notes: { caseId: number; content: string }[] = [];
  /** Errors thrown by the next addNote calls, in order. */
  readonly noteFailures: Error[] = [];
  getCaseCalls = 0;
  loseResponseOnce: 'createCase' | 'addCustomerMessage' | undefined;
  failAll: RemoteError | undefined;
  private nextId = 1000;

  private check(op: string): void {
    if (this.failAll) throw this.failAll;
    void op;
  }

  private lost(op: 'createCase' | 'addCustomerMessage'): void {
    if (this.loseResponseOnce === op) {
      this.loseResponseOnce = undefined;
      throw new RemoteError({
        kind: 'transient',
        service: 'Omnidesk',
        message: 'Omnidesk: network error (ECONNRESET)',
        code: 'ECONNRESET',
      });
    }
  }

  async ping(): Promise<void> {}

  async createCase(draft: CaseDraft): Promise<{ caseId: number; userId: number; created: boolean }> {
    this.check('create');
    this.writes++;
    const c: FakeCase = {
      caseId: this.nextId++,
      userId: this.nextId++,
      userCustomId: draft.userCustomId,
      reviewKey: draft.userCustomId,
      status: 'open',
      labels: [...draft.labelIds],
      subject: draft.subject,
      content: draft.content,
      messages: [],
    };
    this.cases.push(c);
    this.lost('createCase');
    return { caseId: c.caseId, userId: c.userId!, created: true };
  }

  async findCaseByCustomId(id: string): Promise<CaseInfo | undefined> {
    this.check('find');
    return this.cases.find((c) => c.userCustomId === id);
  }

  /** A case as Omnidesk already has it, with its messages. */
  addCase(info: CaseInfo, messages: HelpdeskMessage[] = []): void {
    this.cases.push({ subject: '', content: '', ...info, messages });
  }

  async getCase(caseId: number): Promise<CaseInfo> {
    this.getCaseCalls += 1;
    const c = this.cases.find((x) => x.caseId === caseId);
    if (!c) throw new RemoteError({ kind: 'not-found', service: 'Omnidesk', message: 'case_not_found', status: 404 });
    return c;
  }

  async addCustomerMessage(
    caseId: number,
    userId: number | undefined,
    content: string,
  ): Promise<{ messageId: number }> {
    this.check('message');
    this.writes++;
    const c = await this.getCase(caseId);
    const m: HelpdeskMessage = {
      messageId: this.nextId++,
      caseId,
      staffId: 0,
      userId: userId ?? 0,
      content,
      note: false,
      sentViaRule: false,
      attachments: [],
    };
    (c as FakeCase).messages.push(m);
    this.lost('addCustomerMessage');
    return { messageId: m.messageId };
  }

  async addNote(caseId: number, content: string): Promise<{ messageId: number }> {
    const failure = this.noteFailures.shift();
    if (failure) throw failure;
    this.writes++;
    this.notes.push({ caseId, content });
    const m: HelpdeskMessage = {
      messageId: 900_000 + this.notes.length,
      caseId,
      staffId: 1,
      userId: 0,
      content,
      note: true,
      sentViaRule: false,
      attachments: [],
    };
    this.cases.find((x) => x.caseId === caseId)?.messages.push(m);
    return { messageId: m.messageId };
  }

  notesFor(caseId: number): string[] {
    return this.notes.filter((n) => n.caseId === caseId).map((n) => noteBody(n.content));
  }

  async updateCase(
    caseId: number,
    change: { addLabels?: number[]; deleteLabels?: number[]; status?: 'open' | 'waiting' | 'closed' },
  ): Promise<void> {
    this.writes++;
    const c = await this.getCase(caseId);
    c.labels = [
      ...new Set([...c.labels.filter((l) => !(change.deleteLabels ?? []).includes(l)), ...(change.addLabels ?? [])]),
    ];
    if (change.status) c.status = change.status;
  }

  async listMessages(caseId: number, _opts?: ListOptions): Promise<HelpdeskMessage[]> {
    return [...(this.cases.find((c) => c.caseId === caseId)?.messages ?? [])];
  }

  async listChannelCasesUpdatedSince(_since?: string): Promise<CaseInfo[]> {
    return this.cases;
  }

  async labelId(title: string): Promise<number> {
    let id = this.labels.get(title);
    if (id === undefined) {
      id = this.labels.size + 1;
      this.labels.set(title, id);
    }
    return id;
  }

  labelTitles(caseId: number): string[] {
    const c = this.cases.find((x) => x.caseId === caseId);
    return [...this.labels.entries()].filter(([, id]) => c?.labels.includes(id)).map(([t]) => t);
  }

  async listCustomChannels() {
    return [{ id: 'cch1', title: 'App reviews', active: true }];
  }

  async listCaseFields() {
    return [];
  }

  quotaSnapshot() {
    return {};
  }
}

let counter = 0;
export function makeReview(partial: Partial<Review> & Pick<Review, 'store' | 'appId'>): Review {
  counter++;
  return {
    reviewId: `r${counter}`,
    rating: 3,
    text: `review number ${counter} text`,
    author: `user${counter}`,
    createdAt: new Date(Date.UTC(2026, 10, 1) + counter * 60_000).toISOString(),
    origin: 'api',
    ...partial,
  };
}

/** A known review whose case is `caseId`. */
export async function seedReview(
  db: StateDb,
  store: StoreId,
  appId: string,
  reviewId: string,
  caseId: number,
): Promise<string> {
  const reviews = new ReviewStore(db);
  const review: Review = {
    store,
    appId,
    reviewId,
    rating: 2,
    text: 'Crashes on start',
    createdAt: '2025-01-01T00:00:00Z',
    origin: 'api',
  };
  const row = await reviews.insert(review, 'deliver', null);
  await reviews.setCase(row.reviewKey, caseId, 5000 + caseId);
  return row.reviewKey;
}

export function staffReply(
  messageId: number,
  caseId: number,
  content: string,
  extra: Partial<WebhookEvent> = {},
): WebhookEvent {
  return {
    type: 'message_new',
    caseId,
    messageId,
    staffId: 77,
    userId: 0,
    content,
    note: false,
    sentViaRule: false,
    attachments: [],
    ...extra,
  };
}

export function transient(message = 'store answered 503'): RemoteError {
  return new RemoteError({ kind: 'transient', service: 'Store', status: 503, message });
}
