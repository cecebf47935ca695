/**
 * Delivers an app's outbox to Omnidesk: new reviews become cases, edits become customer
 * messages in the same case (labels updated, case reopened). Each delivery is marked
 * `sending` before its request; one found with attempts > 0 had an unknown outcome and is
 * reconciled first (case by user_custom_id, edit message by its marker), so nothing is sent twice.
 * Before creating, the channel's case of the review is looked up (CaseFinder): a case made by
 * another process or before the state was lost is adopted, never made twice. An edit of a
 * review whose case Omnidesk deleted (plan limits remove the oldest) opens a new case with the
 * whole history, saying so.
 */
import type { AppConfig, Config } from '../config/schema.js';
import type { Helpdesk, HelpdeskMessage } from '../connectors/helpdesk/types.js';
import { editMarker, renderCase, renderCatchUp, renderEdit, stars } from '../domain/case-content.js';
import type { Review } from '../domain/review.js';
import { RemoteError, errorMessage } from '../errors.js';
import { classifyChange } from '../rules/filter.js';
import { Router, type RoutingResult } from '../rules/routing.js';
import { compileRules, staleTags, tagsFor, type CompiledRule } from '../rules/tags.js';
import type { StateDb } from '../state/handle.js';
import { isStorageFault } from '../state/faults.js';
import { DeliveryOutbox, type DeliveryRow } from '../state/deliveries.js';
import { FollowUps } from '../state/follow-ups.js';
import { ReviewStore, type ReviewRow } from '../state/reviews.js';
import type { CaseFinder } from './case-finder.js';
import { planFollowUps } from './follow-ups.js';
import type { AppReport } from './report.js';

export interface DeliverDeps {
  db: StateDb;
  config: Config;
  app: AppConfig;
  helpdesk: Helpdesk;
  report: AppReport;
  credentialsMissing: boolean;
  /** Dry run: describe instead of send. */
  describeOnly?: boolean | undefined;
  /** Find before create; shared by the apps of a run. Without it, cases are looked up only after an unknown outcome. */
  finder?: CaseFinder | undefined;
  /** Clock for the follow-ups' due times (auto-reply delay). */
  now?: (() => number) | undefined;
}

/**
 * Deliveries claimed per synced commit: the claims of a batch are one disk sync, the outcomes
 * lazy commits. After a kill, at most this many are reconciled by a lookup instead of trusted.
 */
const claimBatch = 25;

export class Deliverer {
  private readonly reviews: ReviewStore;
  private readonly outbox: DeliveryOutbox;
  private readonly rules: CompiledRule[];
  private readonly router: Router;
  /** Claimed with their batch, request not yet sent. */
  private readonly unsent = new Map<number, DeliveryRow>();

  constructor(private readonly deps: DeliverDeps) {
    this.reviews = new ReviewStore(deps.db);
    this.outbox = new DeliveryOutbox(deps.db);
    this.rules = compileRules(deps.config.tagRules);
    this.router = new Router(deps.config.routing);
  }

  /** Routing of a version (no rules: no routing, today's cases exactly). */
  private route(review: Review, previous: Review | undefined): RoutingResult | undefined {
    if (this.router.empty) return undefined;
    return this.router.route({ review, app: this.deps.app, previousRating: previous?.rating });
  }

  async run(): Promise<void> {
    const { app } = this.deps;
    const appKey = `${app.store}:${app.appId}`;
    const open = await this.outbox.open(appKey);
    if (this.deps.finder && !this.deps.describeOnly) {
      const due: string[] = [];
      for (const d of open)
        if (d.kind === 'create' && (await this.reviews.resolve(d.reviewKey))?.caseId == null) due.push(d.reviewKey);
      await this.deps.finder.prepare(appKey, due);
    }
    for (let i = 0; i < open.length; i += claimBatch) {
      const batch = open.slice(i, i + claimBatch);
      if (!this.deps.describeOnly) {
        await this.outbox.claimAll(batch);
        for (const d of batch) this.unsent.set(d.id, d);
      }
      try {
        if (!(await this.deliverAll(batch))) break;
      } finally {
        // Claims of this batch whose requests never went out (waiting edits, a stop on the
        // first auth error): given back, so the next run need not reconcile them.
        const unsent = [...this.unsent.values()];
        this.unsent.clear();
        await this.outbox.releaseUnsent(unsent);
      }
    }
  }

