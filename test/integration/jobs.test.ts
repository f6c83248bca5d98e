import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimJobRun, finishJobRun, queueJobRun } from '../../functions/adapters/dynamo/job-runs.ts';
import { resetMailConfig } from '../../functions/adapters/mail/config.ts';
import { handler as scheduled } from '../../functions/api/scheduled.ts';
import { addDays, beijingDate, isoWeekOf, isoWeekRange } from '../../functions/core/time.ts';
import { JOBS, type JobDefinition, runJob } from '../../functions/jobs/registry.ts';
import { runJobNow, waitForRun } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { startSmtp, type TestSmtp } from '../support/mail.ts';

/**
 * The jobs run by hand (POST /jobs/{name}: queued, answered 202 at once, run in the background by the
 * jobs function through the asynchronous invoke port, followed with GET /jobs/runs/{runId}) and by a
 * schedule event, end to end on the local stack.
 */
let smtp: TestSmtp;
let t: TestStack;
let admin: Caller;
let inspector: Caller;
const tid = uid('T');
const vid = uid('V');
const cid = uid('C');
const cadreMail = `${cid}@example.cn`.toLowerCase();
const today = beijingDate(new Date());

beforeAll(async () => {
  smtp = await startSmtp();
  process.env.SMTP_URL = smtp.url;
  delete process.env.MAIL_TRANSPORT;
  resetMailConfig();
  t = await startTestStack();
  admin = await t.as('admin');
  // Today's behaviour as before talks were decisions: the county setting "approval needed" off, so
  // the weekly job approves and sends the talk notices at once (talks themselves: talks.test.ts).
  expect(
    (
      await admin.send(
        'PUT',
        '/settings/talks',
        JSON.stringify({ approvalRequired: false, holdWithinDays: 7 }),
        {
          'content-type': 'application/json',
        },
      )
    ).status,
  ).toBe(200);
  inspector = await t.as('inspector');
  expect((await admin.post('/townships', { id: tid, name: '桶井乡' })).status).toBe(201);
  expect(
    (await admin.post('/villages', { id: vid, name: '郑家村', townshipId: tid, category: 'deep' })).status,
  ).toBe(201);
  expect(
    (
      await admin.post('/cadres', {
        id: cid,
        name: '杨强',
        unit: '县教育局',
        rank: '科级',
        townshipId: tid,
        email: cadreMail,
      })
    ).status,
  ).toBe(201);
  expect((await admin.post('/assignments', { cadreId: cid, villageId: vid, role: 'member' })).status).toBe(
    201,
  );
});

afterAll(async () => {
  await t?.stop();
  await smtp?.close();
  delete process.env.SMTP_URL;
  resetMailConfig();
});

describe('POST /jobs/{name}: refusals', () => {
  it.each([
    ['an unknown job', '/jobs/nightly', {}, 404, undefined],
    ['a week for the daily sweep', '/jobs/daily-sweep', { week: '2026-W01' }, 400, 'NOT_ALLOWED'],
    ['a malformed week', '/jobs/weekly-bulletin', { week: '2026-47' }, 400, 'INVALID_FORMAT'],
    ['a week that does not exist', '/jobs/weekly-bulletin', { week: '2025-W53' }, 400, 'INVALID_WEEK'],
    [
      'a week not yet begun',
      '/jobs/weekly-bulletin',
      { week: isoWeekOf(addDays(today, 14)) },
      400,
      'FUTURE_WEEK',
    ],
    ['a week past the date window', '/jobs/weekly-bulletin', { week: '2099-W01' }, 400, 'DATE_OUT_OF_RANGE'],
    ['an unknown field', '/jobs/weekly-bulletin', { weeks: '2026-W01' }, 400, 'UNKNOWN_FIELD'],
  ])('refuses %s', async (_what, path, body, status, code) => {
    const res = await admin.post(path, body);
    expect(res.status).toBe(status);
    if (code) expect(res.body.error.fields.map((f: { code: string }) => f.code)).toContain(code);
  });

  it.each(['inspector', 'cadre'] as const)('is for admins only (%s: 403)', async (role) => {
    const caller = await t.as(role);
    expect((await caller.post('/jobs/daily-sweep')).status).toBe(403);
    expect((await caller.get('/jobs')).status).toBe(403);
  });

  it('lists the jobs with their Beijing-time schedules', async () => {
    const res = await admin.get('/jobs');
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((j: { name: string; schedule: { cron: string; timeZone: string } }) => [
        j.name,
        j.schedule.cron,
        j.schedule.timeZone,
      ]),
    ).toEqual([
      ['weekly-bulletin', 'cron(0 8 ? * MON *)', 'Asia/Shanghai'],
      ['daily-sweep', 'cron(0 7 ? * * *)', 'Asia/Shanghai'],
    ]);
  });
});

