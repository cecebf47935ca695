/**
 * Stores whose API serves only the last N days of reviews lose the older ones for good when
 * pulls are further apart than that. `sync` and `status` warn from two days before.
 */
const dayMs = 86_400_000;

export function reviewWindowWarning(
  storeName: string,
  windowDays: number,
  lastCompletePullAt: string | null | undefined,
  now: number,
): string | undefined {
  if (!lastCompletePullAt) return undefined;
  const last = Date.parse(lastCompletePullAt);
  if (Number.isNaN(last)) return undefined;
  const age = now - last;
  if (age <= (windowDays - 2) * dayMs) return undefined;
  const days = Math.floor(age / dayMs);
  return `the last complete ${storeName} pull was ${days} days ago; the API only returns reviews of the last ${windowDays} days, so reviews older than that ${days >= windowDays ? 'may already be lost' : 'will soon be lost'}. Run sync more often (cron */5).`;
}
