import { ApiCallError, errorOf, type GetAnswer, type ItemOf } from '../../../client/api-client.ts';
import { fieldMessages } from '../../../client/form-data.ts';
import { isValidIsoWeek } from '../../../core/time.ts';
import { weekWords } from '../../../core/week-words.ts';
import { JOB_CATALOGUE, JOB_NAMES, type JobName, parseRunId } from '../../../jobs/catalogue.ts';
import { type FormState, field, formView, freshForm, refusedForm } from '../../forms/state.ts';
import { definePage, type PageContext, type PageInput, page, refusedPage } from '../../route.ts';
import { shortDateTime, signer } from '../../view/format.ts';

/**
 * HQ: 定时任务. Each scheduled job with its next run (from the job catalogue) and its recent runs
 * (status, who started it, when, what it did), and a "立即运行" button that starts the job in the
 * background through POST /jobs/{name}, the API's one way to start a run (the scheduled-jobs
 * function runs it, the page does not wait). After the button the page follows that run by its
 * runId (GET /jobs/runs/{runId}, `?started=<runId>`): queued, running, then its outcome; while
 * anything is queued or running the page refreshes itself every few seconds (meta refresh, no script).
 */
const ROLES = ['admin'] as const;
const BASE = '/app/admin/jobs';
const RUNS_SHOWN = 10;
const REFRESH_SECONDS = 3;

type JobRun = ItemOf<'/jobs/{name}/runs'>;
/** GET /jobs/runs/{runId}: a run's state, a lease that ran out already shown as failed. */
type RunState = GetAnswer<'/jobs/runs/{runId}'>;
type RunStatus = RunState['status'];

// A run started with the button and one started through the API are the same request now.
const TRIGGER_LABELS: Record<JobRun['trigger'], string> = {
  schedule: '定时',
  'local-scheduler': '定时（本机）',
  api: '立即运行',
  cli: '命令行',
  console: '立即运行',
};
const STATUS_LABELS: Record<RunStatus, string> = {
  queued: '排队中',
  running: '运行中',
  succeeded: '成功',
  failed: '失败',
};
const STATUS_BADGES: Record<RunStatus, string> = {
  queued: 'grey',
  running: 'yellow',
  succeeded: 'green',
  failed: 'red',
};
const active = (status: RunStatus) => status === 'queued' || status === 'running';

const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** What a run did, as plain numbers the template words. */
function summaryView(job: string, s: Record<string, unknown> | undefined) {
  if (!s) return null;
  if (job === 'weekly-bulletin') {
    const documents = obj(s.documents);
    const bulletin = obj(s.bulletinEmails);
    const cadre = obj(s.cadreEmails);
    return {
      weekly: true,
      daily: false,
      week: typeof s.week === 'string' && isValidIsoWeek(s.week) ? weekWords(s.week) : '',
      revision: num(s.revision),
      provisional: s.provisional === true,
      notices: num(documents.notices),
      bulletinSent: num(bulletin.sent),
      bulletinFailed: num(bulletin.failed),
      cadreSent: num(cadre.sent),
      cadreFailed: num(cadre.failed),
      notifications: num(obj(s.notifications).created),
    };
  }
  const emails = obj(s.emails);
  return {
    weekly: false,
    daily: true,
    overdueDispatches: num(s.overdueDispatches),
    overdueRectifications: num(s.overdueRectifications),
    rejectedRectifications: num(s.rejectedRectifications),
    cadres: num(s.cadres),
    letters: num(obj(s.appointmentLetters).rendered),
    emailsSent: num(emails.sent),
    emailsFailed: num(emails.failed),
  };
}

function runRow(r: JobRun) {
  return {
    runKey: r.runKey,
    status: STATUS_LABELS[r.status],
    badge: STATUS_BADGES[r.status],
    running: active(r.status),
    trigger: TRIGGER_LABELS[r.trigger] ?? r.trigger,
    who: r.requestedBy ? signer(r.requestedByName, '指挥部') : '',
    // A queued run has not started: when it was asked for.
    startedAt: shortDateTime(r.startedAt ?? r.queuedAt),
    finishedAt: shortDateTime(r.finishedAt),
    week: r.week && isValidIsoWeek(r.week) ? weekWords(r.week) : '',
    attempts: r.attempts,
    error: r.error ?? '',
    summary: summaryView(r.job, r.summary),
  };
}