describe('the daily sweep', () => {
  let problemId: string;

  beforeAll(async () => {
    // Found a month ago with the default deadline (minor: 14 days): overdue now.
    const res = await inspector.post('/inspections', {
      villageId: vid,
      date: addDays(today, -30),
      mode: 'open',
      findings: [
        {
          cadreId: cid,
          present: true,
          commend: false,
          problems: [
            { description: '水窖未清淤', severity: 'minor' },
            { description: '台账不全', severity: 'minor' },
          ],
        },
      ],
    });
    expect(res.status).toBe(201);
    [problemId] = res.body.problemIds;
    // A rectification the inspector rejects: the cadre must hear back.
    const cadre = await t.as('cadre', cid);
    expect(
      (await cadre.post(`/problems/${res.body.problemIds[1]}/rectifications`, { note: '已补齐' })).status,
    ).toBe(201);
    expect(
      (
        await inspector.post(`/problems/${res.body.problemIds[1]}/verifications`, {
          outcome: 'rejected',
          note: '未补齐',
        })
      ).status,
    ).toBe(201);
  });

  it('reminds the cadre of an overdue rectification and a rejected one once, however often it runs that day', async () => {
    const first = await runJobNow(admin, 'daily-sweep');
    expect(first).toMatchObject({ name: 'daily-sweep', status: 'succeeded', trigger: 'api', failures: 0 });
    expect(first.counts).toMatchObject({ 'emails.sent': 1, 'emails.failed': 0, 'notifications.created': 2 });
    expect(first.summary).toMatchObject({
      date: today,
      // The rejected one is open again and past its date too.
      overdueRectifications: 2,
      rejectedRectifications: 1,
      // The rejection was told at once by the verification (docs/news.md): the sweep finds it told.
      notifications: { created: 2, existing: 0 },
      emails: { sent: 1, failed: 0 },
      newsEmails: { failed: 0 },
    });
    const again = await runJobNow(admin, 'daily-sweep');
    expect(again.summary).toMatchObject({
      notifications: { created: 0, existing: 2 },
      emails: { sent: 0, alreadySent: 1 },
      newsEmails: { sent: 0, failed: 0 },
    });

    const mails = smtp.to(cadreMail);
    const digests = mails.filter((m) => m.subject.includes('包村工作提醒'));
    expect(digests).toHaveLength(1);
    expect(digests[0]!.text).toContain('水窖未清淤');
    // The rejection went once, at once, on its own; the digest does not repeat it.
    expect(digests[0]!.text).not.toContain('经复核未通过');
    expect(mails.filter((m) => m.text.includes('经复核未通过'))).toHaveLength(1);

    const page = await (await t.as('cadre', cid)).get(`/cadres/${cid}/notifications`);
    expect(page.body.items.map((n: { kind: string }) => n.kind).sort()).toEqual([
      'new_problem',
      'overdue_rectification',
      'overdue_rectification',
      'rectification_rejected',
    ]);
    const overdue = page.body.items.find(
      (n: { kind: string; problemIds: string[] }) =>
        n.kind === 'overdue_rectification' && n.problemIds[0] === problemId,
    );
    expect(overdue).toMatchObject({ problemIds: [problemId], deadline: addDays(today, -16) });

    const runs = await admin.get('/jobs/daily-sweep/runs');
    expect(runs.body.items).toHaveLength(2);
  });

  it('runs a schedule event once per scheduled time, however often Scheduler delivers it', async () => {
    const event = { job: 'daily-sweep', scheduledTime: '2026-11-23T23:00:00Z' };
    const first = await scheduled(event);
    const second = await scheduled(event);
    expect(first).toMatchObject({ ran: true, status: 'succeeded', runKey: '2026-11-23T23:00:00.000Z' });
    expect(second).toMatchObject({ ran: false, status: 'succeeded', runKey: '2026-11-23T23:00:00.000Z' });
    await expect(scheduled({ job: 'nope' })).rejects.toThrow(/unknown job/);
  });
});