  /** False when the run should stop (an error that fails every delivery alike). */
  private async deliverAll(batch: readonly DeliveryRow[]): Promise<boolean> {
    const { report } = this.deps;
    for (const d of batch) {
      // An edit superseded by a case created earlier in this loop needs no message.
      if (!this.deps.describeOnly && (await this.outbox.get(d.id))?.state === 'done') continue;
      try {
        if (d.kind === 'create') await this.create(d);
        else await this.edit(d);
      } catch (err) {
        report.failed++;
        const message = errorMessage(err);
        report.errors.push(`${d.reviewKey} v${d.version}: ${message}`);
        if (!this.deps.describeOnly) await this.settle(() => this.outbox.markFailed(d.id, message));
        // Wrong credentials or an exhausted limit fail every delivery alike: stop and say it once.
        if (
          err instanceof RemoteError &&
          (err.kind === 'auth' || err.kind === 'permission' || err.kind === 'rate-limited')
        )
          return false;
        if (!(err instanceof RemoteError)) throw err;
      }
    }
    return true;
  }

  /** Just before a delivery's request: its claim, taken with its batch's (or alone, outside one). */
  private async sending(d: DeliveryRow): Promise<void> {
    if (this.unsent.delete(d.id)) return;
    await this.outbox.markSending(d.id);
  }

  /**
   * Records an outcome in a lazy commit: its claim was synced before the request, so if a power
   * loss undoes this record the delivery reads as of unknown outcome and is reconciled (case by
   * its custom id, edit message by its marker), never sent twice. The run's last commits are
   * synced and make every lazy one before them durable.
   */
  private settle<T>(fn: () => Promise<T>): Promise<T> {
    return this.deps.db.transaction(fn, { durability: 'lazy' });
  }

  private async labelIds(tags: readonly string[]): Promise<number[]> {
    const ids: number[] = [];
    for (const t of tags) ids.push(await this.deps.helpdesk.labelId(t));
    return ids;
  }

  private async create(d: DeliveryRow): Promise<void> {
    const { helpdesk, report } = this.deps;
    const row = await this.reviews.resolve(d.reviewKey);
    if (!row) return;
    if (row.caseId !== null) {
      const caseId = row.caseId;
      await this.settle(async () => {
        await this.outbox.markDone(d.id, caseId);
        await this.outbox.supersedeEdits(row.reviewKey, row.latestVersion, caseId);
      });
      return;
    }
    const versions = await this.reviews.versions(row.reviewKey);
    const latest = versions[versions.length - 1];
    if (!latest) return;
    const review = latest.review;
    const previous = versions[versions.length - 2]?.review;
    const change = classifyChange(previous, review);
    const rendered = renderCase({
      review,
      app: this.deps.app,
      history: versions.slice(0, -1),
      credentialsMissing: this.deps.credentialsMissing,
      templates: this.deps.config.templates,
    });
    if (this.deps.describeOnly) {
      report.wouldSend = [...(report.wouldSend ?? []), `new case "${rendered.subject}"`];
      return;
    }
    const found = await this.deps.finder?.lookup([row.reviewKey, ...(await this.reviews.aliasesOf(row.reviewKey))]);
    if (found && (await this.adopt(d, row, found.caseId, found.userId ?? undefined))) return;
    if (d.attempts > 0) {
      // The store may have re-created the review under a new id since that attempt: the case
      // it made then carries the old key.
      let existing;
      for (const key of [row.reviewKey, ...(await this.reviews.aliasesOf(row.reviewKey))]) {
        existing = await helpdesk.findCaseByCustomId(key);
        if (existing) break;
      }
      if (existing) {
        // An earlier attempt made this case from a version we did not record: only edits up to
        // the queued one are surely shown in it; later ones still get their message.
        await this.finishCreate(d, row.reviewKey, d.version, existing.caseId, existing.userId);
        report.reconciled++;
        return;
      }
    }
    const routed = this.route(review, previous);
    const labels = await this.labelIds([
      ...new Set([...tagsFor(review, this.deps.app, change, this.rules), ...(routed?.action.labels ?? [])]),
    ]);
    // Queued before the case exists: a kill after the create cannot lose them (once per review).
    for (const f of planFollowUps({
      config: this.deps.config,
      app: this.deps.app,
      reviewKey: row.reviewKey,
      review,
      rule: routed?.rule?.name,
      now: (this.deps.now ?? Date.now)(),
    }))
      await new FollowUps(this.deps.db).queue(f, new Date().toISOString());
    await this.sending(d);
    const created = await helpdesk.createCase({
      userCustomId: row.reviewKey,
      userFullName: review.author?.trim() || 'App user',
      subject: rendered.subject,
      content: rendered.content,
      contentHtml: rendered.contentHtml,
      labelIds: labels,
      routing: routed?.action,
    });
    await this.finishCreate(d, row.reviewKey, row.latestVersion, created.caseId, created.userId);
    if (created.created) report.created++;
    else report.reconciled++;
  }

