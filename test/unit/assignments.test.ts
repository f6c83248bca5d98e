import { describe, expect, it } from 'vitest';
import {
  type ActiveChief,
  type AssignmentFacts,
  type CoverageVillage,
  cadresChiefOfSeveral,
  chiefAmong,
  classifySlotHolder,
  computeCoverage,
  defaultEndDate,
  effectiveOn,
  endDateProblem,
  findPeriodClash,
} from '../../functions/core/assignments.ts';

const asg = (over: Partial<AssignmentFacts> & Pick<AssignmentFacts, 'id'>): AssignmentFacts => ({
  cadreId: 'C1',
  villageId: 'V1',
  townshipId: 'T1',
  role: 'chief',
  from: '2026-01-01',
  to: null,
  ...over,
});

describe('effectiveOn (half-open period: from inclusive, to exclusive)', () => {
  it.each([
    ['before the start', { from: '2026-03-01', to: null }, '2026-02-28', false],
    ['on the start day', { from: '2026-03-01', to: null }, '2026-03-01', true],
    ['long after the start while running', { from: '2026-03-01', to: null }, '2027-01-01', true],
    ['on the last responsible day', { from: '2026-03-01', to: '2026-06-30' }, '2026-06-29', true],
    [
      'on the end day (the successor takes over)',
      { from: '2026-03-01', to: '2026-06-30' },
      '2026-06-30',
      false,
    ],
    ['after the end', { from: '2026-03-01', to: '2026-06-30' }, '2026-07-15', false],
    ['an empty period on its only day', { from: '2026-03-01', to: '2026-03-01' }, '2026-03-01', false],
    ['with to left out', { from: '2026-03-01' }, '2026-03-02', true],
  ])('%s → %s', (_case, period, date, expected) => {
    expect(effectiveOn(period, date)).toBe(expected);
  });

  it('leaves exactly one chief responsible on every day around a handover', () => {
    const old = asg({ id: 'A', cadreId: 'C1', from: '2026-01-01', to: '2026-06-30' });
    const successor = asg({ id: 'B', cadreId: 'C2', from: '2026-06-30' });
    for (const day of ['2026-06-28', '2026-06-29', '2026-06-30', '2026-07-01']) {
      expect([old, successor].filter((a) => effectiveOn(a, day))).toHaveLength(1);
    }
  });
});

describe('end dates', () => {
  it.each([
    ['a running assignment defaults to today', '2026-01-01', '2026-11-24', '2026-11-24'],
    ['one starting today defaults to today', '2026-11-24', '2026-11-24', '2026-11-24'],
    [
      'a planned one defaults to its start (cancelled, never effective)',
      '2026-12-01',
      '2026-11-24',
      '2026-12-01',
    ],
  ])('%s', (_case, from, today, expected) => {
    expect(defaultEndDate({ from }, today)).toBe(expected);
  });

  it.each([
    ['after the start', '2026-03-01', '2026-04-01', undefined],
    ['on the start day (an empty period)', '2026-03-01', '2026-03-01', undefined],
    ['before the start', '2026-03-01', '2026-02-28', /不能早于开始日期/],
  ])('an end %s is %s', (_case, from, to, expected) => {
    const problem = endDateProblem({ from }, to);
    if (expected) expect(problem).toMatch(expected);
    else expect(problem).toBeUndefined();
  });
});

