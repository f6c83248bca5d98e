import { type FixedSchedule, nextFireTime } from '../../functions/core/schedule.ts';
import { JOB_NAMES, JOBS, type JobName, runJob } from '../../functions/jobs/registry.ts';

/**
 * The in-process scheduler of the local stack: the same jobs at the same Beijing times as
 * EventBridge Scheduler on AWS (Monday 08:00, daily 07:00). Each firing runs the job keyed by its
 * scheduled time, like a Scheduler event, so restarting the process around a firing cannot run it
 * twice. A run missed while the process was down is not caught up (run it with `npm run job`).
 * Timers are unref'd: the scheduler never keeps a process alive on its own.
 */
export interface LocalScheduler {
  /** The next firing of each job (the Lambda jobs and the local ones). */
  next(): Record<JobName, Date> & Record<string, Date>;
  stop(): void;
}

/**
 * A job of the local runtime only (the daily backup): no Lambda, no job-run ledger; it is logged
 * like the others.
 */
export interface LocalJob {
  name: string;
  schedule: FixedSchedule;
  run(scheduledFor: Date): Promise<unknown>;
}

export interface LocalSchedulerOptions {
  clock?: () => Date;
  log?: (line: Record<string, unknown>) => void;
  /** Runs a job (tests replace it). */
  run?: (name: JobName, scheduledFor: Date) => Promise<unknown>;
  /** Jobs of the local runtime, fired on their schedules with the same clock. */
  local?: LocalJob[];
}

export function startLocalScheduler(options: LocalSchedulerOptions = {}): LocalScheduler {
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? ((line) => console.log(JSON.stringify(line)));
  const run =
    options.run ??
    ((name: JobName, scheduledFor: Date) =>
      runJob(name, { trigger: 'local-scheduler', now: clock(), scheduledFor }));
  const timers = new Map<string, NodeJS.Timeout>();
  const upcoming = new Map<string, Date>();
  let stopped = false;

  const arm = (name: string, schedule: FixedSchedule, fire: (at: Date) => Promise<unknown>, after: Date) => {
    if (stopped) return;
    const at = nextFireTime(schedule, after);
    upcoming.set(name, at);
    const timer = setTimeout(
      () => {
        // A timer may fire a little early or (after a laptop's sleep) late; the run is keyed by `at` either way.
        void fire(at).then(
          (result) =>
            log({
              level: 'info',
              msg: 'scheduled job finished',
              job: name,
              scheduledFor: at.toISOString(),
              result,
            }),
          (error: unknown) =>
            log({
              level: 'error',
              msg: 'scheduled job failed',
              job: name,
              scheduledFor: at.toISOString(),
              error: error instanceof Error ? error.message : String(error),
            }),
        );
        arm(name, schedule, fire, at);
      },
      Math.max(0, at.getTime() - clock().getTime()),
    );
    timer.unref();
    timers.set(name, timer);
  };

  for (const name of JOB_NAMES) arm(name, JOBS[name].schedule, (at) => run(name, at), clock());
  for (const job of options.local ?? []) arm(job.name, job.schedule, (at) => job.run(at), clock());
  return {
    next: () => Object.fromEntries(upcoming) as Record<JobName, Date> & Record<string, Date>,
    stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
