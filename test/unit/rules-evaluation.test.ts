import { describe, expect, it } from 'vitest';
import {
  type CadreRef,
  DEFAULT_RULE_SET,
  type DirectReportFact,
  type DispatchAssigneeFact,
  evaluateWeek,
  evaluationFingerprint,
  type FindingFact,
  type MajorFailureFact,
  type PreviousWeek,
  type ProblemEvent,
  type ProblemFact,
  type RuleSet,
  type WeekInput,
  type WeeklyEvaluation,
  weekEndInstant,
} from '../../functions/core/rules/index.ts';

/** Week 2026-W47: Monday 16 to Sunday 22 November 2026 (Beijing). */
const WEEK = '2026-W47';
const END = weekEndInstant(WEEK);
const iso = (local: string) => new Date(`${local.replace(' ', 'T')}+08:00`).toISOString();

const cadres: CadreRef[] = [
  { id: 'C1', name: '甲', townshipId: 'T1' },
  { id: 'C2', name: '乙', townshipId: 'T1' },
  { id: 'C3', name: '丙', townshipId: 'T2' },
  { id: 'C4', name: '丁' },
];

const problem = (id: string, cadreId: string, over: Partial<ProblemFact> = {}): ProblemFact => ({
  id,
  cadreId,
  villageId: `V-${cadreId}`,
  townshipId: cadreId === 'C3' ? 'T2' : 'T1',
  severity: 'minor',
  foundOn: '2026-11-16',
  events: [],
  ...over,
});
const finding = (inspectionId: string, cadreId: string, over: Partial<FindingFact> = {}): FindingFact => ({
  inspectionId,
  cadreId,
  villageId: `V-${cadreId}`,
  townshipId: cadreId === 'C3' ? 'T2' : 'T1',
  date: '2026-11-17',
  present: true,
  commend: false,
  ...over,
});
const dispatch = (
  dispatchId: string,
  cadreId: string,
  over: Partial<DispatchAssigneeFact> = {},
): DispatchAssigneeFact => ({
  dispatchId,
  number: `派〔2026〕${dispatchId.slice(1)}号`,
  title: '水源巡查',
  cadreId,
  villageId: `V-${cadreId}`,
  townshipId: 'T1',
  createdAt: iso('2026-11-02 09:00'),
  deadline: iso('2026-11-20 23:59:59.999'),
  status: 'pending',
  ...over,
});
const report = (
  id: string,
  cadreId: string,
  createdAt: string,
  acknowledgedAt?: string,
): DirectReportFact => ({
  id,
  cadreId,
  villageId: `V-${cadreId}`,
  townshipId: cadreId === 'C3' ? 'T2' : 'T1',
  createdAt: iso(createdAt),
  acknowledgedAt: acknowledgedAt ? iso(acknowledgedAt) : undefined,
});
const accepted = (local: string): ProblemEvent[] => [
  { kind: 'rectification', at: iso(local), id: `R-${local}` },
  { kind: 'verification', outcome: 'accepted', at: iso(local), id: `A-${local}` },
];

