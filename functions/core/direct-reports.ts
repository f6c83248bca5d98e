/**
 * Direct-report rules. HQ's response time is what the seeds measure (problems used to take weeks to
 * travel village → township → county), so it is computed once, here, in whole minutes.
 */
const MINUTE_MS = 60_000;

export function responseMinutes(createdAt: string, acknowledgedAt: string): number {
  const ms = Date.parse(acknowledgedAt) - Date.parse(createdAt);
  // A clock slightly behind the one that stamped the report must not yield a negative response time.
  return Math.max(0, Math.round(ms / MINUTE_MS));
}
