import { describe, expect, it } from 'vitest';
import {
  closeRefusal,
  handoffOverdue,
  handoffRefusal,
  type ReportStatus,
  statusAfterReply,
  townshipMayAct,
  townshipMaySee,
  triageRefusal,
} from '../../functions/core/direct-reports.ts';
import {
  type EffectivenessSamples,
  summarizeEffectiveness,
} from '../../functions/core/rules/effectiveness.ts';

/** The hand-off path's status machine: which step may follow which (functions/core/direct-reports.ts). */
describe('direct report steps', () => {
  it.each<[ReportStatus, string | null, string | null]>([
    ['new', null, 'NOT_TRIAGED'],
    ['acknowledged', null, 'NOT_TRIAGED'],
    ['triaged', null, null],
    ['handed_off', 'ALREADY_HANDED_OFF', null],
    ['replied', 'ALREADY_HANDED_OFF', null],
    ['closed', 'ALREADY_CLOSED', 'ALREADY_CLOSED'],
  ])('from %s: triage → %s, hand-off → %s', (status, triage, handoff) => {
    expect(triageRefusal(status)).toBe(triage);
    expect(handoffRefusal(status)).toBe(handoff);
  });

  it.each<[ReportStatus, number, string | null]>([
    ['new', 0, null],
    ['triaged', 0, null],
    ['handed_off', 1, 'HANDOFF_OPEN'],
    ['replied', 0, null],
    ['closed', 0, 'ALREADY_CLOSED'],
  ])('closing from %s with %i open hand-offs → %s', (status, open, refusal) => {
    expect(closeRefusal(status, open)).toBe(refusal);
  });

  it('is replied once no hand-off waits, and stays handed off while one does', () => {
    expect(statusAfterReply('handed_off', 0)).toBe('replied');
    expect(statusAfterReply('handed_off', 1)).toBe('handed_off');
  });

  it.each([
    [{ skipLevels: false }, true, true],
    [{ skipLevels: false, level: 'county' as const }, true, false],
    [{ skipLevels: true }, false, false],
    [{ skipLevels: true, level: 'county' as const }, false, false],
    [{ skipLevels: true, level: 'township' as const }, true, true],
    [{ skipLevels: true, level: 'village' as const }, true, true],
  ])('a township sees %j: %s, acts on it: %s', (report, see, act) => {
    expect(townshipMaySee(report)).toBe(see);
    expect(townshipMayAct(report)).toBe(act);
  });

  it('is overdue the day after the deadline, until replied', () => {
    expect(handoffOverdue({ deadline: '2026-12-05' }, '2026-12-05')).toBe(false);
    expect(handoffOverdue({ deadline: '2026-12-05' }, '2026-12-06')).toBe(true);
    expect(handoffOverdue({ deadline: '2026-12-05', repliedAt: '2026-12-06T01:00:00Z' }, '2026-12-07')).toBe(
      false,
    );
  });
});

describe('resolution time in the effectiveness figures', () => {
  const none: EffectivenessSamples = {
    cadres: [],
    presence: [],
    rectificationHours: [],
    directReports: [],
    acknowledgementMinutes: [],
    pendingAcknowledgements: [],
    resolutionMinutes: [],
    visits: [],
  };

  it('gives the median minutes from report to closure, county-wide and per township', () => {
    const e = summarizeEffectiveness(
      {
        ...none,
        resolutionMinutes: [
          { townshipId: 'T1', minutes: 120 },
          { townshipId: 'T1', minutes: 240 },
          { townshipId: 'T2', minutes: 600 },
        ],
      },
      null,
    );
    expect(e.county.current.resolution).toEqual({ closed: 3, medianMinutes: 240 });
    expect(e.townships.find((t) => t.townshipId === 'T1')?.current.resolution).toEqual({
      closed: 2,
      medianMinutes: 180,
    });
  });

  it('leaves the figure out of a week that closed no report (older weeks keep their fingerprint)', () => {
    expect(summarizeEffectiveness(none, null).county.current.resolution).toBeUndefined();
  });
});