/** The run started with the button (`?started=<runId>`), as GET /jobs/runs/{runId} has it now. */
async function startedRun(
  ctx: PageContext,
  query: URLSearchParams,
): Promise<{ runId: string; job: string; runKey: string; state: RunState | undefined } | undefined> {
  const runId = query.get('started') ?? '';
  const id = parseRunId(runId);
  if (!id) return undefined;
  try {
    const state = await ctx.api.get('/jobs/runs/{runId}', { params: { runId } });
    return { runId, ...id, state };
  } catch (error) {
    if (error instanceof ApiCallError && error.status === 404) return { runId, ...id, state: undefined };
    throw error;
  }
}

function startedView(state: RunState | undefined) {
  if (!state) return { missing: true };
  return {
    missing: false,
    label: STATUS_LABELS[state.status],
    badge: STATUS_BADGES[state.status],
    queued: state.status === 'queued',
    active: active(state.status),
    failed: state.status === 'failed',
    queuedAt: shortDateTime(state.queuedAt),
    startedAt: shortDateTime(state.startedAt),
    finishedAt: shortDateTime(state.finishedAt),
    failures: state.failures,
    errors: state.errors,
  };
}

async function jobsPage(
  ctx: PageContext,
  input: PageInput,
  refused?: { job: JobName; state: FormState; status: number },
) {
  const [started, list, ...runs] = await Promise.all([
    startedRun(ctx, input.query),
    ctx.api.get('/jobs'),
    ...JOB_NAMES.map((name) =>
      ctx.api.get('/jobs/{name}/runs', {
        params: { name },
        query: { limit: RUNS_SHOWN },
      }),
    ),
  ]);
  let anyRunning = false;
  const jobs = JOB_NAMES.map((name, i) => {
    const info = list.items.find((j) => j.name === name);
    const items = runs[i]?.items ?? [];
    const state = refused?.job === name ? refused.state : freshForm();
    const rows = items.map(runRow);
    const mine = started?.job === name ? startedView(started.state) : null;
    if (rows.some((r) => r.running) || mine?.active) anyRunning = true;
    return {
      name,
      title: JOB_CATALOGUE[name].title,
      description: info?.description ?? JOB_CATALOGUE[name].description,
      next: shortDateTime(info?.schedule.next),
      takesWeek: JOB_CATALOGUE[name].takesWeek,
      action: `${BASE}/${name}/run`,
      form: formView(state),
      week: field(state, 'week'),
      runs: rows,
      started: mine,
      justStarted: started?.job === name ? started.runKey : '',
      headingId: `job-${name}`,
    };
  });
  return page(
    'admin/jobs/index',
    '定时任务',
    {
      jobs,
      refresh: anyRunning,
      refreshSeconds: REFRESH_SECONDS,
      refreshUrl: started ? `${BASE}?started=${encodeURIComponent(started.runId)}` : BASE,
    },
    { nav: 'jobs', ...(refused ? { status: refused.status } : {}) },
  );
}

export const jobPages = [
  definePage({
    method: 'GET',
    path: BASE,
    roles: ROLES,
    handle: (input, ctx) => jobsPage(ctx, input),
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/{name}/run`,
    roles: ROLES,
    async handle(input, ctx) {
      const name = input.params.name ?? '';
      const week = input.form.find(([n]) => n === 'week')?.[1]?.trim() ?? '';
      const res = await ctx.api.call('POST', '/jobs/{name}', {
        params: { name },
        body: week ? { week } : {},
        idempotencyKey: input.idempotencyKey,
      });
      if (res.ok) {
        // No #fragment: a page refreshing itself to a URL with one would only scroll, not reload.
        const location = `${BASE}?started=${encodeURIComponent(res.body.runId)}`;
        if (input.wantsJson) {
          return {
            type: 'json',
            status: 200,
            body: { ok: true, location, runId: res.body.runId, runKey: res.body.runKey },
          };
        }
        return { type: 'redirect', location, status: 303 };
      }
      if (res.status >= 500) throw new Error(`POST /jobs/{name} answered ${res.status}`);
      const error = errorOf(res.body);
      const fields = fieldMessages(error.fields ?? [], new Map([['week', 'week']]));
      if (input.wantsJson) {
        return {
          type: 'json',
          status: res.status,
          body: { ok: false, error: { code: error.code, message: error.message }, fields },
        };
      }
      if (res.status === 404 || !(JOB_NAMES as readonly string[]).includes(name)) {
        return refusedPage(res.status, error, 'jobs', { notFound: true });
      }
      const state = refusedForm(input.form, fields, { code: error.code, message: error.message });
      return jobsPage(ctx, input, { job: name as JobName, state, status: res.status });
    },
  }),
];
