/**
 * The demo's routing, reply-effect and report parts: the 1★ cases as the routing rule set them
 * (group, priority, label) with their draft note; the reviewer raising the rating after the
 * answer, and the note and label `sync` puts in the case; the report on what the demo did.
 */
import type { ConfigLocation } from '../../config/load.js';
import { loadConfig } from '../../config/load.js';
import { stars } from '../../domain/case-content.js';
import { demoGroups, demoRule, raiseAnsweredRating, type DemoWorld } from '../../emulators/demo.js';
import { buildReplyReport } from '../../engine/reply-report.js';
import type { Logger } from '../../log.js';
import type { StateDb } from '../../state/handle.js';
import { renderReportTable } from '../report/render.js';
import { bad, cut, ok, type Printer } from './render.js';
import { storeLabel } from './reply-loop.js';
import { runSync } from './run-sync.js';

/** A note's text without its marker line (`[ref …]`). */
function withoutMarker(text: string): string {
  return text.replace(/\n\[ref [^\]\n]*\]\s*$/, '');
}

function labelTitles(w: DemoWorld, ids: readonly number[]): string[] {
  const titles = new Map(w.omnidesk.labels().map((l) => [l.labelId, l.title]));
  return ids.map((id) => titles.get(id) ?? String(id));
}

/** The cases the routing rule decided, with their group, priority, labels and draft note; failures. */
export function showRouted(p: Printer, w: DemoWorld, channel: string): number {
  const group = demoGroups.find((g) => g.groupId === demoRule.then.groupId)!;
  p.block(
    `Routing rule "${demoRule.name}": ${demoRule.when.ratings.join(', ')}★ → group "${group.title}", priority ${demoRule.then.priority}, label "${demoRule.then.labels.join('", "')}"; its cases get a reply draft as an internal note:`,
  );
  const routed = w.omnidesk
    .cases()
    .filter((c) => c.channel === channel && c.groupId === group.groupId && c.priority === demoRule.then.priority);
  if (routed.length === 0) {
    p.block(bad('no case was routed by the rule'));
    return 1;
  }
  let failures = 0;
  for (const c of routed) {
    const draft = w.omnidesk.messages(c.caseId).find((m) => m.note && m.content.includes('[ref draft/'))?.content;
    if (!draft) failures++;
    p.block(
      [
        ok(`case #${c.caseId} ${cut(c.subject, 64)}`),
        `   group ${group.title}, priority ${c.priority}, labels ${labelTitles(w, c.labels).join(', ')}`,
        draft ? `   draft note:   ${cut(withoutMarker(draft), 100)}` : `   ${bad('no draft note')}`,
      ].join('\n'),
    );
  }
  return failures;
}

/** A reviewer answered in step 3 raises the rating; `sync` notes it in the case. */
export async function effectPart(p: Printer, w: DemoWorld, location: ConfigLocation, logger: Logger): Promise<number> {
  p.heading(6, 'The reviewer changes the rating after the answer');
  const raised = raiseAnsweredRating(w);
  const c = raised && w.omnidesk.cases().find((x) => x.userCustomId === raised.reply.reviewKey);
  if (!raised || !c) {
    p.block(bad('the review answered in step 3 has no case'));
    return 1;
  }
  const { reply } = raised;
  const store = reply.target === 'no-credentials' ? '' : `${storeLabel(reply.target)} `;
  p.block(
    `${reply.author} edits the ${store}review answered in case #${c.caseId}: ${stars(raised.from)} → ${stars(raised.to)}.`,
  );
  const sync = await runSync(location, logger);
  p.block(sync.text);
  const note = w.omnidesk
    .messages(c.caseId)
    .filter((m) => m.note && m.content.includes('[ref rating/'))
    .at(-1)?.content;
  const labels = labelTitles(w, w.omnidesk.cases().find((x) => x.caseId === c.caseId)?.labels ?? []);
  const labelled = labels.includes('rating-up-after-reply');
  p.block(
    [
      note ? ok(`note in case #${c.caseId}: ${withoutMarker(note)}`) : bad('no rating-change note in the case'),
      labelled ? ok(`labels of case #${c.caseId}: ${labels.join(', ')}`) : bad('the case has no rating label'),
    ].join('\n'),
  );
  return (note ? 0 : 1) + (labelled ? 0 : 1);
}

/** `asodesk-omni report` on the demo's state. */
export async function reportPart(p: Printer, location: ConfigLocation, db: StateDb): Promise<string> {
  p.heading(7, '`report`: what the team did with the reviews');
  const config = loadConfig(location, {});
  const report = await buildReplyReport(db, { apps: config.apps, by: 'app', now: Date.now() });
  const text = renderReportTable(report);
  p.block(text);
  return text;
}
