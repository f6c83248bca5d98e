import {
  type CadreRef,
  DEFAULT_RULE_SET,
  evaluateWeek,
  evaluationFingerprint,
  type ProblemFact,
  type WeeklyEvaluation,
  weekEndInstant,
} from '../../functions/core/rules/index.ts';
import type { StoredEvaluation } from '../../functions/schemas/bulletins.ts';

/**
 * A small finished week (2026-W47, 16–22 November) for document tests: one cadre per tier, a cadre
 * whose name is markup, a major failure and an overdue dispatch.
 */
export const WEEK = '2026-W47';
const iso = (local: string) => new Date(`${local.replace(' ', 'T')}+08:00`).toISOString();

export interface FixtureIds {
  township: string;
  village: string;
  /** Reminder talk (3 problems), named `<script>alert(1)</script>`. */
  evil: string;
  /** Admonishment talk (5 problems). */
  heavy: string;
  /** Commended. */
  good: string;
  /** Self-criticism (1 problem). */
  light: string;
}

export const EVIL_NAME = '<script>alert(1)</script>';

export function fixtureIds(prefix = ''): FixtureIds {
  return {
    township: `${prefix}T1`,
    village: `${prefix}V1`,
    evil: `${prefix}C1`,
    heavy: `${prefix}C2`,
    good: `${prefix}C3`,
    light: `${prefix}C4`,
  };
}

export const FIXTURE_NAMES = { evil: EVIL_NAME, heavy: '张三', good: '李四', light: '王五' } as const;

export function fixtureEvaluation(ids: FixtureIds = fixtureIds()): WeeklyEvaluation {
  const cadres: CadreRef[] = [
    { id: ids.evil, name: EVIL_NAME, townshipId: ids.township },
    { id: ids.heavy, name: FIXTURE_NAMES.heavy, townshipId: ids.township },
    { id: ids.good, name: FIXTURE_NAMES.good, townshipId: ids.township },
    { id: ids.light, name: FIXTURE_NAMES.light, townshipId: ids.township },
  ];
  const problem = (n: number, cadreId: string): ProblemFact => ({
    id: `${cadreId}-P${n}`,
    cadreId,
    villageId: ids.village,
    townshipId: ids.township,
    severity: n === 1 ? 'major' : 'minor',
    foundOn: '2026-11-17',
    inspectionId: 'I1',
    events: [],
  });
  const problems = [
    ...[1, 2, 3].map((n) => problem(n, ids.evil)),
    ...[1, 2, 3, 4, 5].map((n) => problem(n, ids.heavy)),
    problem(1, ids.light),
  ];
  return evaluateWeek({
    week: WEEK,
    asOf: weekEndInstant(WEEK),
    ruleSet: DEFAULT_RULE_SET,
    cadres,
    problems,
    findings: [
      ...cadres.map((c) => ({
        inspectionId: 'I1',
        cadreId: c.id,
        villageId: ids.village,
        townshipId: ids.township,
        date: '2026-11-17',
        present: true,
        commend: c.id === ids.good,
      })),
    ],
    dispatches: [
      {
        dispatchId: 'D1',
        number: '派〔2026〕7号',
        title: '水源巡查',
        cadreId: ids.heavy,
        villageId: ids.village,
        townshipId: ids.township,
        createdAt: iso('2026-11-02 09:00'),
        deadline: iso('2026-11-20 23:59:59.999'),
        status: 'pending',
      },
    ],
    directReports: [],
    majorFailures: [
      {
        id: 'MF1',
        type: 'drinking_water_loss',
        occurredOn: '2026-11-19',
        villageId: ids.village,
        townshipId: ids.township,
        cadreIds: [ids.heavy],
        summary: '供水管道冻裂，全村停水两天。',
      },
    ],
    previous: null,
  });
}

export function storedFixture(revision = 1, evaluation = fixtureEvaluation()): StoredEvaluation {
  return {
    week: evaluation.week,
    revision,
    revised: revision > 1,
    provisional: evaluation.provisional,
    ruleSetVersion: evaluation.ruleSetVersion,
    evaluatedAt: '2026-11-23T00:00:00.000Z',
    fingerprint: evaluationFingerprint(evaluation),
    evaluation,
  };
}

/** Monday 23 November 2026, 08:00 Beijing: when the weekly job runs for W47. */
export const ISSUE_TIME = new Date('2026-11-23T00:00:00.000Z');
