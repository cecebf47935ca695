/**
 * The helpdesk contract the engine and the reply publisher use. One implementation: Omnidesk.
 */
export interface CaseDraft {
  /** The review key: the case's `user_custom_id` and the channel-named case field. */
  userCustomId: string;
  userFullName: string;
  subject: string;
  content: string;
  contentHtml: string;
  labelIds: number[];
  /** Routing (config `routing`): left out when unset, so Omnidesk's own defaults apply. */
  routing?: CaseRouting | undefined;
}

/** The case fields routing sets: Omnidesk `group_id`, `priority`, `staff_id`. */
export interface CaseRouting {
  groupId?: number | undefined;
  priority?: 'low' | 'normal' | 'high' | 'critical' | undefined;
  staffId?: number | undefined;
}

export interface CaseRef {
  caseId: number;
  caseNumber?: string | undefined;
  userId?: number | undefined;
}

export interface CaseInfo extends CaseRef {
  userCustomId?: string | undefined;
  status?: string | undefined;
  labels: number[];
  /** Value of the channel-named case field (the review key), when set. */
  reviewKey?: string | undefined;
  updatedAt?: string | undefined;
}

export interface HelpdeskMessage {
  messageId: number;
  caseId: number;
  staffId: number;
  userId: number;
  content: string;
  note: boolean;
  sentViaRule: boolean;
  attachments: string[];
  createdAt?: string | undefined;
}

/** A listed item that failed its schema: left out of the result, with the reason. */
export interface SetAsideItem {
  /** The item's id when it could be read (e.g. `message_id`). */
  id?: number | undefined;
  /** The field at fault and what was wrong, e.g. `message.staff_id: expected an integer`. */
  reason: string;
}

export interface ListOptions {
  /** Called for each item that fails its schema; without it such an item fails the whole list. */
  onInvalid?: ((item: SetAsideItem) => void) | undefined;
}

export interface CustomChannel {
  id: string; // cchN
  title: string;
  webhookUrl?: string | undefined;
  active: boolean;
}

export interface CaseField {
  fieldId: number;
  title: string;
  fieldType: string;
  level: string;
}

export interface Helpdesk {
  /** Check the account and credentials; throws RemoteError (auth names the e-mail or key). */
  ping(): Promise<void>;
  /**
   * Create the case once: if a case with this `user_custom_id` exists already (an earlier run
   * died after sending), that case is returned instead of a second one.
   */
  createCase(draft: CaseDraft): Promise<CaseRef & { created: boolean }>;
  findCaseByCustomId(userCustomId: string): Promise<CaseInfo | undefined>;
  getCase(caseId: number): Promise<CaseInfo>;
  /** A message from the customer (an edited review). */
  addCustomerMessage(
    caseId: number,
    userId: number | undefined,
    content: string,
    contentHtml: string,
  ): Promise<{ messageId: number }>;
  addNote(caseId: number, content: string, contentHtml?: string): Promise<{ messageId: number }>;
  updateCase(
    caseId: number,
    change: {
      addLabels?: number[];
      deleteLabels?: number[];
      status?: 'open' | 'waiting' | 'closed';
      routing?: CaseRouting | undefined;
    },
  ): Promise<void>;
  listMessages(caseId: number, opts?: ListOptions): Promise<HelpdeskMessage[]>;
  /** Cases of the channel updated since a time (for `sync --poll-replies`). */
  listChannelCasesUpdatedSince(sinceIso: string | undefined): Promise<CaseInfo[]>;
  /**
   * One page (100, from 1) of the channel's cases, newest first; only cases created at or after
   * `createdSinceMs` when given; cases in the trash or spam are left out (`fetched` counts them,
   * for paging). `reviewKey` is set when the case field is configured, so a
   * page can be indexed by review key. Absent: finding a case costs one lookup per review.
   */
  listChannelCasesPage?(
    page: number,
    opts?: { createdSinceMs?: number | undefined },
  ): Promise<{ cases: CaseInfo[]; fetched: number; totalCount: number | undefined; pageSize: number }>;
  /** True when cases carry the review key in a field a case list shows (the channel-named field). */
  readonly listsReviewKeys?: boolean | undefined;
  /** Label id for a title, created when missing; ids cached. */
  labelId(title: string): Promise<number>;
  listCustomChannels(): Promise<CustomChannel[]>;
  listCaseFields(): Promise<CaseField[]>;
  /** The account's staff groups and staff members (ids and names), for checking routing rules. */
  listGroups?(): Promise<{ id: number; title: string; active: boolean }[]>;
  listStaff?(): Promise<{ id: number; name: string; active: boolean }[]>;
  /** Remaining per-minute budget as last seen. */
  quotaSnapshot(): { remaining?: number | undefined; limit?: number | undefined };
}
