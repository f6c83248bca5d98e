import { describe, expect, it } from 'vitest';
import {
  type Color,
  type ColorReason,
  DEFAULT_RULE_SET,
  type DispatchAssigneeFact,
  dispatchColoring,
  type ProblemEvent,
  type ProblemFact,
  type ProblemState,
  problemColoring,
  problemStateAt,
  type RuleSet,
  type Severity,
} from '../../functions/core/rules/index.ts';

/** Beijing wall-clock time → epoch ms. */
const bj = (local: string) => Date.parse(`${local.replace(' ', 'T')}+08:00`);
const iso = (local: string) => new Date(bj(local)).toISOString();

const rules = (over: Partial<RuleSet> = {}): RuleSet => ({ ...structuredClone(DEFAULT_RULE_SET), ...over });

const problem = (events: ProblemEvent[], over: Partial<ProblemFact> = {}): ProblemFact => ({
  id: 'P1',
  cadreId: 'C1',
  villageId: 'V1',
  townshipId: 'T1',
  severity: 'minor',
  foundOn: '2026-11-10',
  rectifyBy: '2026-11-20',
  events,
  ...over,
});
const submitted = (local: string, id = `R-${local}`): ProblemEvent => ({
  kind: 'rectification',
  at: iso(local),
  id,
});
const accepted = (local: string): ProblemEvent => ({
  kind: 'verification',
  outcome: 'accepted',
  at: iso(local),
  id: `A-${local}`,
});
const rejected = (local: string): ProblemEvent => ({
  kind: 'verification',
  outcome: 'rejected',
  at: iso(local),
  id: `X-${local}`,
});

describe('a problem state as of an instant', () => {
  it.each<[string, ProblemEvent[], string, ProblemState, number]>([
    ['no events', [], '2026-11-22 23:59', 'open', 0],
    [
      'rectification handed in',
      [submitted('2026-11-15 09:00')],
      '2026-11-22 23:59',
      'awaiting_verification',
      0,
    ],
    ['handed in after asOf', [submitted('2026-11-23 09:00')], '2026-11-22 23:59', 'open', 0],
    [
      'accepted',
      [submitted('2026-11-15 09:00'), accepted('2026-11-16 09:00')],
      '2026-11-22 23:59',
      'closed',
      0,
    ],
    [
      'accepted exactly at asOf',
      [submitted('2026-11-15 09:00'), accepted('2026-11-22 23:59')],
      '2026-11-22 23:59',
      'closed',
      0,
    ],
    [
      'accepted one millisecond after asOf',
      [
        submitted('2026-11-15 09:00'),
        { kind: 'verification', outcome: 'accepted', at: new Date(bj('2026-11-22 23:59') + 1).toISOString() },
      ],
      '2026-11-22 23:59',
      'awaiting_verification',
      0,
    ],
    [
      'rejected: a false rectification, open again',
      [submitted('2026-11-15 09:00'), rejected('2026-11-16 09:00')],
      '2026-11-22 23:59',
      'open',
      1,
    ],
    [
      'rejected then handed in again',
      [submitted('2026-11-15 09:00'), rejected('2026-11-16 09:00'), submitted('2026-11-17 09:00')],
      '2026-11-22 23:59',
      'awaiting_verification',
      1,
    ],
    [
      'rejected twice then accepted',
      [
        submitted('2026-11-11 09:00'),
        rejected('2026-11-12 09:00'),
        submitted('2026-11-13 09:00'),
        rejected('2026-11-14 09:00'),
        submitted('2026-11-15 09:00'),
        accepted('2026-11-16 09:00'),
      ],
      '2026-11-22 23:59',
      'closed',
      2,
    ],
    [
      'events given out of order',
      [
        accepted('2026-11-16 09:00'),
        rejected('2026-11-14 09:00'),
        submitted('2026-11-15 09:00'),
        submitted('2026-11-13 09:00'),
      ],
      '2026-11-22 23:59',
      'closed',
      1,
    ],
    [
      'rejection after asOf not yet counted',
      [submitted('2026-11-15 09:00'), rejected('2026-11-23 09:00')],
      '2026-11-22 23:59',
      'awaiting_verification',
      0,
    ],
  ])('%s → %s with %i false rectifications', (_what, events, asOf, state, falseCount) => {
    const status = problemStateAt(problem(events), bj(asOf), rules());
    expect(status.state).toBe(state);
    expect(status.falseRectifications).toBe(falseCount);
  });

  it('falls back to the rule set deadline when the problem has none', () => {
    const status = problemStateAt(
      problem([], { rectifyBy: undefined, severity: 'major' }),
      bj('2026-11-12 00:00'),
      rules(),
    );
    expect(status.rectifyBy).toBe('2026-11-17');
  });
});