  /**
   * Takes over a case made by another process or before this state was lost: its edit markers
   * say which versions it shows, so this state numbers on from there, and when the case does
   * not show the review's current text, one message brings it up to date (posted before the
   * case is recorded: a kill in between finds the text shown next time). False when the case
   * is gone after all.
   */
  private async adopt(d: DeliveryRow, row: ReviewRow, caseId: number, userId: number | undefined): Promise<boolean> {
    const { helpdesk, report } = this.deps;
    let messages;
    try {
      messages = await helpdesk.listMessages(caseId);
    } catch (err) {
      if (!(err instanceof RemoteError && err.kind === 'not-found')) throw err;
      await this.deps.finder?.index.forget(caseId);
      return false;
    }
    const keys = [row.reviewKey, ...(await this.reviews.aliasesOf(row.reviewKey))];
    const customer = messages.filter((m) => !m.note && m.staffId === 0);
    let shown = 0;
    for (const m of customer) {
      for (const k of keys) {
        const escaped = k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        for (const match of m.content.matchAll(new RegExp(`Review ${escaped}, version (\\d+)`, 'g')))
          shown = Math.max(shown, Number(match[1]));
      }
    }
    const latest = await this.reviews.latest(row.reviewKey);
    if (!latest) return false;
    const version = latest.version + shown;
    const current = latest.review;
    if (!showsCurrent(messages, current)) {
      const message = renderCatchUp(current, row.reviewKey, version);
      await helpdesk.addCustomerMessage(caseId, userId, message.content, message.contentHtml);
      report.updated++;
    }
    // Lazy: lost to a power loss, the next run adopts the case again (the catch-up message is
    // seen in it and not posted twice).
    await this.settle(async () => {
      await this.reviews.shiftVersions(row.reviewKey, shown);
      await this.finishCreate(d, row.reviewKey, version, caseId, userId, true);
    });
    report.reconciled++;
    return true;
  }

  private async finishCreate(
    d: DeliveryRow,
    key: string,
    version: number,
    caseId: number,
    userId: number | undefined,
    adopted = false,
  ): Promise<void> {
    return this.settle(async () => {
      await this.reviews.setCase(key, caseId, userId, adopted);
      await this.outbox.markDone(d.id, caseId);
      await this.outbox.supersedeEdits(key, version, caseId);
    });
  }

  private async edit(d: DeliveryRow): Promise<void> {
    const { helpdesk, report } = this.deps;
    const row = await this.reviews.resolve(d.reviewKey);
    if (!row) return;
    if (row.caseId === null) {
      // Its case is still to be created by an earlier delivery; this edit waits for it.
      return;
    }
    const caseId = row.caseId;
    const versions = await this.reviews.versions(row.reviewKey);
    const current = versions.find((v) => v.version === d.version)?.review;
    const earlier = versions.filter((v) => v.version < d.version);
    const previous = earlier.at(-1)?.review;
    const beforePrevious = earlier.at(-2)?.review;
    if (!current || !previous) {
      await this.settle(() => this.outbox.markDone(d.id, caseId));
      return;
    }
    const message = renderEdit(previous, current, row.reviewKey, d.version);
    if (this.deps.describeOnly) {
      report.wouldSend = [
        ...(report.wouldSend ?? []),
        `edit message in case ${row.caseId} (${row.reviewKey} v${d.version})`,
      ];
      return;
    }
    // An earlier attempt may have posted it (outcome unknown), or another process following
    // the same case (a second state file) did: the case's latest customer message tells.
    const marker = editMarker(row.reviewKey, d.version);
    let messages;
    try {
      messages = await helpdesk.listMessages(row.caseId);
    } catch (err) {
      if (!(err instanceof RemoteError && err.kind === 'not-found')) throw err;
      return this.replaceRemovedCase(d, row);
    }
    if (messages.some((m) => m.content.includes(marker)) || showsCurrent(messages, current)) {
      await this.relabel(row.caseId, previous, current, beforePrevious);
      await this.settle(() => this.outbox.markDone(d.id, caseId));
      report.reconciled++;
      return;
    }
    await this.sending(d);
    let sent;
    try {
      sent = await helpdesk.addCustomerMessage(
        row.caseId,
        row.caseUserId ?? undefined,
        message.content,
        message.contentHtml,
      );
    } catch (err) {
      if (!(err instanceof RemoteError && err.kind === 'not-found')) throw err;
      return this.replaceRemovedCase(d, row);
    }
    await this.relabel(row.caseId, previous, current, beforePrevious);
    await this.settle(() => this.outbox.markDone(d.id, caseId, sent.messageId));
    report.updated++;
  }

