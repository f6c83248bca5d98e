import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cronExpression, nextFireTime, previousFireTime } from '../../functions/core/schedule.ts';
import { JOBS } from '../../functions/jobs/registry.ts';
import { startLocalScheduler } from '../../infra/local/scheduler.ts';

const weekly = JOBS['weekly-bulletin'].schedule;
const daily = JOBS['daily-sweep'].schedule;

describe('the fixed schedules in Beijing time', () => {
  it.each([
    // after (UTC)                 weekly: next Monday 08:00 Beijing = 00:00 UTC
    ['2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z'], // exactly at a firing → the next one
    ['2026-11-22T23:59:59.999Z', '2026-11-23T00:00:00.000Z'], // Monday 07:59 Beijing
    ['2026-11-22T15:00:00.000Z', '2026-11-23T00:00:00.000Z'], // Sunday 23:00 Beijing, Sunday in UTC too
    ['2026-11-25T12:00:00.000Z', '2026-11-30T00:00:00.000Z'],
    ['2026-12-28T00:00:01.000Z', '2027-01-04T00:00:00.000Z'], // across the year
  ])('fires the weekly bulletin after %s at %s', (after, expected) => {
    expect(nextFireTime(weekly, new Date(after)).toISOString()).toBe(expected);
  });

  it.each([
    ['2026-11-24T22:59:59.000Z', '2026-11-24T23:00:00.000Z'], // 06:59 Beijing on the 25th
    ['2026-11-24T23:00:00.000Z', '2026-11-25T23:00:00.000Z'],
    ['2026-11-24T16:30:00.000Z', '2026-11-24T23:00:00.000Z'], // 00:30 Beijing, still the 24th in UTC
  ])('fires the daily sweep after %s at %s', (after, expected) => {
    expect(nextFireTime(daily, new Date(after)).toISOString()).toBe(expected);
  });

  it('finds the latest firing at or before an instant', () => {
    expect(previousFireTime(weekly, new Date('2026-11-23T00:00:00.000Z')).toISOString()).toBe(
      '2026-11-23T00:00:00.000Z',
    );
    expect(previousFireTime(weekly, new Date('2026-11-29T12:00:00.000Z')).toISOString()).toBe(
      '2026-11-23T00:00:00.000Z',
    );
    expect(previousFireTime(daily, new Date('2026-11-24T22:00:00.000Z')).toISOString()).toBe(
      '2026-11-23T23:00:00.000Z',
    );
  });

  it('writes the EventBridge Scheduler cron expressions', () => {
    expect(cronExpression(weekly)).toBe('cron(0 8 ? * MON *)');
    expect(cronExpression(daily)).toBe('cron(0 7 ? * * *)');
  });
});

describe('the local scheduler', () => {
  // Fake timers and Date: the 1 ms to the firing passes when the test says so, not on the wall clock.
  beforeEach(() => {
    // 1 ms before the daily sweep fires.
    vi.useFakeTimers({
      now: new Date('2026-11-24T22:59:59.999Z'),
      toFake: ['setTimeout', 'clearTimeout', 'Date'],
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('arms each job for its next firing and runs it keyed by the scheduled time', async () => {
    const runs: [string, string][] = [];
    const scheduler = startLocalScheduler({
      clock: () => new Date(),
      log: () => {},
      run: async (name, at) => {
        runs.push([name, at.toISOString()]);
      },
    });
    try {
      expect(scheduler.next()['weekly-bulletin'].toISOString()).toBe('2026-11-30T00:00:00.000Z');
      expect(scheduler.next()['daily-sweep'].toISOString()).toBe('2026-11-24T23:00:00.000Z');
      await vi.advanceTimersByTimeAsync(0);
      expect(runs).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(runs).toEqual([['daily-sweep', '2026-11-24T23:00:00.000Z']]);
      expect(scheduler.next()['daily-sweep'].toISOString()).toBe('2026-11-25T23:00:00.000Z');
      await vi.advanceTimersByTimeAsync(24 * 3600_000);
      expect(runs).toEqual([
        ['daily-sweep', '2026-11-24T23:00:00.000Z'],
        ['daily-sweep', '2026-11-25T23:00:00.000Z'],
      ]);
    } finally {
      scheduler.stop();
    }
  });
});
