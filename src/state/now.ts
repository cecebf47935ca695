/** The time stamps the state writes, ISO 8601 in UTC (both backends compare them as text). */
export function nowIso(): string {
  return new Date().toISOString();
}
