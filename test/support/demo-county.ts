import { expect } from 'vitest';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { runDemoJobs, seedDemo } from '../../infra/local/seed-demo-data.ts';
import type { Caller, TestStack } from './local-stack.ts';

/**
 * The demo county as `npm start -- --demo` loads it: the activity through the public API, then the
 * jobs the schedules would have run (eight weekly bulletins in order, the late record and W-1's
 * revision, the daily sweep, the follow-up and talks).
 */
export async function loadDemoCounty(t: TestStack): Promise<Record<string, string>> {
  const summary = await seedDemo({ url: t.url });
  expect(summary.activity).toBe('seeded');
  const jobs = await runDemoJobs({ url: t.url });
  const failed = Object.entries(jobs).filter(
    ([job, status]) => /^(weekly|daily)/.test(job) && status !== 'succeeded',
  );
  expect(failed).toEqual([]);
  return jobs;
}

/** The latest finished ISO week and the current one, Beijing time. */
export function demoWeeks(now = new Date()): { latest: string; current: string } {
  const today = beijingDate(now);
  return { latest: isoWeekOf(addDays(today, -7)), current: isoWeekOf(today) };
}

/** Every item of a paged list. */
export async function listAll(caller: Caller, path: string): Promise<any[]> {
  const items: any[] = [];
  let next: string | undefined;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await caller.get(`${path}${sep}limit=100${next ? `&next=${encodeURIComponent(next)}` : ''}`);
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
    items.push(...res.body.items);
    next = res.body.next;
  } while (next);
  return items;
}