describe('the job-run ledger', () => {
  it('lets one attempt run a scheduled time, again only after a failure or a lease that ran out', async () => {
    const base = {
      job: 'daily-sweep',
      runKey: `2026-01-01T23:00:00.000Z-${uid('k')}`,
      trigger: 'schedule' as const,
    };
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes)).toISOString();
    const lease = 20 * 60_000;
    const first = await claimJobRun({ ...base, startedAt: at(0) }, lease);
    expect(first).toMatchObject({ claimed: true, run: { attempts: 1, status: 'running' } });
    expect(await claimJobRun({ ...base, startedAt: at(5) }, lease)).toMatchObject({ claimed: false });
    // The first attempt's process died: past the lease, the run is claimed again.
    const second = await claimJobRun({ ...base, startedAt: at(30) }, lease);
    expect(second).toMatchObject({ claimed: true, run: { attempts: 2 } });
    // The dead attempt cannot record an end over the live one.
    await expect(finishJobRun(first.run, { status: 'succeeded', at: new Date() })).rejects.toThrow();
    await finishJobRun(second.run, { status: 'failed', at: new Date(), error: 'boom' });
    const third = await claimJobRun({ ...base, startedAt: at(31) }, lease);
    expect(third).toMatchObject({ claimed: true, run: { attempts: 3 } });
    await finishJobRun(third.run, { status: 'succeeded', at: new Date(), summary: { ok: 1 } });
    expect(await claimJobRun({ ...base, startedAt: at(90) }, lease)).toMatchObject({
      claimed: false,
      run: { status: 'succeeded', attempts: 3, summary: { ok: 1 } },
    });
  });
});

