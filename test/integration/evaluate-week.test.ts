import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStoredEvaluation, putFinalRevision } from '../../functions/adapters/dynamo/evaluations.ts';
import type { WeeklyEvaluation } from '../../functions/core/rules/index.ts';
import { weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek, nextIsoWeek } from '../../functions/jobs/evaluate-week.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * The weekly evaluation job against the local stack: facts recorded through the API, the job run in
 * process. Weeks are relative to today: A two weeks ago, B last week, C the current week.
 */
let t: TestStack;
let admin: Caller;
let inspector: Caller;

const today = beijingDate(new Date());
const weekC = isoWeekOf(today);
const weekB = isoWeekOf(addDays(today, -7));
const weekA = isoWeekOf(addDays(today, -14));
const mondayOf = (week: string) => weekBounds(week).monday;

interface Roster {
  townshipId: string;
  villageId: string;
  ids: string[];
}
let r: Roster;

async function makeRoster(n: number): Promise<Roster> {
  const townshipId = uid('T');
  const villageId = uid('V');
  expect((await admin.post('/townships', { id: townshipId, name: '评定乡' })).status).toBe(201);
  expect(
    (await admin.post('/villages', { id: villageId, name: '评定村', townshipId, category: 'general' }))
      .status,
  ).toBe(201);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = uid('C');
    const res = await admin.post('/cadres', {
      id,
      name: `干部${i}`,
      unit: '县农业局',
      rank: 'section',
      townshipId,
    });
    expect(res.status).toBe(201);
    ids.push(id);
  }
  return { townshipId, villageId, ids };
}

/** One inspection on `date`: per cadre, how many minor problems and whether commended. */
async function inspect(date: string, findings: { cadre: number; problems: number; commend?: boolean }[]) {
  const res = await inspector.post('/inspections', {
    villageId: r.villageId,
    date,
    mode: 'open',
    findings: findings.map((f) => ({
      cadreId: r.ids[f.cadre],
      present: true,
      ...(f.commend ? { commend: true } : {}),
      problems: Array.from({ length: f.problems }, (_, i) => ({
        description: `问题${i + 1}`,
        severity: 'minor',
      })),
    })),
  });
  expect(res.status).toBe(201);
  return res.body.problemIds as string[];
}

const problemsOfCadre0: string[] = [];

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  r = await makeRoster(3);
  // Week A: cadre 0 has three problems (reminder talk), cadre 1 is commended, cadre 2 has one.
  const ids = await inspect(mondayOf(weekA), [
    { cadre: 0, problems: 3 },
    { cadre: 1, problems: 0, commend: true },
    { cadre: 2, problems: 1 },
  ]);
  for (const id of ids)
    if ((await admin.get(`/problems/${id}`)).body.cadreId === r.ids[0]) problemsOfCadre0.push(id);
});
afterAll(async () => {
  await t.stop();
});