/** A week with a bit of everything. */
function richInput(over: Partial<WeekInput> = {}): WeekInput {
  return {
    week: WEEK,
    asOf: END,
    ruleSet: DEFAULT_RULE_SET,
    cadres,
    problems: [
      problem('P1', 'C1'),
      problem('P2', 'C1', { severity: 'severe', rectifyBy: '2026-11-19' }),
      problem('P3', 'C1', {
        events: [
          { kind: 'rectification', at: iso('2026-11-17 10:00'), id: 'R3' },
          { kind: 'verification', outcome: 'rejected', at: iso('2026-11-18 10:00'), id: 'X3' },
        ],
      }),
      problem('P4', 'C2', { foundOn: '2026-11-09', rectifyBy: '2026-11-14' }),
      problem('P5', 'C2', { foundOn: '2026-11-16', events: accepted('2026-11-18 12:00') }),
      problem('P6', 'C3', { foundOn: '2026-11-02', events: accepted('2026-11-10 12:00') }),
      problem('P7', 'C3', { foundOn: '2026-11-20', rectifyBy: '2026-11-24' }),
      problem('P8', 'CX', { townshipId: 'T2' }),
    ],
    findings: [
      finding('I1', 'C1'),
      finding('I1', 'C2', { present: false }),
      finding('I2', 'C3', { commend: true, date: '2026-11-19' }),
      finding('I3', 'C4', { commend: true, townshipId: 'T2', date: '2026-11-20' }),
      finding('I0', 'C1', { date: '2026-11-13', present: false }),
    ],
    dispatches: [
      dispatch('D1', 'C1'),
      dispatch('D1', 'C2', { status: 'done', doneAt: iso('2026-11-19 09:00') }),
      dispatch('D2', 'C2', { deadline: iso('2026-11-24 18:00') }),
      dispatch('D3', 'C3', { deadline: iso('2026-12-24 18:00'), townshipId: 'T2' }),
      dispatch('D0', 'C3', { status: 'done', doneAt: iso('2026-11-12 09:00'), townshipId: 'T2' }),
    ],
    directReports: [
      report('R1', 'C1', '2026-11-16 09:00', '2026-11-16 10:00'),
      report('R2', 'C1', '2026-11-17 09:00', '2026-11-17 09:30'),
      report('R3', 'C3', '2026-11-18 09:00'),
      report('R4', 'C2', '2026-11-13 09:00', '2026-11-16 09:00'),
    ],
    majorFailures: [],
    previous: null,
    ...over,
  };
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const cadre = (e: WeeklyEvaluation, id: string) => e.cadres.find((c) => c.cadreId === id)!;

describe('weekly evaluation of a finished week', () => {
  const e = evaluateWeek(richInput());

  it('is final, as of Sunday 24:00 Beijing, under the rule set it names', () => {
    expect(e).toMatchObject({
      week: WEEK,
      monday: '2026-11-16',
      sunday: '2026-11-22',
      asOf: '2026-11-22T15:59:59.999Z',
      provisional: false,
      ruleSetVersion: 1,
    });
  });

  it('places each cadre from their open problems, false rectifications, absences and commendations', () => {
    expect(e.cadres.map((c) => [c.cadreId, c.tier, c.weightedCount])).toEqual([
      ['C1', 'reminderTalk', 4], // P1, P2, P3 (false rectification ×2); last week's absence does not count
      ['C2', 'selfCriticism', 2], // P4 carried over + absent at I1; P5 verified this week
      ['C3', 'selfCriticism', 1], // P7 found Friday; commendation needs zero problems
      ['C4', 'commended', 0],
    ]);
    expect(e.tiers).toEqual({
      commended: ['C4'],
      selfCriticism: ['C2', 'C3'],
      reminderTalk: ['C1'],
      admonishmentTalk: [],
    });
  });

  it('lists the problems in scope with their state and colour', () => {
    expect(e.problems.map((p) => [p.problemId, p.state, p.color, p.colorReason, p.isNew])).toEqual([
      ['P1', 'open', null, 'onTrack', true],
      ['P2', 'open', 'red', 'overdue', true],
      ['P3', 'open', null, 'onTrack', true],
      ['P4', 'open', 'red', 'overdue', false],
      ['P5', 'closed', 'green', 'closed', true],
      ['P7', 'open', 'yellow', 'dueSoon', true],
      ['P8', 'open', null, 'onTrack', true],
    ]);
    expect(e.problems.find((p) => p.problemId === 'P3')).toMatchObject({
      falseRectifications: 1,
      rectifyBy: '2026-11-30',
    });
    expect(e.problems.find((p) => p.problemId === 'P4')).toMatchObject({ daysOverdue: 8 });
  });

  it('leaves out problems closed before the week began', () => {
    expect(e.problems.some((p) => p.problemId === 'P6')).toBe(false);
  });

  it('counts red / yellow / green for problems and dispatches', () => {
    expect(e.colors).toEqual({
      problems: { red: 2, yellow: 1, green: 1, onTrack: 3 }, // red P2 P4, yellow P7, green P5
      dispatches: { red: 1, yellow: 1, green: 1, onTrack: 1 }, // red D1/C1, yellow D2, green D1/C2
      total: { red: 3, yellow: 2, green: 2, onTrack: 4 },
    });
  });

  it('lists overdue dispatches and counts them per cadre', () => {
    expect(e.overdueDispatches).toEqual([
      expect.objectContaining({
        dispatchId: 'D1',
        cadreId: 'C1',
        number: '派〔2026〕1号',
        daysOverdue: 2,
        color: 'red',
      }),
    ]);
    expect(cadre(e, 'C1').overdueDispatches).toBe(1);
    expect(e.dispatches.map((d) => [d.dispatchId, d.cadreId])).toEqual([
      ['D1', 'C1'],
      ['D1', 'C2'],
      ['D2', 'C2'],
      ['D3', 'C3'],
    ]);
  });

  it('derives a minor problem from an absence at the headcount, only for the week of the headcount', () => {
    expect(e.absences).toEqual([
      {
        inspectionId: 'I1',
        cadreId: 'C2',
        villageId: 'V-C2',
        townshipId: 'T1',
        date: '2026-11-17',
        severity: 'minor',
      },
    ]);
    expect(cadre(e, 'C2').reasons).toContainEqual({
      kind: 'absence',
      inspectionId: 'I1',
      date: '2026-11-17',
      severity: 'minor',
      weight: 1,
    });
  });

  it('explains a tier with the facts behind it', () => {
    expect(cadre(e, 'C1').reasons).toEqual([
      {
        kind: 'openProblem',
        problemId: 'P1',
        severity: 'minor',
        falseRectification: false,
        falseRectifications: 0,
        weight: 1,
      },
      {
        kind: 'openProblem',
        problemId: 'P2',
        severity: 'severe',
        falseRectification: false,
        falseRectifications: 0,
        weight: 1,
      },
      {
        kind: 'openProblem',
        problemId: 'P3',
        severity: 'minor',
        falseRectification: true,
        falseRectifications: 1,
        weight: 2,
      },
    ]);
    expect(cadre(e, 'C3').reasons).toContainEqual({
      kind: 'commendation',
      inspectionId: 'I2',
      date: '2026-11-19',
    });
  });

  it('ignores facts about cadres it was not asked to place, except in matter-level counts', () => {
    expect(e.cadres.map((c) => c.cadreId)).not.toContain('CX');
    expect(e.problems.map((p) => p.problemId)).toContain('P8');
  });

  it('computes effectiveness per township and county-wide', () => {
    expect(e.effectiveness.county.current).toEqual({
      presence: { present: 3, counted: 4, rate: 0.75 },
      rectification: { verified: 1, medianHours: 60 },
      directReports: { count: 3, cadres: 4, perCadre: 0.75 },
      acknowledgement: { acknowledged: 3, pending: 1, medianMinutes: 60 },
    });
    expect(e.effectiveness.county.previous).toBeNull();
    expect(e.effectiveness.townships.map((t) => [t.townshipId, t.current])).toEqual([
      [
        'T1',
        {
          presence: { present: 1, counted: 2, rate: 0.5 },
          rectification: { verified: 1, medianHours: 60 },
          directReports: { count: 2, cadres: 2, perCadre: 1 },
          acknowledgement: { acknowledged: 3, pending: 0, medianMinutes: 60 },
        },
      ],
      [
        'T2',
        {
          // C4 has no township of their own: their headcount goes to the village's township (T2),
          // but they are not one of T2's cadres.
          presence: { present: 2, counted: 2, rate: 1 },
          rectification: { verified: 0, medianHours: null },
          directReports: { count: 1, cadres: 1, perCadre: 1 },
          acknowledgement: { acknowledged: 0, pending: 1, medianMinutes: null },
        },
      ],
    ]);
  });
});

describe('as of an instant: nothing later changes the result', () => {
  it.each<[string, ProblemEvent[], string, string]>([
    ['verified in the last millisecond of Sunday', accepted('2026-11-22 23:59:59.999'), END, 'none'],
    ['verified at Monday 00:00 of the next week', accepted('2026-11-23 00:00'), END, 'selfCriticism'],
    [
      'verified on Thursday, evaluated on Wednesday',
      accepted('2026-11-19 12:00'),
      iso('2026-11-18 12:00'),
      'selfCriticism',
    ],
    [
      'verified on Wednesday morning, evaluated Wednesday noon',
      accepted('2026-11-18 09:00'),
      iso('2026-11-18 12:00'),
      'none',
    ],
  ])('a problem %s → %s', (_what, events, asOf, tier) => {
    const e = evaluateWeek({
      ...richInput({ asOf }),
      cadres: [cadres[0]!],
      problems: [problem('P1', 'C1', { events })],
      findings: [],
    });
    expect(cadre(e, 'C1').tier).toBe(tier);
  });

  it('ignores what is dated after a provisional asOf', () => {
    const asOf = iso('2026-11-18 12:00');
    const e = evaluateWeek(richInput({ asOf }));
    expect(e.provisional).toBe(true);
    expect(e.asOf).toBe(asOf);
    // P7 is found on Friday; I2 (Thursday) and I3 (Friday) have not happened yet.
    expect(e.problems.map((p) => p.problemId)).not.toContain('P7');
    expect(e.effectiveness.county.current.presence).toEqual({ present: 1, counted: 2, rate: 0.5 });
    expect(cadre(e, 'C3').tier).toBe('none');
    expect(cadre(e, 'C4').tier).toBe('none');
    // D1 is not overdue until Friday night; R3 was sent this morning.
    expect(e.overdueDispatches).toEqual([]);
    expect(e.effectiveness.county.current.acknowledgement).toEqual({
      acknowledged: 3,
      pending: 1,
      medianMinutes: 60,
    });
    // D1 for C2 was reported done on Thursday: on Wednesday it was still open, due within 3 days.
    expect(e.dispatches.find((d) => d.dispatchId === 'D1' && d.cadreId === 'C2')).toMatchObject({
      doneAt: null,
      color: 'yellow',
    });
  });

  it('ignores a dispatch issued after asOf and an acknowledgement after asOf', () => {
    const asOf = iso('2026-11-16 09:30');
    const e = evaluateWeek(
      richInput({
        asOf,
        dispatches: [dispatch('D9', 'C1', { createdAt: iso('2026-11-16 10:00') })],
        directReports: [report('R1', 'C1', '2026-11-16 09:00', '2026-11-16 10:00')],
      }),
    );
    expect(e.dispatches).toEqual([]);
    expect(e.effectiveness.county.current.acknowledgement).toEqual({
      acknowledged: 0,
      pending: 1,
      medianMinutes: null,
    });
  });

  it('gives the same result when re-run later with events that happened after the week', () => {
    const base = richInput();
    const later = richInput({
      problems: base.problems.map((p) => ({ ...p, events: [...p.events, ...accepted('2026-11-25 10:00')] })),
      findings: [...base.findings, finding('I9', 'C1', { date: '2026-11-23', commend: true })],
      directReports: base.directReports.map((r) =>
        r.acknowledgedAt ? r : { ...r, acknowledgedAt: iso('2026-11-23 08:00') },
      ),
    });
    expect(evaluateWeek(later)).toEqual(evaluateWeek(base));
  });

  it('changes (a revision) when a late record is dated inside the finished week, and says so by its fingerprint', () => {
    const first = evaluateWeek(richInput());
    const again = evaluateWeek(richInput());
    const base = richInput();
    // An offline inspection from Saturday, synced on Tuesday of the next week.
    const revised = evaluateWeek(
      richInput({
        findings: [
          ...base.findings,
          finding('I5', 'C4', { date: '2026-11-21', present: false, townshipId: 'T2' }),
        ],
      }),
    );
    expect(evaluationFingerprint(again)).toBe(evaluationFingerprint(first));
    expect(evaluationFingerprint(revised)).not.toBe(evaluationFingerprint(first));
    expect(cadre(revised, 'C4').tier).toBe('selfCriticism');
  });
});

describe('determinism', () => {
  it.each([1, 2, 3, 42, 1234])(
    'gives the same evaluation whatever order the facts arrive in (seed %i)',
    (seed) => {
      const base = richInput({ majorFailures: failures });
      const reordered: WeekInput = {
        ...base,
        cadres: shuffled(base.cadres, seed),
        problems: shuffled(base.problems, seed + 1).map((p) => ({
          ...p,
          events: shuffled(p.events, seed + 2),
        })),
        findings: shuffled(base.findings, seed + 3),
        dispatches: shuffled(base.dispatches, seed + 4),
        directReports: shuffled(base.directReports, seed + 5),
        majorFailures: shuffled(base.majorFailures ?? [], seed + 6),
      };
      const a = evaluateWeek(base);
      const b = evaluateWeek(reordered);
      expect(b).toEqual(a);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      expect(evaluationFingerprint(b)).toBe(evaluationFingerprint(a));
    },
  );

  it('merges a problem passed twice (open list and week list) into one', () => {
    const base = richInput();
    const p3 = base.problems.find((p) => p.id === 'P3')!;
    const e = evaluateWeek({ ...base, problems: [...base.problems, { ...p3, events: [p3.events[0]!] }] });
    expect(e).toEqual(evaluateWeek(base));
  });

  it('does not depend on the rank of anyone: the engine is not told it', () => {
    const withRank = cadres.map((c) => ({ ...c, rank: c.id === 'C1' ? 'county' : 'general' }));
    expect(evaluateWeek(richInput({ cadres: withRank }))).toEqual(evaluateWeek(richInput()));
  });
});

const failures: MajorFailureFact[] = [
  {
    id: 'M1',
    type: 'drinking_water_loss',
    occurredOn: '2026-11-18',
    villageId: 'V-C1',
    townshipId: 'T1',
    cadreIds: ['C1', 'C2'],
  },
  {
    id: 'M2',
    type: 'water_dispute',
    occurredOn: '2026-11-19',
    villageId: 'V-C3',
    townshipId: 'T2',
    cadreIds: ['C3'],
    serious: true,
    summary: '两组争水',
  },
  {
    id: 'M3',
    type: 'late_sowing',
    occurredOn: '2026-11-19',
    villageId: 'V-C3',
    townshipId: 'T2',
    cadreIds: ['C3'],
  },
  {
    id: 'M4',
    type: 'avoidable_crop_failure',
    occurredOn: '2026-11-12',
    villageId: 'V-C3',
    townshipId: 'T2',
    cadreIds: ['C3'],
  },
];

describe('major failures', () => {
  const e = evaluateWeek(richInput({ majorFailures: failures }));

  it.each([
    ['M1', '人畜饮水中断', 'notice_of_criticism', '通报批评'],
    ['M2', '因水源发生群体性纠纷', 'disciplinary_recommendation', '纪律处分建议'],
  ])('lists %s (%s) with its predefined consequence %s', (id, name, consequence, label) => {
    expect(e.majorFailures.find((m) => m.id === id)).toMatchObject({
      name,
      consequence,
      consequenceLabel: label,
    });
  });

  it('does not treat a type the rules never defined as a major failure', () => {
    expect(e.majorFailures.map((m) => m.id)).toEqual(['M1', 'M2']);
    expect(e.unrecognizedMajorFailures).toEqual([{ id: 'M3', type: 'late_sowing' }]);
  });

  it('links the responsible cadres', () => {
    expect(cadre(e, 'C1').majorFailureIds).toEqual(['M1']);
    expect(cadre(e, 'C3').majorFailureIds).toEqual(['M2']);
  });
});

describe('the circle against last week', () => {
  const previous = (tiers: Record<string, [string, number]>): PreviousWeek => ({
    week: '2026-W46',
    cadres: Object.entries(tiers).map(([cadreId, [tier, weeks]]) => ({
      cadreId,
      tier: tier as PreviousWeek['cadres'][number]['tier'],
      circle: { member: weeks > 0, weeks },
    })),
    effectiveness: {
      county: { current: evaluateWeek(richInput()).effectiveness.county.current },
      townships: [],
    },
  });
  const fiveProblems = (cadreId: string) => [1, 2, 3, 4, 5].map((n) => problem(`${cadreId}-${n}`, cadreId));
  const input = (prev: PreviousWeek | null, problems: ProblemFact[]) =>
    richInput({ previous: prev, problems, findings: [], dispatches: [], directReports: [] });

  it.each<[string, [string, number] | undefined, number, string, string | null, number]>([
    ['enters from outside', undefined, 3, 'entered', 'reminderTalk', 1],
    ['enters from self-criticism', ['selfCriticism', 0], 3, 'entered', 'reminderTalk', 1],
    ['stays in the same tier', ['reminderTalk', 1], 4, 'stayed', null, 2],
    ['goes deeper', ['reminderTalk', 2], 5, 'deepened', 'admonishmentTalk', 3],
    ['eases within the circle', ['admonishmentTalk', 1], 3, 'eased', 'reminderTalk', 2],
    ['exits after rectifying', ['admonishmentTalk', 4], 0, 'exited', null, 0],
    ['stays outside', ['selfCriticism', 0], 1, 'outside', null, 0],
  ])('a cadre who %s', (_what, last, open, movement, notice, weeks) => {
    const prev = previous(last ? { C1: last } : {});
    const e = evaluateWeek(input(prev, fiveProblems('C1').slice(0, open)));
    const c1 = cadre(e, 'C1');
    expect(c1.circle.movement).toBe(movement);
    expect(c1.circle.weeks).toBe(weeks);
    expect(c1.talkNotice).toBe(notice);
    expect(e.talkNotices).toEqual(notice ? [{ cadreId: 'C1', tier: notice }] : []);
  });

  it('lists entered, stayed, deepened and exited cadres', () => {
    const prev = previous({ C1: ['reminderTalk', 1], C2: ['admonishmentTalk', 1], C3: ['reminderTalk', 1] });
    const e = evaluateWeek(
      input(prev, [...fiveProblems('C1'), ...fiveProblems('C2'), ...fiveProblems('C4').slice(0, 3)]),
    );
    expect(e.circle).toEqual({
      members: ['C1', 'C2', 'C4'],
      entered: ['C4'],
      stayed: ['C1', 'C2'],
      deepened: ['C1'],
      exited: ['C3'],
    });
  });

  it('does not report a cadre no longer on the roster as having left the circle', () => {
    const e = evaluateWeek(input(previous({ C9: ['admonishmentTalk', 3] }), []));
    expect(e.circle.exited).toEqual([]);
  });

  it.each<[string, Partial<RuleSet['remedialTraining']>, [string, number] | undefined, number, string[]]>([
    ['reminder talk in the first week: not yet', {}, undefined, 3, []],
    ['reminder talk two weeks running', {}, ['reminderTalk', 1], 3, ['consecutiveWeeks']],
    ['admonishment talk in the first week', {}, undefined, 5, ['tier']],
    [
      'every circle member when the rules say one week',
      { minConsecutiveCircleWeeks: 1, tiers: [] },
      undefined,
      3,
      ['consecutiveWeeks'],
    ],
    ['outside the circle: never', { minConsecutiveCircleWeeks: 1 }, undefined, 2, []],
  ])('remedial training: %s', (_what, training, last, open, reasons) => {
    const ruleSet = {
      ...DEFAULT_RULE_SET,
      remedialTraining: { ...DEFAULT_RULE_SET.remedialTraining, ...training },
    };
    const e = evaluateWeek({
      ...input(previous(last ? { C1: last } : {}), fiveProblems('C1').slice(0, open)),
      ruleSet,
    });
    expect(cadre(e, 'C1').remedialTraining).toEqual(reasons);
    expect(e.remedialTraining).toEqual(reasons.length ? ['C1'] : []);
  });

  it('sets each figure beside last week’s, per township', () => {
    const lastWeek = evaluateWeek(richInput({ week: '2026-W46', asOf: weekEndInstant('2026-W46') }));
    const e = evaluateWeek(richInput({ previous: lastWeek }));
    expect(e.effectiveness.county.previous).toEqual(lastWeek.effectiveness.county.current);
    const t1 = e.effectiveness.townships.find((t) => t.townshipId === 'T1')!;
    expect(t1.previous).toEqual(
      lastWeek.effectiveness.townships.find((t) => t.townshipId === 'T1')?.current ?? null,
    );
  });
});

describe('refusing inputs that cannot be evaluated', () => {
  it.each<[string, Partial<WeekInput>]>([
    ['asOf before the week', { asOf: iso('2026-11-15 23:59') }],
    ['asOf after the week', { asOf: iso('2026-11-23 00:00') }],
    ['asOf that is not an instant', { asOf: 'yesterday' }],
    ['a week that does not exist', { week: '2026-W54' }],
    [
      'last week’s evaluation from the wrong week',
      {
        previous: {
          week: '2026-W45',
          cadres: [],
          effectiveness: {
            county: { current: evaluateWeek(richInput()).effectiveness.county.current },
            townships: [],
          },
        },
      },
    ],
    ['a cadre listed twice', { cadres: [...cadres, cadres[0]!] }],
    [
      'a rule set that starts after the week',
      { ruleSet: { ...DEFAULT_RULE_SET, effectiveFrom: '2026-11-23' } },
    ],
  ])('%s', (_what, over) => {
    expect(() => evaluateWeek(richInput(over))).toThrow(RangeError);
  });
});
