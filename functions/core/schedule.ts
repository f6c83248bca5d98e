/**
 * The two fixed schedules, in Beijing time (Asia/Shanghai: UTC+8 all year, no daylight saving).
 * One definition drives EventBridge Scheduler on AWS (cron + time zone) and the in-process local
 * scheduler (next fire time), so both fire at the same moments.
 */
export const SCHEDULE_TIME_ZONE = 'Asia/Shanghai';
const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export interface FixedSchedule {
  /** ISO weekday 1 (Monday) … 7 (Sunday); absent = every day. */
  weekday?: number;
  hour: number;
  minute: number;
}

/** The first fire time strictly after `after`. */
export function nextFireTime(schedule: FixedSchedule, after: Date): Date {
  const local = after.getTime() + OFFSET_MS;
  const dayStart = Math.floor(local / DAY_MS) * DAY_MS;
  for (let day = 0; day <= 7; day++) {
    const start = dayStart + day * DAY_MS;
    const weekday = new Date(start).getUTCDay() || 7;
    if (schedule.weekday !== undefined && weekday !== schedule.weekday) continue;
    const fire = start + schedule.hour * 3_600_000 + schedule.minute * 60_000;
    if (fire > local) return new Date(fire - OFFSET_MS);
  }
  throw new Error('unreachable: a fixed schedule fires within eight days');
}

/** The latest fire time at or before `at`. */
export function previousFireTime(schedule: FixedSchedule, at: Date): Date {
  const span = schedule.weekday === undefined ? DAY_MS : 7 * DAY_MS;
  return nextFireTime(schedule, new Date(at.getTime() - span));
}

const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/** EventBridge Scheduler cron expression, evaluated in SCHEDULE_TIME_ZONE. */
export function cronExpression(schedule: FixedSchedule): string {
  const weekday = schedule.weekday === undefined ? '*' : WEEKDAYS[schedule.weekday - 1];
  return `cron(${schedule.minute} ${schedule.hour} ? * ${weekday} *)`;
}