describe('findPeriodClash', () => {
  const endedChief = asg({ id: 'OLD', cadreId: 'C1', from: '2026-01-01', to: '2026-06-30' });
  const endedMember = asg({ id: 'MEM', cadreId: 'C3', role: 'member', from: '2026-01-01', to: '2026-06-30' });
  const emptyChief = asg({ id: 'NIL', cadreId: 'C4', from: '2026-02-01', to: '2026-02-01' });

  it.each([
    [
      'a chief starting on the old chief’s end day',
      { cadreId: 'C2', role: 'chief', from: '2026-06-30' },
      undefined,
    ],
    [
      'a chief starting after the old chief ended',
      { cadreId: 'C2', role: 'chief', from: '2026-08-01' },
      undefined,
    ],
    [
      'a chief back-dated into the old chief’s period',
      { cadreId: 'C2', role: 'chief', from: '2026-05-01' },
      'chief',
    ],
    [
      'a chief back-dated before the old chief started',
      { cadreId: 'C2', role: 'chief', from: '2025-01-01' },
      'chief',
    ],
    [
      'a member back-dated into a chief’s period',
      { cadreId: 'C2', role: 'member', from: '2026-05-01' },
      undefined,
    ],
    [
      'the same member back-dated into their own old period',
      { cadreId: 'C3', role: 'member', from: '2026-05-01' },
      'cadre',
    ],
    [
      'the same member starting after their old period',
      { cadreId: 'C3', role: 'member', from: '2026-06-30' },
      undefined,
    ],
    [
      'the old chief returning as member inside their period',
      { cadreId: 'C1', role: 'member', from: '2026-03-01' },
      'cadre',
    ],
  ] as const)('%s → %s', (_case, candidate, expected) => {
    const clash = findPeriodClash([endedChief, endedMember, emptyChief], {
      id: 'NEW',
      villageId: 'V1',
      ...candidate,
    });
    expect(clash?.kind).toBe(expected);
  });

  it('ignores the candidate itself (a retry finds its own item in the history)', () => {
    const self = asg({ id: 'NEW', cadreId: 'C2', from: '2026-08-01' });
    expect(
      findPeriodClash([self], {
        id: 'NEW',
        villageId: 'V1',
        cadreId: 'C2',
        role: 'chief',
        from: '2026-08-01',
      }),
    ).toBeUndefined();
  });

  it('ignores other villages', () => {
    const elsewhere = asg({ id: 'X', villageId: 'V9', from: '2026-01-01' });
    expect(
      findPeriodClash([elsewhere], {
        id: 'NEW',
        villageId: 'V1',
        cadreId: 'C2',
        role: 'chief',
        from: '2026-03-01',
      }),
    ).toBeUndefined();
  });

  it('reports a running chief as a clash (a safety net behind the chief slot)', () => {
    const running = asg({ id: 'RUN', cadreId: 'C1', from: '2026-01-01' });
    expect(
      findPeriodClash([running], {
        id: 'NEW',
        villageId: 'V1',
        cadreId: 'C2',
        role: 'chief',
        from: '2027-01-01',
      })?.kind,
    ).toBe('chief');
  });
});

describe('chiefAmong', () => {
  const history = [
    asg({ id: 'A', cadreId: 'C1', from: '2025-01-01', to: '2026-03-01' }),
    asg({ id: 'B', cadreId: 'C2', from: '2026-03-01' }),
    asg({ id: 'M', cadreId: 'C3', role: 'member', from: '2025-01-01' }),
  ];
  it.each([
    ['2024-12-31', undefined],
    ['2025-06-01', 'C1'],
    ['2026-02-28', 'C1'],
    ['2026-03-01', 'C2'],
    ['2026-11-24', 'C2'],
  ])('on %s the chief is %s', (date, cadreId) => {
    expect(chiefAmong(history, date)?.cadreId).toBe(cadreId);
  });

  it('prefers the later start when old data holds two chiefs on one day', () => {
    const overlapping = [
      asg({ id: 'A', cadreId: 'C1', from: '2026-01-01' }),
      asg({ id: 'B', cadreId: 'C2', from: '2026-02-01' }),
    ];
    expect(chiefAmong(overlapping, '2026-03-01')?.cadreId).toBe('C2');
  });
});

