import { afterAll, beforeAll, expect, it } from 'vitest';
import { JOBS } from '../../functions/jobs/registry.ts';
import { waitForRun } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';

/**
 * The local stack runs background work under Lambda's time limit (15 minutes; shortened here): a job
 * still running at the limit is cut and its run recorded failed, never left `running`. A stack of its
 * own, because the time limit is the stack's.
 */
let t: TestStack;
let admin: Caller;

beforeAll(async () => {
  t = await startTestStack({ backgroundTimeoutMs: 1_500 });
  admin = await t.as('admin');
});

afterAll(() => t?.stop());

it('cuts a run started by POST /jobs/{name} at the time limit and records it failed', async () => {
  const original = JOBS['daily-sweep'].run;
  JOBS['daily-sweep'].run = () => new Promise(() => {}); // never ends
  try {
    const res = await admin.post('/jobs/daily-sweep');
    expect(res.status).toBe(202);
    const run = await waitForRun(admin.get, res.body.runId, undefined, 10_000);
    expect(run).toMatchObject({ status: 'failed', attempts: 1 });
    expect(run.errors[0]).toContain('timed out');
    // Cut before the limit, with time left to record it.
    expect(Date.parse(run.finishedAt) - Date.parse(run.startedAt)).toBeLessThan(1_500);
  } finally {
    JOBS['daily-sweep'].run = original;
  }
});