describe('evaluateAndStoreWeek', () => {
  it('evaluates a finished week as of its end and stores it as revision 1', async () => {
    const stored = await evaluateAndStoreWeek(weekA, { now: new Date() });
    const [c0, c1, c2] = r.ids;
    expect(stored).toMatchObject({
      week: weekA,
      revision: 1,
      revised: false,
      provisional: false,
      ruleSetVersion: 1,
    });
    expect(stored.evaluation.asOf).toBe(new Date(weekBounds(weekA).endMs).toISOString());
    expect(stored.evaluation.tiers.reminderTalk).toContain(c0);
    expect(stored.evaluation.tiers.commended).toContain(c1);
    expect(stored.evaluation.tiers.selfCriticism).toContain(c2);
    expect(stored.evaluation.circle.entered).toContain(c0);
    expect(stored.evaluation.talkNotices).toContainEqual({ cadreId: c0, tier: 'reminderTalk' });
    expect(stored.evaluation.problems.filter((p) => p.isNew)).toHaveLength(4);
  });

  it('returns the stored evaluation unchanged when re-run with no new facts', async () => {
    const first = await getStoredEvaluation(weekA);
    const again = await evaluateAndStoreWeek(weekA, { now: new Date() });
    expect(again).toMatchObject({ revision: 1, revised: false, fingerprint: first?.fingerprint });
    expect(again.evaluatedAt).toBe(first?.evaluatedAt);
  });

  it('counts the read capacity of what it read, by source, with the week itself among them', async () => {
    const run = await evaluateAndStoreWeek(weekA, { now: new Date() });
    expect(run.reads.requests).toBeGreaterThan(0);
    expect(run.reads.items).toBeGreaterThan(0);
    expect(run.reads.bySource.week?.items).toBeGreaterThanOrEqual(4);
    expect(run.reads.capacityUnits).toBeGreaterThan(0);
    expect(run.reads.bySource.week?.capacityUnits).toBeGreaterThan(0);
  });

  it('carries open problems and the circle into the next week: cadre 0 stays in the circle', async () => {
    const b = await evaluateAndStoreWeek(weekB, { now: new Date() });
    const [c0, c1] = r.ids;
    expect(b).toMatchObject({ week: weekB, revision: 1, provisional: false });
    expect(b.evaluation.tiers.reminderTalk).toContain(c0);
    expect(b.evaluation.circle.stayed).toContain(c0);
    expect(b.evaluation.circle.entered).not.toContain(c0);
    // Stayed in the same tier: the talk notice was issued last week.
    expect(b.evaluation.talkNotices.map((n) => n.cadreId)).not.toContain(c0);
    // No commendation this week and no problems: no tier.
    expect(b.evaluation.tiers.commended).not.toContain(c1);
    const carried = b.evaluation.problems.filter((p) => p.cadreId === c0);
    expect(carried).toHaveLength(3);
    expect(carried.every((p) => !p.isNew && p.state === 'open')).toBe(true);
  });

  it('a late record dated inside a finished week yields revision 2, marked revised, and revises the later week', async () => {
    const [, , c2] = r.ids;
    // An offline inspection of week A synced now: cadre 2 gets two more problems (three in all).
    await inspect(addDays(mondayOf(weekA), 2), [{ cadre: 2, problems: 2 }]);
    const revised = await evaluateAndStoreWeek(weekA, { now: new Date() });
    expect(revised).toMatchObject({ week: weekA, revision: 2, revised: true });
    expect(revised.evaluation.tiers.reminderTalk).toContain(c2);

    const a1 = await getStoredEvaluation(weekA, { revision: 1 });
    expect(a1?.evaluation.tiers.selfCriticism).toContain(c2);
    expect(a1?.revision).toBe(1);

    const b = await getStoredEvaluation(weekB);
    expect(b?.revision).toBe(2);
    expect(b?.evaluation.tiers.reminderTalk).toContain(c2);
    expect(b?.evaluation.circle.stayed).toContain(c2);

    const again = await evaluateAndStoreWeek(weekA, { now: new Date() });
    expect(again).toMatchObject({ revision: 2, revised: false });
  });

  it('evaluates the current week provisionally as of now; a verified rectification takes the cadre out of the circle', async () => {
    const [c0] = r.ids;
    const cadre0 = await t.as('cadre', c0);
    for (const id of problemsOfCadre0) {
      expect((await cadre0.post(`/problems/${id}/rectifications`, { note: '已整改' })).status).toBe(201);
      expect(
        (await inspector.post(`/problems/${id}/verifications`, { outcome: 'accepted', note: '属实' })).status,
      ).toBe(201);
    }
    const now = new Date();
    const c = await evaluateAndStoreWeek(weekC, { now });
    expect(c).toMatchObject({ week: weekC, revision: 0, revised: false, provisional: true });
    expect(c.evaluation.asOf).toBe(now.toISOString());
    expect(c.evaluation.circle.exited).toContain(c0);
    expect(c.evaluation.tiers.reminderTalk).not.toContain(c0);
    expect(c.evaluation.effectiveness.county.current.rectification.verified).toBeGreaterThanOrEqual(3);

    // The finished weeks are untouched: their end came before the verifications.
    const b = await getStoredEvaluation(weekB);
    expect(b?.evaluation.tiers.reminderTalk).toContain(c0);

    const stored = await getStoredEvaluation(weekC);
    expect(stored).toMatchObject({ provisional: true, revision: 0, fingerprint: c.fingerprint });
  });

  it.each([
    ['a week that has not begun', () => nextIsoWeek(weekC)],
    ['a malformed week', () => '2026-47'],
    ['a week number the year does not have', () => '2026-W54'],
  ])('refuses %s with a RangeError', async (_what, week) => {
    await expect(evaluateAndStoreWeek(week(), { now: new Date() })).rejects.toBeInstanceOf(RangeError);
  });
});