describe('classifySlotHolder', () => {
  const now = new Date('2026-11-24T10:00:00.000Z');
  it.each([
    ['a running holder', 'active', '2026-11-24T09:59:59.000Z', 'live'],
    ['an ended holder (crash after the end, before releasing)', 'ended', '2026-11-24T09:59:59.000Z', 'stale'],
    ['a voided holder', 'void', '2026-11-24T09:59:59.000Z', 'stale'],
    [
      'no item yet, claimed a moment ago (a create in flight)',
      undefined,
      '2026-11-24T09:59:59.000Z',
      'pending',
    ],
    [
      'no item, claimed long ago (crash between the two writes)',
      undefined,
      '2026-11-24T09:50:00.000Z',
      'orphan',
    ],
    ['no item and no claim time', undefined, undefined, 'orphan'],
  ] as const)('%s → %s', (_case, holder, claimedAt, expected) => {
    expect(classifySlotHolder(holder, claimedAt, now)).toBe(expected);
  });
});

describe('computeCoverage', () => {
  const villages: CoverageVillage[] = [
    { id: 'V1', name: '一村', townshipId: 'T1', category: 'deep' },
    { id: 'V2', name: '二村', townshipId: 'T1', category: 'general' },
    { id: 'V3', name: '三村', townshipId: 'T1', category: 'non' },
  ];

  it('lists villages without a chief and chiefs of several villages, with counts', () => {
    const chiefs: ActiveChief[] = [
      { cadreId: 'C1', villageId: 'V1', townshipId: 'T1' },
      { cadreId: 'C1', villageId: 'V2', townshipId: 'T1' },
    ];
    const report = computeCoverage(villages, chiefs, { cadreNames: new Map([['C1', '张三']]) });
    expect(report.villagesWithoutChief).toEqual([
      { id: 'V3', name: '三村', townshipId: 'T1', category: 'non' },
    ]);
    expect(report.chiefsWithSeveralVillages).toEqual([
      {
        cadreId: 'C1',
        name: '张三',
        villages: [
          { id: 'V1', name: '一村', townshipId: 'T1' },
          { id: 'V2', name: '二村', townshipId: 'T1' },
        ],
      },
    ]);
    expect(report.counts).toEqual({ villages: 3, villagesWithoutChief: 1, chiefsWithSeveralVillages: 1 });
  });

  it.each([
    ['no villages', [], [], 0, 0],
    [
      'every village with its own chief',
      villages,
      villages.map((v, i) => ({ cadreId: `C${i}`, villageId: v.id, townshipId: 'T1' })),
      0,
      0,
    ],
    ['no chief anywhere', villages, [], 3, 0],
    [
      'a chief listed twice for one village (counted once)',
      villages,
      [
        { cadreId: 'C1', villageId: 'V1', townshipId: 'T1' },
        { cadreId: 'C1', villageId: 'V1', townshipId: 'T1' },
      ],
      2,
      0,
    ],
  ] as const)('with %s', (_case, vs, chiefs, without, several) => {
    const report = computeCoverage(vs, chiefs);
    expect(report.counts).toEqual({
      villages: vs.length,
      villagesWithoutChief: without,
      chiefsWithSeveralVillages: several,
    });
  });

  it('counts a chief of one village in the township and one elsewhere, naming the other village', () => {
    const chiefs: ActiveChief[] = [
      { cadreId: 'C1', villageId: 'V1', townshipId: 'T1' },
      { cadreId: 'C1', villageId: 'W1', townshipId: 'T2' },
      { cadreId: 'C2', villageId: 'W2', townshipId: 'T2' },
      { cadreId: 'C2', villageId: 'W3', townshipId: 'T2' },
    ];
    const report = computeCoverage(villages, chiefs, {
      townshipId: 'T1',
      villageNames: new Map([['W1', '外村']]),
    });
    expect(report.chiefsWithSeveralVillages).toEqual([
      {
        cadreId: 'C1',
        name: 'C1',
        villages: [
          { id: 'V1', name: '一村', townshipId: 'T1' },
          { id: 'W1', name: '外村', townshipId: 'T2' },
        ],
      },
    ]);
    expect(cadresChiefOfSeveral(chiefs)).toEqual(['C1', 'C2']);
    expect(cadresChiefOfSeveral(chiefs, 'T1')).toEqual(['C1']);
  });
});