describe('problem colours (rectify by 2026-11-20, yellow within 3 days)', () => {
  it.each<[string, string, ProblemEvent[], Severity, Color | null, ColorReason, number]>([
    ['4 days left', '2026-11-16 12:00', [], 'minor', null, 'onTrack', 4],
    ['last instant with 4 days left', '2026-11-16 23:59', [], 'minor', null, 'onTrack', 4],
    ['first instant with 3 days left', '2026-11-17 00:00', [], 'minor', 'yellow', 'dueSoon', 3],
    ['due tomorrow', '2026-11-19 08:00', [], 'minor', 'yellow', 'dueSoon', 1],
    ['due today, last minute', '2026-11-20 23:59', [], 'minor', 'yellow', 'dueSoon', 0],
    ['the day after the deadline', '2026-11-21 00:00', [], 'minor', 'red', 'overdue', -1],
    ['severe, far from its deadline', '2026-11-12 09:00', [], 'severe', 'red', 'severe', 8],
    ['severe and overdue', '2026-11-22 09:00', [], 'severe', 'red', 'overdue', -2],
    ['major, far from its deadline', '2026-11-12 09:00', [], 'major', null, 'onTrack', 8],
    [
      'closed',
      '2026-11-22 09:00',
      [submitted('2026-11-18 09:00'), accepted('2026-11-19 09:00')],
      'severe',
      'green',
      'closed',
      0,
    ],
    [
      'handed in on time, verdict still due after the deadline',
      '2026-11-22 09:00',
      [submitted('2026-11-20 22:00')],
      'minor',
      'yellow',
      'awaitingVerification',
      -2,
    ],
    [
      'handed in after the deadline, verdict still due',
      '2026-11-22 09:00',
      [submitted('2026-11-21 08:00')],
      'minor',
      'red',
      'overdue',
      -2,
    ],
    [
      'handed in on time but rejected',
      '2026-11-22 09:00',
      [submitted('2026-11-19 08:00'), rejected('2026-11-21 08:00')],
      'minor',
      'red',
      'overdue',
      -2,
    ],
  ])('%s → %s (%s)', (_what, asOf, events, severity, color, reason, daysLeft) => {
    const ruleSet = rules();
    const status = problemStateAt(problem(events, { severity }), bj(asOf), ruleSet);
    const coloring = problemColoring(status, severity, bj(asOf), ruleSet);
    expect(coloring.color).toBe(color);
    expect(coloring.reason).toBe(reason);
    if (reason !== 'closed') expect(coloring.daysLeft).toBe(daysLeft);
    expect(coloring.daysOverdue).toBe(reason === 'overdue' ? -daysLeft : 0);
  });

  it.each<[number, string, Color | null]>([
    [0, '2026-11-19 12:00', null],
    [0, '2026-11-20 00:00', 'yellow'],
    [7, '2026-11-13 00:00', 'yellow'],
    [7, '2026-11-12 23:59', null],
  ])('with a yellow window of %i days, at %s → %s', (days, asOf, color) => {
    const ruleSet = rules({ colors: { yellowWithinDays: days, redSeverities: ['severe'] } });
    const status = problemStateAt(problem([]), bj(asOf), ruleSet);
    expect(problemColoring(status, 'minor', bj(asOf), ruleSet).color).toBe(color);
  });

  it('marks major problems red when the rules list them', () => {
    const ruleSet = rules({ colors: { yellowWithinDays: 3, redSeverities: ['major', 'severe'] } });
    const status = problemStateAt(problem([]), bj('2026-11-12 09:00'), ruleSet);
    expect(problemColoring(status, 'major', bj('2026-11-12 09:00'), ruleSet)).toMatchObject({
      color: 'red',
      reason: 'severe',
    });
  });
});

describe('dispatch colours (deadline 2026-11-20 18:00 Beijing)', () => {
  const row = (over: Partial<DispatchAssigneeFact> = {}): DispatchAssigneeFact => ({
    dispatchId: 'D1',
    cadreId: 'C1',
    villageId: 'V1',
    createdAt: iso('2026-11-01 09:00'),
    deadline: iso('2026-11-20 18:00'),
    status: 'in_progress',
    ...over,
  });
  it.each<[string, string, Partial<DispatchAssigneeFact>, Color | null, ColorReason, number]>([
    ['4 days ahead', '2026-11-16 09:00', {}, null, 'onTrack', 0],
    ['3 days ahead', '2026-11-17 09:00', {}, 'yellow', 'dueSoon', 0],
    ['at the deadline', '2026-11-20 18:00', {}, 'yellow', 'dueSoon', 0],
    ['one second past the deadline, same day', '2026-11-20 18:00:01', {}, 'red', 'overdue', 1],
    ['two days past', '2026-11-22 09:00', {}, 'red', 'overdue', 2],
    [
      'done before asOf',
      '2026-11-22 09:00',
      { status: 'done', doneAt: iso('2026-11-21 09:00') },
      'green',
      'closed',
      0,
    ],
    [
      'reported done only after asOf',
      '2026-11-22 09:00',
      { status: 'done', doneAt: iso('2026-11-23 09:00') },
      'red',
      'overdue',
      2,
    ],
  ])('%s → %s', (_what, asOf, over, color, reason, overdueDays) => {
    const coloring = dispatchColoring(row(over), bj(asOf), rules());
    expect(coloring.color).toBe(color);
    expect(coloring.reason).toBe(reason);
    expect(coloring.daysOverdue).toBe(overdueDays);
  });
});
