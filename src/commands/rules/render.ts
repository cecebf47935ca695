/** The terminal view of `rules test`: one line per rule, then what the case gets. */
import type { RulesTestResult } from '../../engine/rules-test.js';

export function renderRulesTest(r: RulesTestResult, ruleCount: number): string {
  const lines: string[] = [];
  const change =
    r.review.previousRating === undefined ? 'new' : `edit, ${r.review.previousRating}★ → ${r.review.rating}★`;
  lines.push(`review ${r.review.key} (app ${r.review.app}, ${r.review.rating}★, ${change})`);
  lines.push('');
  if (ruleCount === 0) lines.push('no routing rules in the config: cases get Omnidesk defaults');
  let decided = false;
  for (const v of r.rules) {
    const mark = v.matched ? (decided ? '✓ (matches, but an earlier rule decides)' : '✓ decides') : `✗ ${v.failed}`;
    if (v.matched) decided = true;
    lines.push(`  #${v.index} ${v.name}: ${mark}`);
  }
  lines.push('');
  lines.push(`group     ${r.groupId ?? '(Omnidesk default)'}`);
  lines.push(`priority  ${r.priority ?? '(Omnidesk default)'}`);
  lines.push(`staff     ${r.staffId ?? '(unassigned)'}`);
  lines.push(`labels    ${r.labels.length ? r.labels.join(', ') : '(none extra)'}`);
  lines.push(`draft     ${r.draft === null ? '(no template fits)' : r.draft.replace(/\n/g, '\n          ')}`);
  return lines.join('\n');
}
