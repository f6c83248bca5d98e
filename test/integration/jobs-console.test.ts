import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as scheduled } from '../../functions/api/scheduled.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { JOBS } from '../../functions/jobs/registry.ts';
import { waitForRun } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';
import { type PageClient, signInPages } from '../support/pages.ts';

/**
 * The jobs page (定时任务): 立即运行 goes through POST /jobs/{name} in-process (the API's one way to
 * start a run), so the job runs in the background through the asynchronous invoke port (locally:
 * in-process, after the request), is recorded in the run ledger as the person's run, and the page
 * follows that run by its runId while it is queued or running. The API side is jobs.test.ts.
 */
let t: TestStack;
let api: Caller;
let hq: PageClient;

beforeAll(async () => {
  t = await startTestStack();
  api = await t.as('admin', 'api-admin');
  hq = await signInPages(t.url, 'hq-admin', 'admin');
});

afterAll(() => t?.stop());

const runIdOf = (location: string) => new URL(location, t.url).searchParams.get('started')!;

describe('立即运行', () => {
  it('starts the run through POST /jobs/{name} and it finishes in the background, as the person’s run', async () => {
    const res = await hq.post('/app/admin/jobs/daily-sweep/run', { _key: 'job-start-key-1' });
    expect(res.status).toBe(303);
    const runId = runIdOf(res.location!);
    expect(runId).toMatch(/^daily-sweep\.\d{4}-\d\d-\d\dT.*-api-/);
    const runKey = runId.slice('daily-sweep.'.length);
    const page = await hq.get(res.location!);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-job-pending|data-just-started/);
    const run = await waitForRun(api.get, runId);
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'api', requestedBy: 'hq-admin' });
    const after = await hq.get(res.location!);
    expect(after.text).toContain('data-just-started');
    expect(after.text).toContain('data-started-status="green"');
    expect(after.text).not.toContain('http-equiv="refresh"');
    const audit = await api.get('/audit?entityType=job&entityId=daily-sweep');
    expect(audit.body.items[0]).toMatchObject({
      action: 'start',
      actor: 'hq-admin',
      changes: { runKey, trigger: 'api' },
    });
  });

  it('shows the started run by its runId while it runs, refreshing itself (no #fragment, so it reloads)', async () => {
    const original = JOBS['daily-sweep'].run;
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    JOBS['daily-sweep'].run = async () => {
      await released;
      return {};
    };
    try {
      const res = await hq.post('/app/admin/jobs/daily-sweep/run', { _key: 'job-start-key-3' });
      const runId = runIdOf(res.location!);
      await waitForRun(api.get, runId, (s) => s.status === 'running');
      const page = await hq.get(res.location!);
      expect(page.text).toContain('data-started-status="yellow"');
      expect(page.text).toContain(
        `<meta http-equiv="refresh" content="3; url=/app/admin/jobs?started&#x3D;${encodeURIComponent(runId)}">`,
      );
      release();
      await waitForRun(api.get, runId);
    } finally {
      JOBS['daily-sweep'].run = original;
    }
    const unknown = encodeURIComponent(`daily-sweep.${new Date().toISOString()}-api-notthere01`);
    const missing = await hq.get(`/app/admin/jobs?started=${unknown}`);
    expect(missing.status).toBe(200);
    expect(missing.text).toContain('没有找到这次运行');
    expect(missing.text).not.toContain('http-equiv="refresh"');
  });

  it('shows a run that failed with what failed', async () => {
    const original = JOBS['daily-sweep'].run;
    JOBS['daily-sweep'].run = async () => ({ emails: { sent: 0, failed: 2 } });
    let location: string;
    try {
      location = (await hq.post('/app/admin/jobs/daily-sweep/run', { _key: 'job-start-key-4' })).location!;
      await waitForRun(api.get, runIdOf(location));
    } finally {
      JOBS['daily-sweep'].run = original;
    }
    const page = await hq.get(location);
    expect(page.text).toContain('data-started-status="red"');
    expect(page.text).toContain('2 项未完成');
    expect(page.text).toContain('emails: 2');
  });

  it('shows each job with its next run and refuses a week the job does not take', async () => {
    const page = await hq.get('/app/admin/jobs');
    expect(page.text).toContain('下次自动运行');
    expect(page.text).toContain('立即运行');
    const res = await hq.post('/app/admin/jobs/weekly-bulletin/run', {
      // Two weeks ahead: inside the accepted date window, but not begun.
      week: isoWeekOf(addDays(beijingDate(new Date()), 14)),
      _key: 'job-week-key-1',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('不能考评尚未开始的周');
    const sweep = await hq.post('/app/admin/jobs/daily-sweep/run', {
      week: '2026-W01',
      _key: 'job-week-key-2',
    });
    expect(sweep.status).toBe(400);
    expect(sweep.text).toContain('不按周运行');
  });

  it('answers a repeated button press (same form key) with the same run, started once', async () => {
    const first = await hq.post('/app/admin/jobs/daily-sweep/run', { _key: 'job-start-key-2' });
    const second = await hq.post('/app/admin/jobs/daily-sweep/run', { _key: 'job-start-key-2' });
    expect(second.location).toBe(first.location);
    const runId = runIdOf(first.location!);
    const runKey = runId.slice('daily-sweep.'.length);
    await waitForRun(api.get, runId);
    const starts = await api.get('/audit?entityType=job&entityId=daily-sweep&limit=100');
    const mine = (starts.body.items as Array<{ action: string; changes: { runKey?: string } }>).filter(
      (a) => a.action === 'start' && a.changes.runKey === runKey,
    );
    expect(mine).toHaveLength(1);
  });
});

describe('the scheduled-jobs function', () => {
  // `console`: events the jobs page sent before it started runs through POST /jobs/{name}.
  it.each(['api', 'console'] as const)(
    'runs an %s event under the run key it was given, once even when delivered twice',
    async (trigger) => {
      const runKey = `${new Date().toISOString()}-${trigger}-test0001`;
      const event = { job: 'daily-sweep', trigger, requestedBy: 'hq-admin', runKey };
      const [a, b] = [await scheduled(event), await scheduled(event)];
      expect(a).toMatchObject({ ran: true, runKey, status: 'succeeded' });
      expect(b).toMatchObject({ ran: false, runKey, status: 'succeeded' });
    },
  );

  it('keeps the schedule event contract: a run keyed by its scheduled time', async () => {
    const scheduledTime = '2026-11-24T23:00:00Z';
    const result = await scheduled({ job: 'daily-sweep', scheduledTime });
    expect(result).toMatchObject({ ran: true, runKey: '2026-11-24T23:00:00.000Z', status: 'succeeded' });
  });

  it('drops a console event without a run key instead of running it', async () => {
    expect(await scheduled({ job: 'daily-sweep', trigger: 'console', requestedBy: 'x' })).toMatchObject({
      ran: false,
      status: 'invalid',
    });
  });
});
