import { describe, expect, it } from 'vitest';
import {
  duplicateCadreIndexes,
  type InspectionInput,
  inspectionDateIssues,
  planInspection,
  referenceIssues,
} from '../../functions/core/inspections.ts';
import {
  DEFAULT_RECTIFY_DAYS,
  defaultRectifyBy,
  isOverdue,
  type ProblemAction,
  type ProblemStatus,
  sourceStatus,
  summarizeStanding,
  transition,
} from '../../functions/core/problems.ts';

const rectify: ProblemAction = { kind: 'rectify' };
const accept: ProblemAction = { kind: 'verify', outcome: 'accepted' };
const reject: ProblemAction = { kind: 'verify', outcome: 'rejected' };

describe('problem transitions', () => {
  it.each<[ProblemStatus, ProblemAction, ProblemStatus, boolean, boolean]>([
    ['open', rectify, 'awaiting_verification', false, false],
    ['awaiting_verification', accept, 'closed', false, true],
    ['awaiting_verification', reject, 'open', true, false],
  ])('from %s, %o moves to %s (false rectification %s, closes %s)', (from, action, to, falseRect, closes) => {
    expect(transition(from, action)).toEqual({
      ok: true,
      from,
      to,
      falseRectification: falseRect,
      incompleteRectification: false,
      closes,
    });
  });

  it.each<[ProblemStatus, ProblemAction, string]>([
    ['awaiting_verification', rectify, 'NOT_OPEN'],
    ['closed', rectify, 'NOT_OPEN'],
    ['open', accept, 'NOTHING_TO_VERIFY'],
    ['open', reject, 'NOTHING_TO_VERIFY'],
    ['closed', accept, 'NOTHING_TO_VERIFY'],
    ['closed', reject, 'NOTHING_TO_VERIFY'],
  ])('from %s, %o is refused with %s and a Chinese reason', (from, action, code) => {
    const result = transition(from, action);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe(code);
    expect(result.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it.each([rectify, accept, reject])('every action is allowed from its source status (%o)', (action) => {
    expect(transition(sourceStatus(action), action).ok).toBe(true);
  });
});

describe('rectification deadlines', () => {
  it.each([
    ['minor', '2026-11-24', '2026-12-08'],
    ['major', '2026-11-24', '2026-12-01'],
    ['severe', '2026-11-24', '2026-11-27'],
    ['severe', '2026-12-30', '2027-01-02'],
  ] as const)('a %s problem found on %s is due by %s by default', (severity, foundOn, due) => {
    expect(defaultRectifyBy(foundOn, severity)).toBe(due);
  });

  it('takes a replacement table of days (for the rules engine)', () => {
    expect(defaultRectifyBy('2026-11-24', 'minor', { ...DEFAULT_RECTIFY_DAYS, minor: 1 })).toBe('2026-11-25');
  });

  it.each<[ProblemStatus, string, string, boolean]>([
    ['open', '2026-11-23', '2026-11-24', true],
    ['awaiting_verification', '2026-11-23', '2026-11-24', true],
    ['open', '2026-11-24', '2026-11-24', false],
    ['closed', '2026-11-01', '2026-11-24', false],
  ])('a %s problem due %s is overdue on %s: %s', (status, rectifyBy, today, overdue) => {
    expect(isOverdue({ status, rectifyBy }, today)).toBe(overdue);
  });
});

describe('inspection rules', () => {
  const input: InspectionInput = {
    villageId: 'V1',
    date: '2026-11-24',
    mode: 'covert',
    findings: [
      {
        cadreId: 'C1',
        present: false,
        commend: false,
        dispatchId: 'D1',
        problems: [
          { description: '未在岗', severity: 'major' },
          { description: '台账缺失', severity: 'minor', rectifyBy: '2026-11-30' },
        ],
      },
      { cadreId: 'C2', present: true, commend: true, problems: [] },
    ],
  };

  it('plans one problem per submitted problem with caller-supplied ids and default deadlines', () => {
    const plan = planInspection(input, { inspectionId: 'I1', problemId: (i, j) => `P${i}-${j}` });
    expect(plan.problemIds).toEqual(['P0-0', 'P0-1']);
    expect(plan.problems).toEqual([
      {
        id: 'P0-0',
        cadreId: 'C1',
        dispatchId: 'D1',
        description: '未在岗',
        severity: 'major',
        foundOn: '2026-11-24',
        rectifyBy: '2026-12-01',
      },
      {
        id: 'P0-1',
        cadreId: 'C1',
        dispatchId: 'D1',
        description: '台账缺失',
        severity: 'minor',
        foundOn: '2026-11-24',
        rectifyBy: '2026-11-30',
      },
    ]);
    expect(plan.findings.map((f) => [f.cadreId, f.problemIds])).toEqual([
      ['C1', ['P0-0', 'P0-1']],
      ['C2', []],
    ]);
    expect(plan).toMatchObject({ id: 'I1', presentCount: 1, absentCount: 1, commendCount: 1 });
  });

  it('plans the same ids twice for the same id source (a retry lands on the same items)', () => {
    const ids = { inspectionId: 'I1', problemId: (i: number, j: number) => `P${i}-${j}` };
    expect(planInspection(input, ids)).toEqual(planInspection(input, ids));
  });

  it.each([
    ['2026-11-24', '2026-11-24', 0],
    ['2026-11-23', '2026-11-24', 0],
    ['2026-11-25', '2026-11-24', 1],
  ])('an inspection dated %s when today is %s has %i date issue(s)', (date, today, count) => {
    const issues = inspectionDateIssues(date, today);
    expect(issues).toHaveLength(count);
    if (count) expect(issues[0]).toMatchObject({ path: 'body.date', code: 'DATE_IN_FUTURE' });
  });

  it('finds the later duplicates of a cadre in the findings', () => {
    expect(
      duplicateCadreIndexes([{ cadreId: 'A' }, { cadreId: 'B' }, { cadreId: 'A' }, { cadreId: 'A' }]),
    ).toEqual([2, 3]);
  });

  it('reports every unknown id at the field that named it', () => {
    const issues = referenceIssues(input, {
      village: false,
      cadreIds: new Set(['C2']),
      dispatchIds: new Set(),
    });
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['body.villageId', 'UNKNOWN_REFERENCE'],
      ['body.findings.0.cadreId', 'UNKNOWN_REFERENCE'],
      ['body.findings.0.dispatchId', 'UNKNOWN_REFERENCE'],
    ]);
  });

  it('reports nothing when every id is on record', () => {
    expect(
      referenceIssues(input, {
        village: true,
        cadreIds: new Set(['C1', 'C2']),
        dispatchIds: new Set(['D1']),
      }),
    ).toEqual([]);
  });
});

describe('standing', () => {
  it('counts unresolved, awaiting, overdue, closed problems and false rectifications', () => {
    const counts = summarizeStanding(
      [
        { status: 'open', severity: 'major', rectifyBy: '2026-11-20', falseRectifications: 1 },
        {
          status: 'awaiting_verification',
          severity: 'minor',
          rectifyBy: '2026-12-20',
          falseRectifications: 0,
        },
      ],
      [{ status: 'closed', severity: 'severe', rectifyBy: '2026-11-01', falseRectifications: 2 }],
      3,
      '2026-11-24',
    );
    expect(counts).toEqual({
      openProblems: 2,
      awaitingVerification: 1,
      overdueProblems: 1,
      closedProblems: 1,
      totalProblems: 3,
      openBySeverity: { minor: 1, major: 1, severe: 0 },
      falseRectifications: 3,
      overdueDispatches: 3,
    });
  });
});
