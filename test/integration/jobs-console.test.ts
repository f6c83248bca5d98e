import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as scheduled } from '../../functions/api/scheduled.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';
import { type PageClient, signInPages } from '../support/pages.ts';

/**
 * The jobs page (定时任务): a job started with 立即运行 runs in the background through the
 * asynchronous invoke port (locally: in-process, after the request), is recorded in the run ledger
 * as a console run of the person who pressed the button, and shows on the page while it runs.
 * POST /jobs/{name} (run and wait) is tested in jobs.test.ts and stays as it was.
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

async function runOf(job: string, runKey: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = await api.get(`/jobs/${job}/runs?limit=20`);
    expect(runs.status).toBe(200);
    const run = (runs.body.items as Array<{ runKey: string; status: string }>).find(
      (r) => r.runKey === runKey,
    );
    if ((run && run.status !== 'running') || Date.now() > deadline)
      return run as Record<string, unknown> | undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('立即运行', () => {
  it('starts the run in the background and it finishes there, as a console run of the person', async () => {
    const res = await hq.post('/app/admin/jobs/daily-sweep/run', { _key: 'job-start-key-1' });
    expect(res.status).toBe(303);
    const started = new URL(res.location!, t.url).searchParams.get('started')!;
    const runKey = started.slice('daily-sweep.'.length);
    expect(runKey).toMatch(/^\d{4}-\d\d-\d\dT.*-console-/);
    const page = await hq.get(res.location!);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-job-pending|data-just-started/);
    const run = await runOf('daily-sweep', runKey);
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'console', requestedBy: 'hq-admin' });
    const after = await hq.get(res.location!);
    expect(after.text).toContain('data-just-started');
    expect(after.text).not.toContain('http-equiv="refresh"');
    const audit = await api.get('/audit?entityType=job&entityId=daily-sweep');
    expect(audit.body.items[0]).toMatchObject({
      action: 'start',
      actor: 'hq-admin',
      changes: { runKey, trigger: 'console' },
    });
  });

  it('shows a requested run as starting until it is in the ledger, refreshing itself (no #fragment, so it reloads)', async () => {
    const runKey = `${new Date().toISOString()}-console-notyet01`;
    const started = encodeURIComponent(`daily-sweep.${runKey}`);
    const page = await hq.get(`/app/admin/jobs?started=${started}`);
    expect(page.text).toContain('data-job-pending');
    expect(page.text).toContain(
      `<meta http-equiv="refresh" content="3; url=/app/admin/jobs?started&#x3D;${started}">`,
    );
    const old = encodeURIComponent(
      `daily-sweep.${new Date(Date.now() - 10 * 60_000).toISOString()}-console-lost0001`,
    );
    const late = await hq.get(`/app/admin/jobs?started=${old}`);
    expect(late.text).toContain('请求的运行没有开始');
    expect(late.text).not.toContain('http-equiv="refresh"');
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
    const runKey = new URL(first.location!, t.url).searchParams.get('started')!.slice('daily-sweep.'.length);
    await runOf('daily-sweep', runKey);
    const starts = await api.get('/audit?entityType=job&entityId=daily-sweep&limit=100');
    const mine = (starts.body.items as Array<{ action: string; changes: { runKey?: string } }>).filter(
      (a) => a.action === 'start' && a.changes.runKey === runKey,
    );
    expect(mine).toHaveLength(1);
  });
});

describe('the scheduled-jobs function', () => {
  it('runs a console event under the run key it was given, once even when delivered twice', async () => {
    const runKey = `${new Date().toISOString()}-console-test0001`;
    const event = { job: 'daily-sweep', trigger: 'console' as const, requestedBy: 'hq-admin', runKey };
    const [a, b] = [await scheduled(event), await scheduled(event)];
    expect(a).toMatchObject({ ran: true, runKey, status: 'succeeded' });
    expect(b).toMatchObject({ ran: false, runKey, status: 'succeeded' });
  });

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
