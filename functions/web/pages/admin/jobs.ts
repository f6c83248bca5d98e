import { JOB_CATALOGUE, JOB_NAMES, type JobName } from '../../../jobs/catalogue.ts';
import { errorOf } from '../../api-client.ts';
import { fieldMessages } from '../../form-data.ts';
import { type FormState, field, formView, freshForm, refusedForm } from '../../forms/state.ts';
import { definePage, type PageContext, type PageInput, page } from '../../route.ts';
import { shortDateTime } from '../../view/format.ts';

/**
 * HQ: 定时任务. Each scheduled job with its next run (from the job catalogue) and its recent runs
 * (status, who started it, when, what it did), and a "立即运行" button that starts the job in the
 * background (POST /jobs/{name}/runs: the scheduled-jobs function runs it, the page does not wait).
 * The run just started is shown as starting until it appears in the ledger; while anything runs the
 * page refreshes itself every few seconds (meta refresh, no script).
 */
const ROLES = ['admin'] as const;
const BASE = '/app/admin/jobs';
const RUNS_SHOWN = 10;
const REFRESH_SECONDS = 3;
/** A started run that has not reached the ledger after this long has not started at all. */
const START_GRACE_MS = 2 * 60_000;

interface JobRun {
  job: string;
  runKey: string;
  trigger: 'schedule' | 'api' | 'cli' | 'local-scheduler' | 'console';
  week?: string;
  status: 'running' | 'succeeded' | 'failed';
  attempts: number;
  startedAt: string;
  finishedAt?: string;
  requestedBy?: string;
  summary?: Record<string, unknown>;
  error?: string;
}

interface JobListItem {
  name: string;
  description: string;
  takesWeek: boolean;
  schedule: { cron: string; timeZone: string; next: string };
}

const TRIGGER_LABELS: Record<JobRun['trigger'], string> = {
  schedule: '定时',
  'local-scheduler': '定时（本机）',
  api: '接口',
  cli: '命令行',
  console: '页面',
};
const STATUS_LABELS: Record<JobRun['status'], string> = {
  running: '运行中',
  succeeded: '成功',
  failed: '失败',
};
const STATUS_BADGES: Record<JobRun['status'], string> = {
  running: 'yellow',
  succeeded: 'green',
  failed: 'red',
};

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
      week: typeof s.week === 'string' ? s.week : '',
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
    running: r.status === 'running',
    trigger: TRIGGER_LABELS[r.trigger] ?? r.trigger,
    who: r.requestedBy ?? '',
    startedAt: shortDateTime(r.startedAt),
    finishedAt: shortDateTime(r.finishedAt),
    week: r.week ?? '',
    attempts: r.attempts,
    error: r.error ?? '',
    summary: summaryView(r.job, r.summary),
  };
}

/** `?started=<job>.<runKey>` after pressing the button. */
function startedOf(query: URLSearchParams): { job: string; runKey: string } | undefined {
  const value = query.get('started') ?? '';
  const cut = value.indexOf('.');
  if (cut <= 0) return undefined;
  return { job: value.slice(0, cut), runKey: value.slice(cut + 1) };
}

async function jobsPage(
  ctx: PageContext,
  input: PageInput,
  refused?: { job: JobName; state: FormState; status: number },
) {
  const [list, ...runs] = await Promise.all([
    ctx.api.get<{ items: JobListItem[] }>('/jobs'),
    ...JOB_NAMES.map((name) =>
      ctx.api.get<{ items: JobRun[] }>('/jobs/{name}/runs', {
        params: { name },
        query: { limit: RUNS_SHOWN },
      }),
    ),
  ]);
  const started = startedOf(input.query);
  let anyRunning = false;
  const jobs = JOB_NAMES.map((name, i) => {
    const info = list.items.find((j) => j.name === name);
    const items = runs[i]?.items ?? [];
    const state = refused?.job === name ? refused.state : freshForm();
    const rows = items.map(runRow);
    let pending: { at: string; late: boolean } | null = null;
    if (started?.job === name && !items.some((r) => r.runKey === started.runKey)) {
      const at = Date.parse(started.runKey.slice(0, 24));
      const late = !Number.isFinite(at) || ctx.now.getTime() - at > START_GRACE_MS;
      pending = { at: Number.isFinite(at) ? shortDateTime(new Date(at).toISOString()) : '', late };
      if (!late) anyRunning = true;
    }
    if (rows.some((r) => r.running)) anyRunning = true;
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
      pending,
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
      refreshUrl: started
        ? `${BASE}?started=${encodeURIComponent(`${started.job}.${started.runKey}`)}`
        : BASE,
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
      const res = await ctx.api.call<{ job: string; runKey: string }>('POST', '/jobs/{name}/runs', {
        params: { name },
        body: week ? { week } : {},
        idempotencyKey: input.idempotencyKey,
      });
      if (res.status < 300) {
        // No #fragment: a page refreshing itself to a URL with one would only scroll, not reload.
        const location = `${BASE}?started=${encodeURIComponent(`${res.body.job}.${res.body.runKey}`)}`;
        if (input.wantsJson)
          return { type: 'json', status: 200, body: { ok: true, location, runKey: res.body.runKey } };
        return { type: 'redirect', location, status: 303 };
      }
      if (res.status >= 500) throw new Error(`/jobs/{name}/runs answered ${res.status}`);
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
        return page(
          'error',
          error.message,
          {
            status: res.status,
            code: error.code,
            message: error.message,
            isNotFound: true,
            isForbidden: false,
          },
          { status: res.status, nav: 'jobs' },
        );
      }
      const state = refusedForm(input.form, fields, { code: error.code, message: error.message });
      return jobsPage(ctx, input, { job: name as JobName, state, status: res.status });
    },
  }),
];
