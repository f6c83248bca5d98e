import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quarterOf } from '../../functions/core/assessment.ts';
import { weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { demoActivity, demoRoster } from '../../infra/local/demo-county.ts';
import { DEMO_ISSUER, type DemoSummary, seedDemo } from '../../infra/local/seed-demo-data.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';

/**
 * The demo county goes in through the public API, so these tests also show that the demo data obeys
 * every rule the handlers enforce. Counts are read back through the API, page by page.
 */
let t: TestStack;
let admin: Caller;
let first: DemoSummary;

async function listAll(path: string): Promise<any[]> {
  const items: any[] = [];
  let next: string | undefined;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await admin.get(`${path}${sep}limit=100${next ? `&next=${encodeURIComponent(next)}` : ''}`);
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
    items.push(...res.body.items);
    next = res.body.next;
  } while (next);
  return items;
}

const LISTS = {
  townships: '/townships',
  villages: '/villages',
  cadres: '/cadres',
  assignments: '/assignments',
  dispatches: '/dispatches',
  inspections: '/inspections',
  problems: '/problems',
  directReports: '/direct-reports',
} as const;

async function counts(): Promise<Record<keyof typeof LISTS, number>> {
  const entries = await Promise.all(
    Object.entries(LISTS).map(async ([name, path]) => [name, (await listAll(path)).length] as const),
  );
  return Object.fromEntries(entries) as Record<keyof typeof LISTS, number>;
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  first = await seedDemo({ url: t.url });
  // About 450 API calls: seconds on an idle machine, but leave room for a busy CI box.
}, 300_000);
afterAll(async () => {
  await t.stop();
});

