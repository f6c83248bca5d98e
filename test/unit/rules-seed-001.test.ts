/**
 * Seed 001: the 进退严圈 township (桶井乡, September 2018). At the meeting of 12 September, 5 cadres were
 * commended, 7 made self-criticism speeches, 7 had reminder talks and 6 admonishment talks; the last two
 * groups formed the circle, which a cadre leaves by the next inspection once the rectification holds.
 * Here 25 cadres' facts for week 2018-W37 reproduce those numbers, and week 2018-W38 moves the circle.
 */
import { describe, expect, it } from 'vitest';
import {
  type CadreRef,
  DEFAULT_RULE_SET,
  evaluateWeek,
  type FindingFact,
  type ProblemEvent,
  type ProblemFact,
  type Tier,
  type WeeklyEvaluation,
  weekEndInstant,
} from '../../functions/core/rules/index.ts';

const iso = (local: string) => new Date(`${local.replace(' ', 'T')}+08:00`).toISOString();
const TOWNSHIP = 'TJX';
const W1 = '2018-W37'; // 10–16 September 2018
const W2 = '2018-W38'; // 17–23 September 2018

interface Profile {
  /** Open problems with no rectification yet. */
  plain?: number;
  /** Open problems whose rectification was rejected (虚假整改). */
  falseRect?: number;
  /** Open problems with a rectification awaiting verification. */
  awaiting?: number;
  /** A problem rectified and verified within the week (no longer counts). */
  closed?: number;
  /** Absent at the headcount of the week's inspection. */
  absent?: boolean;
  /** Commended by the inspection team. */
  commend?: boolean;
  severe?: number;
}

/** id, name, profile, the tier seed 001 put them in, their weighted count. */
const SPEC: [string, string, Profile, Tier, number][] = [
  ['C01', '卓明', { commend: true }, 'commended', 0],
  ['C02', '杨帆', { commend: true }, 'commended', 0],
  ['C03', '陈立', { commend: true, closed: 1 }, 'commended', 0],
  ['C04', '田野', { commend: true, closed: 2 }, 'commended', 0],
  ['C05', '龙江', { commend: true }, 'commended', 0],
  ['C06', '张晓', { plain: 1 }, 'selfCriticism', 1],
  ['C07', '李卫', { plain: 2 }, 'selfCriticism', 2],
  ['C08', '王岚', { falseRect: 1 }, 'selfCriticism', 2],
  ['C09', '赵峰', { absent: true }, 'selfCriticism', 1],
  ['C10', '孙悦', { plain: 1, awaiting: 1 }, 'selfCriticism', 2],
  ['C11', '周斌', { severe: 1 }, 'selfCriticism', 1],
  ['C12', '吴静', { plain: 1, commend: true }, 'selfCriticism', 1],
  ['C13', '郑凯', { plain: 3 }, 'reminderTalk', 3],
  ['C14', '冯雪', { plain: 4 }, 'reminderTalk', 4],
  ['C15', '何平', { falseRect: 1, plain: 1 }, 'reminderTalk', 3],
  ['C16', '罗敏', { falseRect: 2 }, 'reminderTalk', 4],
  ['C17', '梁宇', { plain: 2, absent: true }, 'reminderTalk', 3],
  ['C18', '宋涛', { awaiting: 3 }, 'reminderTalk', 3],
  ['C19', '唐红', { falseRect: 1, plain: 2 }, 'reminderTalk', 4],
  ['C20', '许刚', { plain: 5 }, 'admonishmentTalk', 5],
  ['C21', '韩梅', { plain: 6 }, 'admonishmentTalk', 6],
  ['C22', '曹阳', { falseRect: 2, plain: 1 }, 'admonishmentTalk', 5],
  ['C23', '邓辉', { falseRect: 3 }, 'admonishmentTalk', 6],
  ['C24', '彭亮', { plain: 4, absent: true }, 'admonishmentTalk', 5],
  ['C25', '蒋勇', { plain: 10 }, 'admonishmentTalk', 10],
];

const cadres: CadreRef[] = SPEC.map(([id, name]) => ({ id, name, townshipId: TOWNSHIP }));

