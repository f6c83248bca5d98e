import { describe, expect, it } from 'vitest';
import { planInspection, presenceFrom } from '../../functions/core/inspections.ts';
import { extensionIssues, type ProblemAction, transition } from '../../functions/core/problems.ts';
import {
  type CadreRef,
  DEFAULT_RULE_SET,
  evaluateWeek,
  type FindingFact,
  type ProblemEvent,
  type ProblemFact,
  problemStateAt,
  weekEndInstant,
} from '../../functions/core/rules/index.ts';

/** Week 2026-W47: Monday 16 to Sunday 22 November 2026 (Beijing). */
const WEEK = '2026-W47';
const END = weekEndInstant(WEEK);
const iso = (local: string) => new Date(`${local.replace(' ', 'T')}+08:00`).toISOString();
const cadres: CadreRef[] = [{ id: 'C1', name: '甲', townshipId: 'T1' }];

const problem = (id: string, events: ProblemEvent[], over: Partial<ProblemFact> = {}): ProblemFact => ({
  id,
  cadreId: 'C1',
  villageId: 'V1',
  townshipId: 'T1',
  severity: 'minor',
  foundOn: '2026-11-16',
  rectifyBy: '2026-11-20',
  events,
  ...over,
});
const rectified = (at: string, id: string): ProblemEvent => ({ kind: 'rectification', at: iso(at), id });
const rejected = (at: string, id: string, over: Partial<ProblemEvent> = {}): ProblemEvent => ({
  kind: 'verification',
  outcome: 'rejected',
  at: iso(at),
  id,
  ...over,
});

function weigh(problems: ProblemFact[], findings: FindingFact[] = []) {
  const e = evaluateWeek({
    week: WEEK,
    asOf: END,
    ruleSet: DEFAULT_RULE_SET,
    cadres,
    problems,
    findings,
    dispatches: [],
    directReports: [],
  });
  return e;
}

describe('transition: the kind of a rejection', () => {
  it.each<[string, ProblemAction, boolean, boolean]>([
    ['no kind (the contract before kinds)', { kind: 'verify', outcome: 'rejected' }, true, false],
    ['false', { kind: 'verify', outcome: 'rejected', rejection: 'false' }, true, false],
    ['incomplete', { kind: 'verify', outcome: 'rejected', rejection: 'incomplete' }, false, true],
  ])('%s', (_, action, falseOne, incompleteOne) => {
    const t = transition('awaiting_verification', action);
    expect(t).toMatchObject({
      ok: true,
      to: 'open',
      falseRectification: falseOne,
      incompleteRectification: incompleteOne,
    });
  });
});

describe('the rule set counts each kind (version 1)', () => {
  it('虚假整改 (kind false, or none) weighs falseRectificationWeight, exactly as before kinds', () => {
    for (const over of [{}, { rejectionKind: 'false' as const }]) {
      const e = weigh([
        problem('P1', [rectified('2026-11-17 09:00', 'R1'), rejected('2026-11-18 09:00', 'X1', over)]),
      ]);
      const c = e.cadres[0]!;
      expect(c.weightedCount).toBe(DEFAULT_RULE_SET.falseRectificationWeight);
      expect(c.reasons[0]).toMatchObject({
        kind: 'openProblem',
        falseRectification: true,
        falseRectifications: 1,
      });
      expect(c.explanation).toContain('虚假整改');
      expect(e.problems[0]?.falseRectifications).toBe(1);
    }
  });

  it('整改不到位 counts once, like any open problem, and is not called 虚假整改', () => {
    const e = weigh([
      problem('P1', [
        rectified('2026-11-17 09:00', 'R1'),
        rejected('2026-11-18 09:00', 'X1', { rejectionKind: 'incomplete', rectifyBy: '2026-11-25' }),
        rectified('2026-11-19 09:00', 'R2'),
        rejected('2026-11-20 09:00', 'X2', { rejectionKind: 'incomplete', rectifyBy: '2026-11-28' }),
      ]),
    ]);
    const c = e.cadres[0]!;
    expect(c.weightedCount).toBe(1);
    expect(c.reasons[0]).toMatchObject({ falseRectification: false, falseRectifications: 0, weight: 1 });
    expect(c.explanation).not.toContain('虚假整改');
    expect(e.problems[0]).toMatchObject({ falseRectifications: 0, rectifyBy: '2026-11-28', state: 'open' });
  });

  it('a false one after an incomplete one still counts as 虚假整改', () => {
    const e = weigh([
      problem('P1', [
        rectified('2026-11-17 09:00', 'R1'),
        rejected('2026-11-18 09:00', 'X1', { rejectionKind: 'incomplete', rectifyBy: '2026-11-25' }),
        rectified('2026-11-19 09:00', 'R2'),
        rejected('2026-11-20 09:00', 'X2', { rejectionKind: 'false' }),
      ]),
    ]);
    expect(e.cadres[0]?.weightedCount).toBe(DEFAULT_RULE_SET.falseRectificationWeight);
  });
});

