/**
 * How Omnidesk fails: 401 = wrong API key, 403 = the e-mail is not a staff account (or, before
 * the 2024 per-minute scheme, "rate limit exceeded"), 404 `{"error":"case_not_found"}`,
 * 429 with `retry_after`. Messages name what to fix and never quote credentials.
 */
import { RemoteError } from '../../../errors.js';
import type { ErrorDescription } from '../../http/client.js';
import type { HeaderBag } from '../../http/rate-limit.js';
import { errorBodySchema } from './schema.js';

export function describeOmniError(staffEmail: string) {
  return (status: number, body: unknown, _headers: HeaderBag): ErrorDescription => {
    const parsed = errorBodySchema.safeParse(body);
    const eb = parsed.success ? parsed.data : {};
    const code = eb.error;
    const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
    const detail =
      eb.message ?? eb.error ?? (typeof body === 'string' && body.length > 0 && body.length < 200 ? body : undefined);
    if (status === 401) {
      return {
        kind: 'auth',
        code,
        message: 'the API key is wrong or was deleted (Omnidesk → Settings → API)',
        hint: 'Copy the key from Settings → API in Omnidesk into omnidesk.apiKey or ASODESK_OMNI_OMNIDESK_API_KEY.',
      };
    }
    if (status === 403) {
      if (/rate limit exceeded/i.test(text))
        return { kind: 'rate-limited', code: code ?? 'rate_limit_exceeded', message: 'API rate limit exceeded' };
      return {
        kind: 'auth',
        code,
        message: `${staffEmail} is not a staff account of this Omnidesk (or it is blocked)`,
        hint: 'omnidesk.staffEmail must be the e-mail of an active staff member, the one the API key belongs to.',
      };
    }
    if (status === 429) {
      return {
        kind: 'rate-limited',
        code,
        message: 'per-minute API limit reached',
        retryAfterMs: eb.retry_after === undefined ? undefined : eb.retry_after * 1000,
      };
    }
    if (status === 404)
      return { kind: 'not-found', code, message: code === 'case_not_found' ? 'case not found' : detail };
    // Routing names a group or staff member the account does not have (or no longer has).
    if (code === 'group_not_found' || code === 'staff_not_found') {
      const what = code === 'group_not_found' ? 'group' : 'staff member';
      return {
        code,
        message: `Omnidesk has no ${what} with that id (${code}): fix the ${code === 'group_not_found' ? 'groupId' : 'staffId'} of the routing rule (see \`asodesk-omni rules test\`)`,
      };
    }
    return { code, message: detail };
  };
}

/**
 * A write whose effect we cannot know: the connection dropped, the request timed out, the
 * server failed (5xx) or answered something unreadable. The caller must look before resending.
 */
export function outcomeUnknown(err: unknown): err is RemoteError {
  if (!(err instanceof RemoteError)) return false;
  if (err.kind === 'transient') return err.code !== 'NOT_SENT';
  return err.kind === 'bad-payload' && err.status !== undefined && err.status < 300;
}