/** Week 1's facts, built from the profiles: problems found at the Monday inspection of each village. */
function week1Facts(): { problems: ProblemFact[]; findings: FindingFact[] } {
  const problems: ProblemFact[] = [];
  const findings: FindingFact[] = [];
  for (const [cadreId, , p] of SPEC) {
    const villageId = `V${cadreId.slice(1)}`;
    let n = 0;
    const add = (events: ProblemEvent[], severity: ProblemFact['severity'] = 'minor') => {
      n += 1;
      problems.push({
        id: `${cadreId}-P${n}`,
        cadreId,
        villageId,
        townshipId: TOWNSHIP,
        severity,
        foundOn: '2018-09-10',
        inspectionId: `I-${villageId}`,
        events,
      });
    };
    for (let i = 0; i < (p.plain ?? 0); i++) add([]);
    for (let i = 0; i < (p.severe ?? 0); i++) add([], 'severe');
    for (let i = 0; i < (p.falseRect ?? 0); i++)
      add([
        { kind: 'rectification', at: iso('2018-09-11 10:00'), id: `${cadreId}-R${n + 1}` },
        {
          kind: 'verification',
          outcome: 'rejected',
          at: iso('2018-09-12 10:00'),
          id: `${cadreId}-X${n + 1}`,
        },
      ]);
    for (let i = 0; i < (p.awaiting ?? 0); i++)
      add([{ kind: 'rectification', at: iso('2018-09-13 10:00'), id: `${cadreId}-R${n + 1}` }]);
    for (let i = 0; i < (p.closed ?? 0); i++)
      add([
        { kind: 'rectification', at: iso('2018-09-11 10:00') },
        { kind: 'verification', outcome: 'accepted', at: iso('2018-09-12 16:00') },
      ]);
    findings.push({
      inspectionId: `I-${villageId}`,
      cadreId,
      villageId,
      townshipId: TOWNSHIP,
      date: '2018-09-10',
      present: !p.absent,
      commend: p.commend ?? false,
    });
  }
  return { problems, findings };
}

function evaluateWeek1(): WeeklyEvaluation {
  const { problems, findings } = week1Facts();
  return evaluateWeek({
    week: W1,
    asOf: weekEndInstant(W1),
    ruleSet: DEFAULT_RULE_SET,
    cadres,
    problems,
    findings,
    dispatches: [],
    directReports: [],
  });
}

const idsOf = (tier: Tier) => SPEC.filter(([, , , t]) => t === tier).map(([id]) => id);

describe('seed 001: the township meeting of 12 September 2018', () => {
  const week1 = evaluateWeek1();

  it('places 5 commended, 7 self-criticism, 7 reminder talks and 6 admonishment talks', () => {
    expect({
      commended: week1.tiers.commended.length,
      selfCriticism: week1.tiers.selfCriticism.length,
      reminderTalk: week1.tiers.reminderTalk.length,
      admonishmentTalk: week1.tiers.admonishmentTalk.length,
    }).toEqual({ commended: 5, selfCriticism: 7, reminderTalk: 7, admonishmentTalk: 6 });
    expect(week1.tiers).toEqual({
      commended: idsOf('commended'),
      selfCriticism: idsOf('selfCriticism'),
      reminderTalk: idsOf('reminderTalk'),
      admonishmentTalk: idsOf('admonishmentTalk'),
    });
    expect(week1.provisional).toBe(false);
    expect(week1.ruleSetVersion).toBe(1);
  });

  it.each(SPEC)('%s %s: %o → %s with weighted count %i', (id, name, _profile, tier, count) => {
    const cadre = week1.cadres.find((c) => c.cadreId === id)!;
    expect(cadre).toMatchObject({
      name,
      tier,
      weightedCount: count,
      ruleSetVersion: 1,
      townshipId: TOWNSHIP,
    });
    expect(
      cadre.reasons
        .filter((r) => r.kind !== 'commendation')
        .reduce((s, r) => s + ('weight' in r ? r.weight : 0), 0),
    ).toBe(count);
    expect(cadre.explanation).toContain(tier === 'none' ? '不列档次' : '依第 1 版规则');
  });

  it('puts the 13 reminder and admonishment cadres in the circle, all entering it', () => {
    const circle = [...idsOf('reminderTalk'), ...idsOf('admonishmentTalk')];
    expect(week1.circle).toEqual({ members: circle, entered: circle, stayed: [], deepened: [], exited: [] });
    expect(week1.talkNotices).toEqual(
      circle.map((cadreId) => ({ cadreId, tier: SPEC.find(([id]) => id === cadreId)![3] })),
    );
  });

  it('proposes the admonishment cadres for remedial training in the first week', () => {
    expect(week1.remedialTraining).toEqual(idsOf('admonishmentTalk'));
  });

  it('lists the three absences as derived minor problems, not as rectifiable problems', () => {
    expect(week1.absences.map((a) => [a.cadreId, a.severity])).toEqual([
      ['C09', 'minor'],
      ['C17', 'minor'],
      ['C24', 'minor'],
    ]);
    expect(week1.problems.some((p) => p.cadreId === 'C09')).toBe(false);
    expect(week1.effectiveness.county.current.presence).toEqual({ present: 22, counted: 25, rate: 0.88 });
  });
});