describe('the weekly bulletin job', () => {
  it('evaluates last week, renders its documents and mails the bulletin once across a re-run', async () => {
    const lastWeek = isoWeekOf(addDays(today, -7));
    const { monday } = isoWeekRange(lastWeek);
    const county = `county-${uid('m')}@example.cn`.toLowerCase();
    expect((await admin.post('/recipients', { name: '李县长', email: county, scope: 'county' })).status).toBe(
      201,
    );
    const res = await inspector.post('/inspections', {
      villageId: vid,
      date: monday,
      mode: 'covert',
      findings: [
        {
          cadreId: cid,
          present: true,
          commend: false,
          problems: [{ description: '路灯损坏', severity: 'major' }],
        },
      ],
    });
    expect(res.status).toBe(201);

    // Over HTTP: POST /jobs/{name} queues the run; it finishes in the background (PDFs take a while).
    const first = await runJobNow(admin, 'weekly-bulletin', { week: lastWeek });
    expect(first.errors).toEqual([]);
    expect(first).toMatchObject({ status: 'succeeded', week: lastWeek, trigger: 'api' });
    const summary = first.summary as Record<string, any>;
    expect(summary.bulletinEmails).toMatchObject({ recipients: 1, sent: 1 });
    // A rectification notice for the new problem, and a talk notice (with the sweep's problems, one
    // rejected: four weighted open problems).
    expect(summary.cadreEmails).toMatchObject({ sent: 2, failed: 0 });
    // The same run from the command line's entry point: nothing is sent twice.
    const again = (await runJob('weekly-bulletin', { trigger: 'cli', now: new Date(), week: lastWeek })).run;
    expect((again.summary as Record<string, any>).bulletinEmails).toMatchObject({ sent: 0, alreadySent: 1 });

    const mails = smtp.to(county);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('通报');
    expect(mails[0]!.html).toContain('<html');
    expect(mails[0]!.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
    expect(mails[0]!.attachments[0]!.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const bulletin = await admin.get(`/notices?week=${lastWeek}&kind=bulletin`);
    expect(bulletin.status).toBe(200);
    expect(bulletin.body.items[0].id).toBe(summary.documents.bulletin);
    const rectification = smtp
      .to(cadreMail)
      .filter((m) => m.headers['x-baocun-message']?.startsWith(`rectify:${lastWeek}`));
    expect(rectification).toHaveLength(1);
    expect(rectification[0]!.text).toContain('路灯损坏');
  }, 240_000);
});

/** Replaces a job's work until the returned function is called (the jobs function looks it up per run). */
function stubJob(name: 'daily-sweep' | 'weekly-bulletin', work: JobDefinition['run']): () => void {
  const original = JOBS[name].run;
  JOBS[name].run = work;
  return () => {
    JOBS[name].run = original;
  };
}

/** A promise the test resolves when it likes: a job that runs until the test lets it finish. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const opened = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('POST /jobs/{name} in the background', () => {
  it('answers 202 with a queued run at once, however long the job takes; the run goes queued → running → succeeded', async () => {
    const release = gate<Record<string, unknown>>();
    const started = gate();
    const restore = stubJob('daily-sweep', async () => {
      started.open();
      return release.opened;
    });
    try {
      const t0 = performance.now();
      const res = await admin.post('/jobs/daily-sweep');
      const ms = performance.now() - t0;
      expect(res.status).toBe(202);
      // The job is still blocked, so this is the request alone: no part of the run is in it.
      expect(ms).toBeLessThan(1000);
      expect(res.body).toMatchObject({
        name: 'daily-sweep',
        status: 'queued',
        trigger: 'api',
        requestedBy: admin.sub,
        attempts: 0,
        failures: 0,
        errors: [],
        counts: {},
      });
      expect(res.body.runId).toBe(`daily-sweep.${res.body.runKey}`);
      expect(res.body.queuedAt).toEqual(expect.any(String));
      expect(res.body.startedAt).toBeUndefined();

      await started.opened;
      const running = await waitForRun(admin.get, res.body.runId, (s) => s.status !== 'queued');
      expect(running).toMatchObject({ status: 'running', attempts: 1 });
      expect(running.startedAt).toEqual(expect.any(String));
      expect(running.finishedAt).toBeUndefined();

      release.open({ cadres: 3, emails: { sent: 2, failed: 0 } });
      const done = await waitForRun(admin.get, res.body.runId);
      expect(done).toMatchObject({
        status: 'succeeded',
        failures: 0,
        errors: [],
        counts: { cadres: 3, 'emails.sent': 2, 'emails.failed': 0 },
      });
      expect(Date.parse(done.finishedAt)).toBeGreaterThanOrEqual(Date.parse(done.startedAt));
      // The ledger lists the same run.
      const ledger = await admin.get('/jobs/daily-sweep/runs?limit=5');
      expect(ledger.body.items[0]).toMatchObject({ runKey: res.body.runKey, status: 'succeeded' });
    } finally {
      restore();
    }
  });

  it('records a job that throws as failed, with its error', async () => {
    const restore = stubJob('daily-sweep', async () => {
      throw new Error('数据库不可用');
    });
    try {
      const res = await admin.post('/jobs/daily-sweep');
      expect(res.status).toBe(202);
      const done = await waitForRun(admin.get, res.body.runId);
      expect(done).toMatchObject({ status: 'failed', failures: 0 });
      expect(done.errors).toEqual([expect.stringContaining('数据库不可用')]);
      expect(done.finishedAt).toEqual(expect.any(String));
    } finally {
      restore();
    }
  });

  it('records a run whose items partly failed as failed, counting them (the rest was done)', async () => {
    const restore = stubJob('daily-sweep', async () => ({
      emails: { sent: 4, failed: 2 },
      appointmentLetters: { rendered: 1, existing: 0, failed: 1 },
    }));
    try {
      const res = await admin.post('/jobs/daily-sweep');
      const done = await waitForRun(admin.get, res.body.runId);
      expect(done).toMatchObject({
        status: 'failed',
        failures: 3,
        counts: { 'emails.sent': 4, 'emails.failed': 2, 'appointmentLetters.failed': 1 },
      });
      expect(done.errors[0]).toContain('emails: 2');
      expect(done.errors[0]).toContain('appointmentLetters: 1');
    } finally {
      restore();
    }
  });

  it('answers a repeated request (same Idempotency-Key) with the same 202 and run, started once', async () => {
    let calls = 0;
    const restore = stubJob('daily-sweep', async () => {
      calls++;
      return {};
    });
    try {
      const key = uid('job-idem-');
      const first = await admin.post('/jobs/daily-sweep', {}, { 'idempotency-key': key });
      const second = await admin.post('/jobs/daily-sweep', {}, { 'idempotency-key': key });
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.body).toEqual(first.body);
      await waitForRun(admin.get, first.body.runId);
      expect(calls).toBe(1);
      const audit = await admin.get('/audit?entityType=job&entityId=daily-sweep&limit=100');
      const starts = (audit.body.items as Array<{ action: string; changes: { runKey?: string } }>).filter(
        (a) => a.action === 'start' && a.changes.runKey === first.body.runKey,
      );
      expect(starts).toHaveLength(1);
    } finally {
      restore();
    }
  });

  it('cuts a run at the invocation deadline and records it failed', async () => {
    const restore = stubJob('daily-sweep', () => new Promise(() => {}));
    try {
      const runKey = `${new Date().toISOString()}-api-deadline1`;
      // What Lambda (or the local invoker) says is left: the run stops a margin before it.
      const result = await scheduled(
        { job: 'daily-sweep', trigger: 'api', requestedBy: admin.sub, runKey },
        { awsRequestId: 'r-deadline', getRemainingTimeInMillis: () => 300 },
      );
      expect(result).toMatchObject({ ran: true, status: 'failed' });
      const state = await admin.get(`/jobs/runs/${encodeURIComponent(`daily-sweep.${runKey}`)}`);
      expect(state.body).toMatchObject({ status: 'failed' });
      expect(state.body.errors[0]).toContain('timed out');
    } finally {
      restore();
    }
  });

  it('reports a run past its lease as failed, and the next start of the job records it so', async () => {
    const longAgo = new Date(Date.now() - 30 * 60_000).toISOString();
    const lost = await queueJobRun({
      job: 'daily-sweep',
      runKey: `${longAgo}-api-lostlost01`,
      trigger: 'api',
      queuedAt: longAgo,
      requestedBy: admin.sub,
    });
    const died = await claimJobRun(
      { job: 'daily-sweep', runKey: `${longAgo}-api-deaddead01`, trigger: 'api', startedAt: longAgo },
      20 * 60_000,
    );
    for (const [run, why] of [
      [lost.run, 'never started'],
      [died.run, 'process died'],
    ] as const) {
      const state = await admin.get(`/jobs/runs/${encodeURIComponent(`daily-sweep.${run.runKey}`)}`);
      expect(state.body).toMatchObject({ status: 'failed' });
      expect(state.body.errors[0]).toContain(why);
    }
    // The ledger still has them under way until a start of the job looks.
    const before = await admin.get('/jobs/daily-sweep/runs?limit=100');
    const statusOf = (items: Array<{ runKey: string; status: string }>, runKey: string) =>
      items.find((r) => r.runKey === runKey)?.status;
    expect(statusOf(before.body.items, lost.run.runKey)).toBe('queued');
    const restore = stubJob('daily-sweep', async () => ({}));
    try {
      const res = await admin.post('/jobs/daily-sweep');
      await waitForRun(admin.get, res.body.runId);
    } finally {
      restore();
    }
    const after = await admin.get('/jobs/daily-sweep/runs?limit=100');
    expect(statusOf(after.body.items, lost.run.runKey)).toBe('failed');
    expect(statusOf(after.body.items, died.run.runKey)).toBe('failed');
  });

  it.each([
    ['an unknown run', 'daily-sweep.2020-01-01T00:00:00.000Z-api-nothere001'],
    ['a run of an unknown job', 'nightly.2020-01-01T00:00:00.000Z-api-nothere001'],
    ['something that is no run id', 'nothing'],
  ])('answers 404 for %s', async (_what, runId) => {
    const res = await admin.get(`/jobs/runs/${encodeURIComponent(runId)}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it.each(['inspector', 'cadre'] as const)('shows runs to admins only (%s: 403)', async (role) => {
    const caller = await t.as(role);
    expect((await caller.get('/jobs/runs/daily-sweep.x')).status).toBe(403);
  });
});
