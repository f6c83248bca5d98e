import type { FixedSchedule } from '../core/schedule.ts';

/**
 * What there is to know about the scheduled jobs without running them: names, descriptions,
 * schedules (Beijing time) and whether a job takes a week. The pages and the job-run read routes use
 * this module; it imports none of the job implementations, so the web bundle never pulls in
 * Chromium, the document renderer or the mailer. registry.ts adds the `run` functions.
 */
export const JOB_NAMES = ['weekly-bulletin', 'daily-sweep'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface JobInfo {
  name: JobName;
  /** A short Chinese name for people (页面标题、按钮). */
  title: string;
  description: string;
  schedule: FixedSchedule;
  /** Whether the job takes a week (`--week`, body `week`). */
  takesWeek: boolean;
}

export const JOB_CATALOGUE: Record<JobName, JobInfo> = {
  'weekly-bulletin': {
    name: 'weekly-bulletin',
    title: '周通报',
    description: '每周一 08:00：上周考评、生成周通报和通知书、发送邮件和提醒',
    schedule: { weekday: 1, hour: 8, minute: 0 },
    takesWeek: true,
  },
  'daily-sweep': {
    name: 'daily-sweep',
    title: '每日提醒',
    description: '每天 07:00：逾期任务和逾期整改提醒、整改复核未通过告知',
    schedule: { hour: 7, minute: 0 },
    takesWeek: false,
  },
};

export function isJobName(name: string): name is JobName {
  return (JOB_NAMES as readonly string[]).includes(name);
}

/** A run "running" longer than this is taken to have died with its process (Lambda's limit is 15 min). */
export const RUN_LEASE_MS = 20 * 60_000;

/**
 * A run's id in the API (`GET /jobs/runs/{runId}`): the job's name and the run's key in its ledger,
 * joined by the first '.' (job names have none). Clients treat it as opaque.
 */
export function runIdOf(job: string, runKey: string): string {
  return `${job}.${runKey}`;
}

export function parseRunId(runId: string): { job: JobName; runKey: string } | undefined {
  const cut = runId.indexOf('.');
  if (cut <= 0) return undefined;
  const job = runId.slice(0, cut);
  const runKey = runId.slice(cut + 1);
  return isJobName(job) && runKey ? { job, runKey } : undefined;
}