describe('seed 001: the circle a week later', () => {
  const week1 = evaluateWeek1();
  const { problems: w1Problems } = week1Facts();

  // Everyone in the circle rectifies during week 2 and the inspectors accept it, except:
  // C25 does nothing; C24 hands in on Sunday evening but is verified only on Monday of week 3.
  const leavers = [...idsOf('reminderTalk'), ...idsOf('admonishmentTalk')].filter(
    (id) => id !== 'C24' && id !== 'C25',
  );
  const problems: ProblemFact[] = w1Problems.map((p) => {
    if (leavers.includes(p.cadreId) && !p.events.some((e) => e.outcome === 'accepted'))
      return {
        ...p,
        events: [
          ...p.events,
          { kind: 'rectification', at: iso('2018-09-18 09:00'), id: `${p.id}-R2` },
          { kind: 'verification', outcome: 'accepted', at: iso('2018-09-20 15:00'), id: `${p.id}-A2` },
        ],
      };
    if (p.cadreId === 'C24')
      return {
        ...p,
        events: [
          { kind: 'rectification', at: iso('2018-09-23 20:00'), id: `${p.id}-R2` },
          { kind: 'verification', outcome: 'accepted', at: iso('2018-09-24 10:00'), id: `${p.id}-A2` },
        ],
      };
    return p;
  });
  const findings: FindingFact[] = [
    // The inspection team's recognition for a cadre who rectified promptly.
    {
      inspectionId: 'I2-V13',
      cadreId: 'C13',
      villageId: 'V13',
      townshipId: TOWNSHIP,
      date: '2018-09-21',
      present: true,
      commend: true,
    },
  ];
  const week2 = evaluateWeek({
    week: W2,
    asOf: weekEndInstant(W2),
    ruleSet: DEFAULT_RULE_SET,
    cadres,
    problems,
    findings,
    dispatches: [],
    directReports: [],
    previous: week1,
  });

  it('lets the cadres whose rectifications were verified leave the circle', () => {
    expect(week2.circle.exited).toEqual(leavers);
    for (const id of leavers) {
      const cadre = week2.cadres.find((c) => c.cadreId === id)!;
      expect(cadre.circle).toMatchObject({ member: false, movement: 'exited', weeks: 0 });
      expect(['none', 'commended']).toContain(cadre.tier);
    }
    expect(week2.tiers.commended).toContain('C13');
  });

  it('keeps the cadre who did not rectify in the circle, two weeks running, for remedial training', () => {
    const c25 = week2.cadres.find((c) => c.cadreId === 'C25')!;
    expect(c25).toMatchObject({ tier: 'admonishmentTalk', weightedCount: 10, talkNotice: null });
    expect(c25.circle).toEqual({
      member: true,
      movement: 'stayed',
      previousTier: 'admonishmentTalk',
      weeks: 2,
    });
    expect(c25.remedialTraining).toEqual(['tier', 'consecutiveWeeks']);
  });

  it('keeps a cadre whose rectification is not verified by the week end, one tier lighter once the absence lapses', () => {
    const c24 = week2.cadres.find((c) => c.cadreId === 'C24')!;
    expect(c24).toMatchObject({ tier: 'reminderTalk', weightedCount: 4, talkNotice: 'reminderTalk' });
    expect(c24.circle).toEqual({
      member: true,
      movement: 'eased',
      previousTier: 'admonishmentTalk',
      weeks: 2,
    });
    expect(c24.remedialTraining).toEqual(['consecutiveWeeks']);
  });

  it('reports the moved circle', () => {
    expect(week2.circle).toEqual({
      members: ['C24', 'C25'],
      entered: [],
      stayed: ['C24', 'C25'],
      deepened: [],
      exited: leavers,
    });
    expect(week2.remedialTraining).toEqual(['C24', 'C25']);
    // The self-criticism cadres did nothing either: they stay in their tier, outside the circle.
    expect(week2.tiers.selfCriticism).toEqual(['C06', 'C07', 'C08', 'C10', 'C11', 'C12']);
  });

  it('measures the time from finding to verified rectification for the week', () => {
    // The 11 leavers' 36 open problems, found 2018-09-10 (00:00), verified 2018-09-20 15:00: 255 hours.
    const open = SPEC.filter(([id]) => leavers.includes(id)).reduce(
      (n, [, , p]) => n + (p.plain ?? 0) + (p.falseRect ?? 0) + (p.awaiting ?? 0) + (p.severe ?? 0),
      0,
    );
    expect(open).toBe(36);
    expect(week2.effectiveness.county.current.rectification).toEqual({ verified: 36, medianHours: 255 });
    expect(week2.effectiveness.county.previous).toEqual(week1.effectiveness.county.current);
  });
});