describe('deadlines as of a date', () => {
  const p = problem('P1', [
    rectified('2026-11-17 09:00', 'R1'),
    rejected('2026-11-18 09:00', 'X1', { rejectionKind: 'incomplete', rectifyBy: '2026-11-24' }),
    { kind: 'deadline', at: iso('2026-11-19 10:00'), id: 'E1', rectifyBy: '2026-12-01' },
  ]);
  it.each([
    ['2026-11-17 12:00', '2026-11-20', 0],
    ['2026-11-18 12:00', '2026-11-24', 1],
    ['2026-11-19 12:00', '2026-12-01', 1],
  ])('as of %s the deadline is %s', (at, deadline, incompletes) => {
    const s = problemStateAt(p, Date.parse(iso(at)), DEFAULT_RULE_SET);
    expect(s.rectifyBy).toBe(deadline);
    expect(s.incompleteRectifications).toBe(incompletes);
    expect(s.falseRectifications).toBe(0);
  });

  it('an extended deadline is not overdue in the bulletin', () => {
    const late = problem(
      'P2',
      [{ kind: 'deadline', at: iso('2026-11-19 10:00'), id: 'E2', rectifyBy: '2026-12-05' }],
      {
        rectifyBy: '2026-11-18',
      },
    );
    expect(weigh([late]).problems[0]).toMatchObject({ rectifyBy: '2026-12-05', daysOverdue: 0 });
  });
});

describe('voided and 未点名', () => {
  it('a voided problem and a voided finding count nowhere', () => {
    const e = weigh(
      [problem('P1', [], { voided: true }), problem('P2', [])],
      [
        {
          inspectionId: 'I1',
          cadreId: 'C1',
          villageId: 'V1',
          townshipId: 'T1',
          date: '2026-11-17',
          present: false,
          voided: true,
        },
      ],
    );
    expect(e.cadres[0]?.weightedCount).toBe(1);
    expect(e.problems.map((p) => p.problemId)).toEqual(['P2']);
    expect(e.absences).toEqual([]);
  });

  it('未点名 is neither absent nor present; legacy findings without presence read present', () => {
    const f = (id: string, over: Partial<FindingFact>): FindingFact => ({
      inspectionId: id,
      cadreId: 'C1',
      villageId: 'V1',
      townshipId: 'T1',
      date: '2026-11-17',
      present: false,
      ...over,
    });
    const e = weigh([], [f('I1', { presence: 'unchecked' }), f('I2', { presence: 'absent' }), f('I3', {})]);
    expect(e.absences.map((a) => a.inspectionId)).toEqual(['I2', 'I3']);
    expect(e.cadres[0]?.weightedCount).toBe(2);
    const unchecked = weigh([], [f('I1', { presence: 'unchecked' })]);
    expect(unchecked.absences).toEqual([]);
    expect(unchecked.cadres[0]?.weightedCount).toBe(0);
  });

  it('presence from a submission: presence wins, else the old boolean, else 未点名', () => {
    expect(presenceFrom({})).toBe('unchecked');
    expect(presenceFrom({ present: true })).toBe('present');
    expect(presenceFrom({ present: false })).toBe('absent');
    expect(presenceFrom({ presence: 'unchecked' })).toBe('unchecked');
    const plan = planInspection(
      {
        villageId: 'V1',
        date: '2026-11-17',
        mode: 'open',
        findings: [
          { cadreId: 'A', commend: false, problems: [] },
          { cadreId: 'B', presence: 'absent', commend: false, problems: [] },
          { cadreId: 'C', present: true, commend: false, problems: [] },
        ],
      },
      { inspectionId: 'I', problemId: () => 'P' },
    );
    expect(plan).toMatchObject({ presentCount: 1, absentCount: 1, uncheckedCount: 1 });
  });
});

describe('extension dates', () => {
  const open = { status: 'open' as const, rectifyBy: '2026-11-20' };
  it.each([
    ['2026-11-20', 'NOT_LATER'],
    ['2026-11-19', 'NOT_LATER'],
    ['2026-11-21', 'DATE_IN_PAST'],
  ])('%s → %s when today is 2026-11-22', (date, code) => {
    expect(extensionIssues(open, date, '2026-11-22')[0]?.code).toBe(code);
  });
  it('a later date from today on is fine', () => {
    expect(extensionIssues(open, '2026-11-22', '2026-11-22')).toEqual([]);
  });
});