describe('demo county seed', () => {
  it('creates one county of five townships, ~40 villages of all three classes and ~60 cadres', async () => {
    const villages = await listAll('/villages');
    expect(await listAll('/townships')).toHaveLength(5);
    expect(villages.length).toBeGreaterThanOrEqual(35);
    expect(villages.length).toBeLessThanOrEqual(45);
    expect(new Set(villages.map((v: { category: string }) => v.category))).toEqual(
      new Set(['deep', 'general', 'non']),
    );
    const cadres = await listAll('/cadres');
    expect(cadres.length).toBeGreaterThanOrEqual(55);
    expect(cadres.length).toBeLessThanOrEqual(65);
    expect(new Set(cadres.map((c: { rank: string }) => c.rank))).toEqual(
      new Set(['county', 'section', 'staff', 'general']),
    );
  });

  it('gives every village exactly one chief and no chief more than one village', async () => {
    const coverage = await admin.get('/coverage');
    expect(coverage.status).toBe(200);
    expect(coverage.body.villagesWithoutChief).toEqual([]);
    expect(coverage.body.chiefsWithSeveralVillages).toEqual([]);
  });

  it('puts county leaders in charge of the deep-poverty villages and a township cadre in every working group', async () => {
    const [villages, cadres, assignments] = await Promise.all([
      listAll('/villages'),
      listAll('/cadres'),
      listAll('/assignments'),
    ]);
    const rank = new Map(cadres.map((c: { id: string; rank: string }) => [c.id, c.rank]));
    const townshipOf = new Map(cadres.map((c: { id: string; townshipId?: string }) => [c.id, c.townshipId]));
    for (const v of villages as { id: string; townshipId: string; category: string }[]) {
      const group = assignments.filter((a: { villageId: string }) => a.villageId === v.id);
      const chief = group.find((a: { role: string }) => a.role === 'chief');
      if (v.category === 'deep') expect(rank.get(chief.cadreId), v.id).toBe('county');
      expect(
        group.some((a: { cadreId: string }) => townshipOf.get(a.cadreId) === v.townshipId),
        v.id,
      ).toBe(true);
    }
  });

  it('keeps units, county leaders over four townships and districts in two; coverage shows the gaps left', async () => {
    const [units, cadres, districts] = await Promise.all([
      listAll('/units'),
      listAll('/cadres'),
      listAll('/districts'),
    ]);
    expect(units.filter((u: { kind: string }) => u.kind !== 'department')).toHaveLength(10);
    expect(cadres.every((c: { unitId?: string }) => c.unitId)).toBe(true);
    expect(new Set(districts.map((d: { townshipId: string }) => d.townshipId))).toEqual(
      new Set(['T01', 'T02']),
    );
    const led = await Promise.all(
      ['T01', 'T02', 'T03', 'T04', 'T05'].map(
        async (id) => (await listAll(`/townships/${id}/leaders?active=true`)).length,
      ),
    );
    expect(led).toEqual([1, 1, 1, 1, 0]);
    // 白鹭乡's earlier leader, recorded as an ended period.
    expect(await listAll('/townships/T05/leaders')).toMatchObject([{ cadreId: 'C005', active: false }]);
    const coverage = (await admin.get('/coverage')).body;
    expect(coverage.townshipsWithoutLeader.map((t: { id: string }) => t.id)).toEqual(['T05']);
    expect(coverage.districtsWithoutDepartment.map((d: { id: string }) => d.id)).toEqual(['D0202']);
    // Every working group has a cadre of its township's committee or government (seed 004).
    expect(coverage.villagesWithoutTownshipCadre).toEqual([]);
  });

  it("gives every village team's members a team role and shows one order a chief gave their team", async () => {
    const members = (await listAll('/assignments?active=true')).filter(
      (a: { role: string }) => a.role === 'member',
    );
    expect(members.length).toBeGreaterThan(0);
    expect(members.every((a: { teamRoleLabel?: string }) => a.teamRoleLabel)).toBe(true);
    expect(new Set(members.map((a: { teamRoleLabel: string }) => a.teamRoleLabel))).toEqual(
      new Set(['第一书记', '驻村工作队员', '帮扶干部', '村干部']),
    );
    const orders = (await listAll('/dispatches')).filter((d: { issuerCadreId?: string }) => d.issuerCadreId);
    expect(orders).toHaveLength(1);
    const chiefs = await listAll(`/dispatches?issuedBy=${orders[0].issuerCadreId}`);
    expect(chiefs.map((d: { id: string }) => d.id)).toEqual([orders[0].id]);
  });

  it('records dispatches, progress reports, inspections, problems of every status and direct reports', async () => {
    const dispatches = await listAll('/dispatches');
    expect(dispatches.length).toBeGreaterThanOrEqual(3);
    expect(dispatches.every((d: { number: string }) => /^派〔\d{4}〕\d+号$/.test(d.number))).toBe(true);
    expect(dispatches.some((d: { doneCount: number }) => d.doneCount > 0)).toBe(true);

    const inspections = await listAll('/inspections');
    expect(inspections.length).toBeGreaterThanOrEqual(20);
    expect(new Set(inspections.map((i: { mode: string }) => i.mode))).toEqual(
      new Set(['open', 'covert', 'spot']),
    );

    const problems = await listAll('/problems');
    // HQ voided one inspection in the demo (作废): its problems stay on record but leave the lists.
    const voided = inspections.filter((i: { voided?: unknown }) => i.voided !== undefined);
    expect(voided).toHaveLength(1);
    const voidedProblems = voided.reduce((n: number, i: { problemCount: number }) => n + i.problemCount, 0);
    expect(problems.length).toBe(first.problems - voidedProblems);
    // One problem's deadline extended, one rejection 整改不到位 and the others 虚假整改.
    expect(problems.some((p: { initialRectifyBy?: string }) => p.initialRectifyBy !== undefined)).toBe(true);
    expect(
      problems.some((p: { incompleteRectifications?: number }) => (p.incompleteRectifications ?? 0) > 0),
    ).toBe(true);
    expect(new Set(problems.map((p: { status: string }) => p.status))).toEqual(
      new Set(['open', 'awaiting_verification', 'closed']),
    );
    expect(problems.some((p: { falseRectifications: number }) => p.falseRectifications > 0)).toBe(true);

    const reports = await listAll('/direct-reports');
    const statuses = new Set(reports.map((r: { status: string }) => r.status));
    for (const status of ['new', 'acknowledged', 'handed_off', 'closed']) expect(statuses).toContain(status);
    // A report handed to a county department (转办) that replied, and closed (办结); one hand-off open.
    const closed = reports.find(
      (r: { status: string; handoffs?: { unitName: string; reply?: string }[] }) =>
        r.status === 'closed' && r.handoffs?.some((h) => h.unitName === '县交通运输局' && h.reply),
    );
    expect(closed?.resolution).toBeTruthy();
    const open = await listAll('/direct-report-handoffs');
    expect(open.some((h: { unitName: string; repliedAt?: string }) => h.unitName === '县农业农村局')).toBe(
      true,
    );
  });

  it('dates inspections over eight finished weeks and this one, and dispatch deadlines in the coming days', async () => {
    const today = beijingDate(new Date());
    const firstMonday = weekBounds(isoWeekOf(addDays(today, -7 * 8))).monday;
    const inspections = await listAll('/inspections');
    for (const i of inspections) {
      expect(i.date <= today && i.date >= firstMonday, i.date).toBe(true);
    }
    // Every one of the nine weeks has inspections.
    expect(new Set(inspections.map((i: { date: string }) => isoWeekOf(i.date))).size).toBe(9);
    for (const d of await listAll('/dispatches')) {
      const ms = Date.parse(d.deadline) - Date.now();
      expect(ms > 0 && ms < 14 * 86400_000, d.deadline).toBe(true);
    }
  });

  it('spreads problems over every township and leaves some cadres without any', async () => {
    const [problems, assignments] = await Promise.all([
      listAll('/problems'),
      listAll('/assignments?active=true'),
    ]);
    const withProblems = new Set(problems.map((p: { cadreId: string }) => p.cadreId));
    expect(new Set(problems.map((p: { townshipId: string }) => p.townshipId)).size).toBe(5);
    const cadres = new Set(assignments.map((a: { cadreId: string }) => a.cadreId));
    expect([...cadres].filter((c) => !withProblems.has(c)).length).toBeGreaterThan(0);
  });

  it('records problems with categories and sources, flags repeats, and has villages of every colour', async () => {
    const problems = await listAll('/problems');
    expect(new Set(problems.map((p: { category?: string }) => p.category)).size).toBeGreaterThan(4);
    expect(new Set(problems.map((p: { source?: string }) => p.source))).toEqual(
      new Set(['inspection', 'patrol', 'complaint', 'self_check']),
    );
    expect(problems.some((p: { repeat?: unknown }) => p.repeat)).toBe(true);
    const villages = await listAll('/villages');
    const colours = await Promise.all(
      villages.map(async (v: { id: string }) => (await admin.get(`/villages/${v.id}`)).body.color),
    );
    expect(new Set(colours)).toEqual(new Set(['red', 'yellow', 'green']));
  });

  it('saves the county as the issuer before anything is numbered: every notice carries its 机关代字', async () => {
    const issuer = await admin.get('/settings/issuer');
    expect(issuer.body).toMatchObject({ ...DEMO_ISSUER, version: 1 });
    // The rectification notices issued as the inspections were recorded.
    const notices = await listAll('/notices');
    const rectifications = notices.filter((n: { kind: string }) => n.kind === 'rectificationNotice');
    expect(rectifications.length).toBeGreaterThan(0);
    for (const n of notices.filter((n: { kind: string }) => n.kind !== 'bulletin'))
      expect(n.number, n.title).toMatch(/^青脱指[\u4e00-\u9fff]+〔\d{4}〕\d+号$/);
  });

  it("shows the quarter's scorecards, with HQ's results for some villages (assessment binding)", async () => {
    const res = await admin.get(`/assessments/${quarterOf(first.anchor)}`);
    expect(res.status).toBe(200);
    expect(res.body.villages).toHaveLength(first.villages);
    expect(res.body.villages.filter((v: { results: unknown }) => v.results !== null)).toHaveLength(8);
    expect(res.body.units.length).toBeGreaterThan(0);
    expect(new Set(res.body.villages.map((v: { score: number }) => v.score)).size).toBeGreaterThan(5);
  });

  it("shows the team leader's powers: a sanctioned village's quota, a sanction and a violation report waiting", async () => {
    const approved = await listAll('/sanctions?status=approved');
    expect(approved.length).toBeGreaterThan(0);
    const ledger = await admin.get(`/quotas?villageId=${approved[0].villageId}`);
    expect(ledger.body.items.some((l: { deducted: number }) => l.deducted > 0)).toBe(true);
    expect((await listAll('/sanctions?status=proposed')).length).toBeGreaterThan(0);
    expect((await listAll('/allocations?status=proposed')).length).toBeGreaterThan(0);
    // One violation report verified (the sanction's ground), one for an inspector to verify.
    const reports = await listAll('/direct-reports?kind=violation');
    const verified = await Promise.all(
      reports.map(
        async (r: { id: string }) => (await admin.get(`/direct-reports/${r.id}/verification`)).status,
      ),
    );
    expect(verified).toContain(200);
    expect(verified).toContain(404);
  });

  it('signs the demo users in: a cadre sees their own problems', async () => {
    const cadre = await t.as('cadre', 'C001');
    const standing = await cadre.get('/cadres/C001/standing');
    expect(standing.status).toBe(200);
    expect(standing.body.openProblemCount).toBeGreaterThan(0);
  });

  it('changes nothing when run again the same day', async () => {
    const before = await counts();
    const again = await seedDemo({ url: t.url });
    expect(again.created).toBe(0);
    expect(await counts()).toEqual(before);
    expect(before).toMatchObject({
      townships: first.townships,
      villages: first.villages,
      cadres: first.cadres,
      assignments: first.assignments,
      dispatches: first.dispatches,
      inspections: first.inspections,
      directReports: first.directReports,
    });
  }, 300_000);

  it('on a later day keeps the roster and leaves the earlier, differently dated activity alone', async () => {
    const before = await counts();
    const tomorrow = new Date(Date.now() + 86_400_000);
    const later = await seedDemo({ url: t.url, now: () => tomorrow });
    expect(later).toMatchObject({ activity: 'already-present', anchor: first.anchor, created: 0 });
    expect(await counts()).toEqual(before);
  }, 300_000);
});

describe('demo county data', () => {
  it('is the same for the same day and moves its dates with the day', () => {
    const roster = demoRoster('2026-10-01');
    expect(demoRoster('2026-10-01')).toEqual(roster);
    expect(demoActivity('2026-11-15', roster)).toEqual(demoActivity('2026-11-15', roster));
    const later = demoActivity('2026-11-20', roster);
    expect(later.inspections.map((i) => i.date)).not.toEqual(
      demoActivity('2026-11-15', roster).inspections.map((i) => i.date),
    );
    expect(later.dispatches[0]?.deadline).toBe('2026-11-21T12:00:00+08:00');
  });

  it('uses unique ids and names, none taken from the source texts', () => {
    const roster = demoRoster('2026-10-01');
    for (const list of [roster.townships, roster.villages, roster.cadres]) {
      expect(new Set(list.map((x) => x.id)).size).toBe(list.length);
      expect(new Set(list.map((x) => x.name)).size).toBe(list.length);
    }
    const seedPeople = ['钱进', '韩兆新', '郑国栋', '周克刚', '胡德乾', '张晓麟', '杨强'];
    expect(roster.cadres.filter((c) => seedPeople.includes(c.name))).toEqual([]);
  });
});