  /**
   * The review's case is gone (Omnidesk deletes the oldest cases at the plan's limit, or an
   * agent deleted it): a new case shows the whole history and says the old one was removed.
   * Recorded at once, so the edit is not retried against the missing case forever.
   */
  private async replaceRemovedCase(d: DeliveryRow, row: ReviewRow): Promise<void> {
    const { helpdesk, report } = this.deps;
    const oldCase = row.caseId!;
    const versions = await this.reviews.versions(row.reviewKey);
    const latest = versions[versions.length - 1];
    if (!latest) return;
    const review = latest.review;
    const rendered = renderCase({
      review,
      app: this.deps.app,
      history: versions.slice(0, -1),
      credentialsMissing: this.deps.credentialsMissing,
      templates: this.deps.config.templates,
    });
    const notice = removedCaseNotice(oldCase);
    const previous = versions[versions.length - 2]?.review;
    const routed = this.route(review, previous);
    const labels = await this.labelIds([
      ...new Set([
        ...tagsFor(review, this.deps.app, classifyChange(previous, review), this.rules),
        ...(routed?.action.labels ?? []),
      ]),
    ]);
    await this.deps.finder?.index.forget(oldCase);
    // A run killed after making the new case left this edit open: that case is the one.
    const made = await helpdesk.findCaseByCustomId(row.reviewKey);
    if (made && made.caseId !== oldCase) {
      await this.finishCreate(d, row.reviewKey, row.latestVersion, made.caseId, made.userId);
      report.reconciled++;
      return;
    }
    await this.sending(d);
    const created = await helpdesk.createCase({
      userCustomId: row.reviewKey,
      userFullName: review.author?.trim() || 'App user',
      subject: rendered.subject,
      content: `${notice}\n\n${rendered.content}`,
      contentHtml: `<p><i>${notice}</i></p>${rendered.contentHtml}`,
      labelIds: labels,
      routing: routed?.action,
    });
    await this.finishCreate(d, row.reviewKey, row.latestVersion, created.caseId, created.userId);
    report.created++;
    report.warnings.push(
      `${row.reviewKey}: case #${oldCase} no longer exists in Omnidesk; the review continues in case #${created.caseId} with its whole history`,
    );
  }

  /**
   * Labels follow the review's new state. When they would not change (nothing stale, every
   * label already put on the case by the previous version's create or edit, no routing rule
   * matched) the PUT is skipped: the customer message just posted reopens the case by itself.
   */
  private async relabel(
    caseId: number,
    previous: Review,
    current: Review,
    beforePrevious: Review | undefined,
  ): Promise<void> {
    const change = classifyChange(previous, current);
    const now = tagsFor(current, this.deps.app, change, this.rules);
    const before = tagsFor(previous, this.deps.app, 'new', this.rules);
    const stale = staleTags(before, now);
    // An edit that matches a rule routes the case again; one that matches none leaves it as it is.
    const routed = this.route(current, previous);
    const matched = routed?.rule ? routed.action : undefined;
    const onCase = new Set(tagsFor(previous, this.deps.app, classifyChange(beforePrevious, previous), this.rules));
    if (!matched && stale.length === 0 && now.every((t) => onCase.has(t))) return;
    await this.deps.helpdesk.updateCase(caseId, {
      addLabels: await this.labelIds([...new Set([...now, ...(matched?.labels ?? [])])]),
      deleteLabels: stale.length ? await this.labelIds(stale) : [],
      status: 'open',
      routing: matched,
    });
  }
}

export function removedCaseNotice(oldCaseId: number): string {
  return `The earlier case #${oldCaseId} of this review no longer exists in Omnidesk (removed); this case continues it and shows the review's whole history.`;
}

/**
 * The case's latest customer message shows this version of the review: its rating (the new one
 * of an edit message, else the stars it opens with) and its text (after "Now:" in an edit).
 */
function showsCurrent(messages: readonly HelpdeskMessage[], review: Review): boolean {
  const last = messages.filter((m) => !m.note && m.staffId === 0).at(-1)?.content;
  if (last === undefined) return false;
  const rating =
    /Rating: [★☆]+ → ([★☆]+)/.exec(last)?.[1] ?? /Rating: ([★☆]+)/.exec(last)?.[1] ?? /^([★☆]+) /.exec(last)?.[1];
  const now = last.includes('\nNow:\n') ? last.slice(last.lastIndexOf('\nNow:\n')) : last;
  return (
    rating === stars(review.rating) &&
    now.includes(review.text.trim()) &&
    (!review.title || last.includes(review.title))
  );
}

/** Delivers the app's outbox; a failure (other than of the state file) is the app's error, not the run's. */
export async function deliverReported(deps: DeliverDeps): Promise<void> {
  try {
    await new Deliverer(deps).run();
  } catch (err) {
    if (isStorageFault(err)) throw err;
    deps.report.errors.push(`deliver: ${errorMessage(err)}`);
    deps.report.failed++;
  }
}