describe('evaluateAndStoreWeek on a fresh table', () => {
  let fresh: TestStack;
  beforeAll(async () => {
    await t.stop();
    fresh = await startTestStack();
    t = fresh;
    admin = await t.as('admin');
    inspector = await t.as('inspector');
    r = await makeRoster(2);
  });

  it('bootstraps open matters from the status indexes and fills the weeks missing before the current one', async () => {
    const [c0] = r.ids;
    const weekD = isoWeekOf(addDays(today, -21));
    await inspect(mondayOf(weekD), [{ cadre: 0, problems: 5 }]);
    // Evaluate week D first (bootstrapped), then the current week: the two weeks between are filled in.
    const d = await evaluateAndStoreWeek(weekD, { now: new Date() });
    expect(d.evaluation.tiers.admonishmentTalk).toContain(c0);
    const c = await evaluateAndStoreWeek(weekC, { now: new Date() });
    expect(c.evaluation.tiers.admonishmentTalk).toContain(c0);
    expect(c.evaluation.circle.stayed).toContain(c0);
    for (const w of [weekA, weekB]) {
      const filled = await getStoredEvaluation(w);
      expect(filled?.revision).toBe(1);
      expect(filled?.evaluation.tiers.admonishmentTalk).toContain(c0);
    }
  });

  it('bootstraps a week whose problems were closed since from the later verifications', async () => {
    const [, c1] = r.ids;
    const weekE = isoWeekOf(addDays(today, -35));
    const ids = await inspect(mondayOf(weekE), [{ cadre: 1, problems: 1 }]);
    const cadre1 = await t.as('cadre', c1);
    expect((await cadre1.post(`/problems/${ids[0]}/rectifications`, { note: '已整改' })).status).toBe(201);
    expect(
      (await inspector.post(`/problems/${ids[0]}/verifications`, { outcome: 'accepted', note: '属实' }))
        .status,
    ).toBe(201);
    // Week E + 1: nothing new happened then, but the problem was still open at its end.
    const e1 = await evaluateAndStoreWeek(nextIsoWeek(weekE), { now: new Date() });
    expect(e1.evaluation.tiers.selfCriticism).toContain(c1);
  });
});

describe('evaluation storage', () => {
  it('stores an evaluation far over the 400 KB item limit in chunks and reads it back whole', async () => {
    const base = (await evaluateAndStoreWeek(weekB, { now: new Date() })).evaluation;
    const week = '2020-W10';
    // Incompressible names, so the gzip blob spans several chunks.
    const cadres = Array.from({ length: 3000 }, (_, i) => ({
      ...(base.cadres[0] as WeeklyEvaluation['cadres'][number]),
      cadreId: `X${i}`,
      name: randomBytes(200).toString('base64'),
    }));
    const big: WeeklyEvaluation = { ...base, week, cadres };
    const head = await putFinalRevision(undefined, {
      evaluation: big,
      carry: { cadres: cadres.map((c) => c.name) },
      fingerprint: 'f'.repeat(32),
      carryDigest: 'c'.repeat(32),
      evaluatedAt: new Date().toISOString(),
    });
    expect(head?.parts.evaluation).toBeGreaterThan(1);
    const read = await getStoredEvaluation(week);
    expect(read?.evaluation.cadres).toHaveLength(3000);
    expect(read?.evaluation.cadres[2999]?.name).toBe(cadres[2999]?.name);
    // A second writer that still believes there is no revision loses: no revision number twice.
    const loser = await putFinalRevision(undefined, {
      evaluation: big,
      carry: {},
      fingerprint: 'e'.repeat(32),
      carryDigest: 'd'.repeat(32),
      evaluatedAt: new Date().toISOString(),
    });
    expect(loser).toBeUndefined();
    expect((await getStoredEvaluation(week))?.fingerprint).toBe('f'.repeat(32));
  });
});
