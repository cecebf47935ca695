/**
 * Which reply to a review is the later one. Omnidesk's own order decides: the position of the
 * messages in the case as Omnidesk lists them (oldest first), never the size of a message id,
 * which a forged webhook can set to anything (2^53−1 used to make every real reply after it
 * "superseded"). Omnidesk is asked only when another reply to the same review was sent, so
 * the usual single reply costs no request.
 */
import type { Helpdesk } from '../connectors/helpdesk/types.js';
import type { ReplyOutbox, ReplyRow } from '../state/replies.js';

/**
 * True when a reply to the same review that comes later than `row` in Omnidesk's order was
 * sent (or is being sent). A reply the case does not hold in Omnidesk (forged, or deleted)
 * never supersedes one it holds, and loses to one it holds.
 */
export async function laterReplySent(
  row: ReplyRow,
  reviewKey: string,
  outbox: ReplyOutbox,
  helpdesk: Helpdesk,
): Promise<boolean> {
  const others = await outbox.sentForReview(reviewKey, row.messageId);
  if (others.length === 0) return false;
  const sameCase = others.filter((o) => o.caseId === row.caseId);
  let position: Map<number, number> | undefined;
  if (sameCase.length > 0) {
    // A message that fails its schema is left out: it counts as one the case does not hold.
    const messages = await helpdesk.listMessages(row.caseId, { onInvalid: () => {} });
    position = new Map(messages.map((m, i) => [m.messageId, i]));
  }
  const mine = position?.get(row.messageId);
  return others.some((o) => {
    if (o.caseId === row.caseId && position) {
      const theirs = position.get(o.messageId);
      if (mine !== undefined || theirs !== undefined)
        return theirs !== undefined && (mine === undefined || theirs > mine);
    }
    // Neither is in Omnidesk's list, or they are in different cases (a case opened again after its
    // deletion): the order they reached us in.
    return o.receivedAt > row.receivedAt || (o.receivedAt === row.receivedAt && o.messageId > row.messageId);
  });
}
