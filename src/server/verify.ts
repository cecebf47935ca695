/**
 * Omnidesk signs nothing, so the webhook is authenticated by a random secret in its URL.
 * Both sides are hashed first: timingSafeEqual needs equal lengths, and comparing digests
 * leaks neither the secret's content nor its length through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const webhookPrefix = '/omnidesk/webhook';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function secretMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined || given === '' || expected === '') return false;
  return timingSafeEqual(digest(given), digest(expected));
}

export interface WebhookTarget {
  /** The secret as given in the path (`/omnidesk/webhook/<secret>`) or the `secret` query. */
  secret: string | undefined;
}

/** Undefined when the path is not the webhook route at all. */
export function matchWebhookPath(url: URL): WebhookTarget | undefined {
  const path = url.pathname.replace(/\/+$/, '');
  if (path === webhookPrefix) return { secret: url.searchParams.get('secret') ?? undefined };
  if (!path.startsWith(`${webhookPrefix}/`)) return undefined;
  const rest = path.slice(webhookPrefix.length + 1);
  if (rest.includes('/')) return undefined;
  try {
    return { secret: decodeURIComponent(rest) };
  } catch {
    return { secret: undefined };
  }
}

/** The request target as logged: any secret (right or wrong) replaced by `***`. */
export function maskedTarget(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = q < 0 ? '' : rawUrl.slice(q + 1);
  const maskedPath = path.startsWith(`${webhookPrefix}/`) ? `${webhookPrefix}/***` : path;
  if (!query) return maskedPath;
  const maskedQuery = query
    .split('&')
    .map((pair) => (/^secret(=|$)/i.test(pair) ? 'secret=***' : pair))
    .join('&');
  return `${maskedPath}?${maskedQuery}`;
}
