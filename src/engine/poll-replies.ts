/**
 * `sync --poll-replies`, for installs Omnidesk cannot reach with the webhook: reads the
 * channel's cases updated since the last poll and records their staff replies into the same
 * outbox the webhook fills, so a reply seen both ways is published once.
 * The cursor is Omnidesk's own clock: the newest `updated_at` it returned, minus an overlap,
 * never this machine's time (a clock 10 minutes off would skip or re-read replies). What the
 * overlap reads again is deduplicated by message id. A message that fails its schema is set
 * aside (logged once, counted) and does not hold the cursor or the other messages back.
 */
import type { HelpdeskMessage, SetAsideItem } from '../connectors/helpdesk/types.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { Cursors } from '../state/cursors.js';
import type { StateDb } from '../state/handle.js';
import type { ReplyPublisher } from './reply-publisher.js';
import type { Services } from './services.js';

export const pollCursorName = 'omnidesk:replies-polled-at';

/** The first poll looks back this far; older replies are taken as answered already. */
const firstPollLookbackMs = 7 * 24 * 60 * 60_000;
/** `updated_at` has second precision and a case may be updated while we page: each poll overlaps the last. */
const overlapMs = 2 * 60_000;

export interface PollRepliesDeps {
  db: StateDb;
  services: Services;
  logger: Logger;
  publisher: ReplyPublisher;
  now?: (() => number) | undefined;
}

export interface PollRepliesReport {
  cases: number;
  /** Staff replies seen (notes and customer messages not counted). */
  replies: number;
  recorded: number;
  duplicates: number;
  errors: number;
  /** Messages that failed their schema, set aside. */
  invalid: number;
}

export async function pollReplies(deps: PollRepliesDeps): Promise<PollRepliesReport> {
  const now = deps.now ?? Date.now;
  const cursors = new Cursors(deps.db);
  const previous = await cursors.get(pollCursorName);
  // Only the very first poll has no Omnidesk time to start from; a week makes any skew irrelevant.
  const since = previous ?? new Date(now() - firstPollLookbackMs).toISOString();
  const report: PollRepliesReport = { cases: 0, replies: 0, recorded: 0, duplicates: 0, errors: 0, invalid: 0 };
  const onInvalid = (item: SetAsideItem): void => {
    report.invalid += 1;
    deps.logger.warn('an Omnidesk message was set aside: it does not match what Omnidesk sends', {
      messageId: item.id,
      reason: item.reason,
    });
  };

  const cases = await deps.services.helpdesk.listChannelCasesUpdatedSince(since);
  let newest: number | undefined;
  for (const c of cases) {
    report.cases += 1;
    const updated = c.updatedAt === undefined ? NaN : Date.parse(c.updatedAt);
    if (!Number.isNaN(updated)) newest = Math.max(newest ?? updated, updated);
    let messages: HelpdeskMessage[];
    try {
      messages = await deps.services.helpdesk.listMessages(c.caseId, { onInvalid });
    } catch (err) {
      report.errors += 1;
      deps.logger.warn('could not read the messages of a case', { caseId: c.caseId, error: errorMessage(err) });
      continue;
    }
    for (const m of repliesAfterCaseOpened(messages)) {
      report.replies += 1;
      const result = await deps.publisher.acceptMessage(m);
      if (result === 'recorded') report.recorded += 1;
      else if (result === 'duplicate') report.duplicates += 1;
    }
  }
  // A case that could not be read is read again next time: the cursor stays put. It never goes
  // back either (a case without `updated_at`, or none updated, leaves it where it was).
  const next = newest === undefined ? undefined : newest - overlapMs;
  const current = previous === undefined ? NaN : Date.parse(previous);
  if (report.errors === 0 && next !== undefined && (Number.isNaN(current) || next > current))
    await cursors.set(pollCursorName, new Date(next).toISOString());
  deps.logger.info('polled Omnidesk for replies', { ...report });
  return report;
}

/**
 * Staff replies (not notes) written after the case was opened. The opening message is the
 * review itself; anything stamped before it came with an import (`created_at` in the past).
 * Omnidesk dates have second precision, so order within a second is the message id's.
 */
export function repliesAfterCaseOpened(messages: readonly HelpdeskMessage[]): HelpdeskMessage[] {
  const opening = messages.reduce<HelpdeskMessage | undefined>(
    (first, m) => (first === undefined || m.messageId < first.messageId ? m : first),
    undefined,
  );
  if (!opening) return [];
  const openedAt = parseTime(opening.createdAt);
  return messages.filter((m) => {
    if (m.staffId === 0 || m.note || m.messageId <= opening.messageId) return false;
    const at = parseTime(m.createdAt);
    return openedAt === undefined || at === undefined || at >= openedAt;
  });
}

/** Omnidesk dates look like `Mon, 05 May 2014 00:15:17 +0300`; ISO is accepted too. */
function parseTime(value: string | undefined): number | undefined {
  if (!value || value === '-') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}
