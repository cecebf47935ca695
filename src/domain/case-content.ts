/**
 * What a review looks like in Omnidesk: subject, plain and HTML body with the review's
 * history, and the message added when the customer edits the review. Templates from the
 * config may replace the subject and the body; placeholders are `{{name}}`.
 */
import type { AppConfig } from '../config/schema.js';
import { type Review } from './review.js';
import { storeDescriptor, storeNames } from '../connectors/stores/registry.js';

export interface HistoryEntry {
  version: number;
  seenAt: string;
  review: Review;
}

export interface CaseContext {
  review: Review;
  app: AppConfig;
  /** Earlier versions, oldest first (not including `review`). */
  history: HistoryEntry[];
  /** Replies need store credentials that are not set. */
  credentialsMissing: boolean;
  templates?: { subject?: string | undefined; body?: string | undefined } | undefined;
}

export function stars(rating: number): string {
  const r = Math.max(0, Math.min(5, Math.round(rating)));
  return '★'.repeat(r) + '☆'.repeat(5 - r);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function consoleLink(r: Pick<Review, 'store' | 'appId' | 'reviewId'>): string {
  return storeDescriptor(r.store).consoleLink(r);
}

type PlaceholderName =
  | 'stars'
  | 'rating'
  | 'store'
  | 'app'
  | 'title'
  | 'text'
  | 'author'
  | 'date'
  | 'country'
  | 'language'
  | 'version'
  | 'device'
  | 'thumbsUp'
  | 'thumbsDown'
  | 'link'
  | 'reviewId';
type Placeholders = Record<PlaceholderName, string>;

function placeholders(ctx: CaseContext): Placeholders {
  const r = ctx.review;
  return {
    stars: stars(r.rating),
    rating: String(r.rating),
    store: storeNames[r.store],
    app: ctx.app.name ?? ctx.app.id,
    title: r.title ?? '',
    text: r.text,
    author: r.author ?? '',
    date: r.createdAt,
    country: r.territory ?? '',
    language: r.language ?? '',
    version: r.appVersion ?? '',
    device: r.device ?? '',
    thumbsUp: r.thumbsUp === undefined ? '' : String(r.thumbsUp),
    thumbsDown: r.thumbsDown === undefined ? '' : String(r.thumbsDown),
    link: consoleLink(r),
    reviewId: r.reviewId,
  };
}

function fill(template: string, values: Placeholders): string {
  return template.replace(
    /\{\{\s*(\w+)\s*\}\}/g,
    (_m, name: string) => (values as Record<string, string | undefined>)[name] ?? '',
  );
}

function firstWords(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export function caseSubject(ctx: CaseContext): string {
  const v = placeholders(ctx);
  if (ctx.templates?.subject) return fill(ctx.templates.subject, v);
  const about = ctx.review.title?.trim() || firstWords(ctx.review.text) || '(no text)';
  return `${v.stars} ${v.store} · ${v.app}: ${about}`;
}

function detailLines(r: Review): string[] {
  const lines: string[] = [];
  if (r.author) lines.push(`Author: ${r.author}`);
  lines.push(`Date: ${r.createdAt}${r.updatedAt && r.updatedAt !== r.createdAt ? ` (edited ${r.updatedAt})` : ''}`);
  if (r.territory) lines.push(`Country: ${r.territory}`);
  if (r.language) lines.push(`Language: ${r.language}`);
  if (r.appVersion) lines.push(`App version: ${r.appVersion}`);
  const os = storeDescriptor(r.store).deviceOs ?? 'OS';
  if (r.device) lines.push(`Device: ${r.device}${r.osVersion ? `, ${os} ${r.osVersion}` : ''}`);
  if (r.thumbsUp !== undefined || r.thumbsDown !== undefined)
    lines.push(`Helpful: 👍 ${r.thumbsUp ?? 0} · 👎 ${r.thumbsDown ?? 0}`);
  return lines;
}

export interface RenderedCase {
  subject: string;
  content: string;
  contentHtml: string;
}

export function renderCase(ctx: CaseContext): RenderedCase {
  const r = ctx.review;
  const v = placeholders(ctx);
  const subject = caseSubject(ctx);
  if (ctx.templates?.body) {
    const content = fill(ctx.templates.body, v);
    return { subject, content, contentHtml: `<p>${escapeHtml(content).replace(/\n/g, '<br>')}</p>` };
  }
  const text: string[] = [`${v.stars} ${v.store} review of ${v.app}`, ''];
  const html: string[] = [`<p><b>${v.stars}</b> ${escapeHtml(v.store)} review of <b>${escapeHtml(v.app)}</b></p>`];
  if (r.title) {
    text.push(r.title);
    html.push(`<p><b>${escapeHtml(r.title)}</b></p>`);
  }
  text.push(r.text, '');
  html.push(`<p>${escapeHtml(r.text).replace(/\n/g, '<br>')}</p>`);
  if (r.translation) {
    text.push(`Translation (${r.translation.language}): ${r.translation.text}`, '');
    html.push(`<p><i>Translation (${escapeHtml(r.translation.language)}):</i> ${escapeHtml(r.translation.text)}</p>`);
  }
  const details = detailLines(r);
  text.push(...details);
  html.push(`<p>${details.map(escapeHtml).join('<br>')}</p>`);

  const history = historyLines(ctx);
  if (history.length > 0) {
    text.push('', 'History:', ...history.map((h) => `- ${h}`));
    html.push(`<p><b>History</b></p><ul>${history.map((h) => `<li>${escapeHtml(h)}</li>`).join('')}</ul>`);
  }
  if (r.developerAnswer) {
    const a = r.developerAnswer;
    text.push('', `Current developer answer${a.state ? ` (${a.state})` : ''}: ${a.text}`);
    html.push(
      `<p><b>Current developer answer${a.state ? ` (${escapeHtml(a.state)})` : ''}:</b> ${escapeHtml(a.text)}</p>`,
    );
  }
  if (ctx.credentialsMissing) {
    const note = `Replies to this review cannot be published yet: the ${v.store} credentials are not set. Add them with \`asodesk-omni init\` (step "Store credentials").`;
    text.push('', note);
    html.push(`<p><i>${escapeHtml(note)}</i></p>`);
  }
  text.push('', `Open in the store console: ${v.link}`);
  html.push(`<p><a href="${escapeHtml(v.link)}">Open in the store console</a></p>`);
  return { subject, content: text.join('\n'), contentHtml: html.join('\n') };
}

function historyLines(ctx: CaseContext): string[] {
  const lines: string[] = [];
  let lastAnswer: string | undefined;
  for (const h of ctx.history) {
    const r = h.review;
    lines.push(
      `Version ${h.version} (${r.updatedAt ?? r.createdAt}): ${stars(r.rating)}${r.title ? ` "${r.title}"` : ''} ${r.text}`,
    );
    if (r.developerAnswer && r.developerAnswer.text !== lastAnswer) {
      lines.push(`Developer answer then: ${r.developerAnswer.text}`);
      lastAnswer = r.developerAnswer.text;
    }
  }
  return lines;
}

/** The marker that identifies an edit message, so a retry can see it was already posted. */
export function editMarker(reviewKey: string, version: number): string {
  return `Review ${reviewKey}, version ${version}`;
}

export function renderEdit(
  previous: Review,
  current: Review,
  reviewKey: string,
  version: number,
): { content: string; contentHtml: string } {
  const lines = ['The customer edited the review.'];
  if (previous.rating !== current.rating) lines.push(`Rating: ${stars(previous.rating)} → ${stars(current.rating)}`);
  else lines.push(`Rating: ${stars(current.rating)} (unchanged)`);
  if ((previous.title ?? '') !== (current.title ?? ''))
    lines.push(`Title: "${previous.title ?? ''}" → "${current.title ?? ''}"`);
  if (previous.text !== current.text) lines.push('', 'Before:', previous.text, '', 'Now:', current.text);
  else lines.push('', current.text);
  lines.push('', editMarker(reviewKey, version));
  const content = lines.join('\n');
  return { content, contentHtml: `<p>${escapeHtml(content).replace(/\n/g, '<br>')}</p>` };
}

/**
 * The review as it is now, for a case found in Omnidesk (made before the state was lost, or by
 * another process) that does not show it yet: what it showed before is not known here.
 */
export function renderCatchUp(
  current: Review,
  reviewKey: string,
  version: number,
): { content: string; contentHtml: string } {
  const lines = [
    'The review as it is now (it changed while asodesk-omni was not following this case):',
    `Rating: ${stars(current.rating)}`,
  ];
  if (current.title) lines.push(`Title: "${current.title}"`);
  lines.push('', current.text, '', editMarker(reviewKey, version));
  const content = lines.join('\n');
  return { content, contentHtml: `<p>${escapeHtml(content).replace(/\n/g, '<br>')}</p>` };
}
