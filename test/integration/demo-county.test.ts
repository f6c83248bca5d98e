import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoWeeks, listAll, loadDemoCounty } from '../support/demo-county.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';

/**
 * The demo county reads like two months of real 包村 work (issue 14). Everything is read back from the
 * API after the demo is loaded as `npm start -- --demo` loads it, never from the seed script's own
 * numbers: eight finished weeks evaluated in order, tiers per township in the range of seed 001, a
 * circle that moves, a board that is not all red, rejections of both kinds, a major failure with its
 * notice of criticism, and every feature's list filled.
 */
process.env.PDF_RENDERER = 'off';

let t: TestStack;
let admin: Caller;
const weeks = demoWeeks();
/** Each cadre's township: their own (township cadres) or their village's (chiefs from the county). */
let townshipOf: Map<string, string>;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin', 'hq-admin');
  await loadDemoCounty(t);
  const [villages, assignments] = await Promise.all([
    listAll(admin, '/villages'),
    listAll(admin, '/assignments?active=true'),
  ]);
  const villageTownship = new Map(
    villages.map((v: { id: string; townshipId: string }) => [v.id, v.townshipId]),
  );
  townshipOf = new Map();
  for (const a of assignments as { cadreId: string; villageId: string }[])
    if (!townshipOf.has(a.cadreId)) townshipOf.set(a.cadreId, villageTownship.get(a.villageId) as string);
}, 600_000);
afterAll(async () => {
  await t?.stop();
});

describe('the demo county’s history', () => {
  it('has eight finished weeks evaluated in order, the latest revised after a late record', async () => {
    const bulletins = await listAll(admin, '/bulletins');
    const finished = bulletins.filter((b: { provisional: boolean }) => !b.provisional);
    expect(finished.length).toBeGreaterThanOrEqual(8);
    // Newest first, one week apart, ending with the latest finished week.
    expect(finished[0].week).toBe(weeks.latest);
    const mondays: number[] = finished.slice(0, 8).map((b: { monday: string }) => Date.parse(b.monday));
    expect(mondays.slice(1).map((m, i) => (mondays[i] as number) - m)).toEqual(Array(7).fill(7 * 86_400_000));
    const latest = (await admin.get(`/bulletins/${weeks.latest}`)).body;
    expect(latest).toMatchObject({ revision: 2, revised: true, provisional: false });
    expect(finished.slice(1, 8).every((b: { revision: number }) => b.revision === 1)).toBe(true);
    // Week-over-week figures have a past: the latest week's effectiveness has the week before beside it.
    expect(latest.effectiveness.county.previous).not.toBeNull();
  });

  it('places each township’s cadres in the tiers of seed 001 in the latest finished week', async () => {
    const latest = (await admin.get(`/bulletins/${weeks.latest}`)).body;
    const byTownship = new Map<string, string[]>();
    for (const c of latest.cadres as { cadreId: string; tier: string }[]) {
      const township = townshipOf.get(c.cadreId) as string;
      byTownship.set(township, [...(byTownship.get(township) ?? []), c.tier]);
    }
    expect(byTownship.size).toBe(5);
    const ranges: Record<string, [number, number]> = {
      commended: [0.1, 0.25],
      selfCriticism: [0.2, 0.35],
      reminderTalk: [0.15, 0.3],
      admonishmentTalk: [0.1, 0.25],
    };
    for (const [township, tiers] of byTownship) {
      for (const [tier, [min, max]] of Object.entries(ranges)) {
        const share = tiers.filter((x) => x === tier).length / tiers.length;
        expect(share, `${township} ${tier}: ${tiers.join(',')}`).toBeGreaterThanOrEqual(min);
        expect(share, `${township} ${tier}: ${tiers.join(',')}`).toBeLessThanOrEqual(max);
      }
    }
  });

  it('moves cadres into and out of the circle in the latest finished week, and deeper over the weeks', async () => {
    const latest = (await admin.get(`/bulletins/${weeks.latest}`)).body;
    expect(latest.circle.entered.length).toBeGreaterThan(0);
    expect(latest.circle.exited.length).toBeGreaterThan(0);
    expect(latest.circle.stayed.length + latest.circle.deepened.length).toBeGreaterThan(0);
    const exited = latest.cadres.find((c: { cadreId: string }) => c.cadreId === latest.circle.exited[0]);
    expect(exited.circle).toMatchObject({ member: false, movement: 'exited' });
  });

  it('shows a board with green matters and more than red ones: most old problems are rectified this week', async () => {
    const board = (await admin.get(`/bulletins/${weeks.current}`)).body;
    expect(board.provisional).toBe(true);
    const { red, yellow, green } = board.colors;
    expect(green).toBeGreaterThan(0);
    expect(yellow).toBeGreaterThan(0);
    expect(red).toBeLessThan((red + yellow + green) / 2);
    expect(board.colors.total.onTrack).toBeGreaterThan(0);
  });

  it('accepts most rectifications and rejects some as 整改不到位 and some as 虚假整改', async () => {
    const problems = await listAll(admin, '/problems');
    const closed = problems.filter((p: { status: string }) => p.status === 'closed').length;
    const incomplete = problems.filter(
      (p: { incompleteRectifications?: number }) => (p.incompleteRectifications ?? 0) > 0,
    );
    const falseOnes = problems.filter((p: { falseRectifications: number }) => p.falseRectifications > 0);
    expect(incomplete.length).toBeGreaterThan(0);
    expect(falseOnes.length).toBeGreaterThan(0);
    expect(closed).toBeGreaterThan(incomplete.length + falseOnes.length);
    // Evidence photos on some problems.
    expect(problems.filter((p: { photoIds?: string[] }) => p.photoIds?.length).length).toBeGreaterThan(0);
  });

  it('records a predefined major failure and issues its notice of criticism', async () => {
    const failures = await listAll(admin, '/major-failures');
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0].week).toBe(weeks.latest);
    const notices = await listAll(admin, `/notices?kind=criticismNotice&week=${weeks.latest}`);
    expect(notices.length).toBeGreaterThan(0);
  });
});

describe('every feature in use', () => {
  it('lists talks in every state, visits, direct reports, districts and quotas', async () => {
    const talks = await listAll(admin, '/talks');
    expect(new Set(talks.map((x: { status: string }) => x.status))).toEqual(
      new Set(['proposed', 'notified', 'held', 'closed', 'waived']),
    );
    const visits = await listAll(admin, '/visits');
    expect(visits.length).toBeGreaterThan(0);
    expect(visits.some((v: { overnight: boolean }) => v.overnight)).toBe(true);
    expect((await listAll(admin, '/direct-reports')).length).toBeGreaterThan(0);
    expect((await listAll(admin, '/districts')).length).toBeGreaterThan(0);
    const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
    const quotas = await admin.get(`/quotas?period=${month}`);
    expect(quotas.status, JSON.stringify(quotas.body)).toBe(200);
    expect(quotas.body.items.length).toBeGreaterThan(0);
    expect((await listAll(admin, '/trainings')).length).toBeGreaterThan(0);
  });

  it('filters visits by cadre, village and week', async () => {
    const visits = await listAll(admin, '/visits');
    const one = visits[0] as { cadreId: string; villageId: string; week: string };
    const byCadre = await listAll(admin, `/visits?cadreId=${one.cadreId}`);
    expect(byCadre.length).toBeGreaterThan(0);
    expect(byCadre.every((v: { cadreId: string }) => v.cadreId === one.cadreId)).toBe(true);
    const byVillage = await listAll(admin, `/visits?villageId=${one.villageId}`);
    expect(byVillage.every((v: { villageId: string }) => v.villageId === one.villageId)).toBe(true);
    const byWeek = await listAll(admin, `/visits?week=${one.week}`);
    expect(byWeek.length).toBe(visits.filter((v: { week: string }) => v.week === one.week).length);
    expect(byWeek.every((v: { week: string }) => v.week === one.week)).toBe(true);
    // A week outside the dates asked for: nothing in common, an empty list (not an error).
    const none = await admin.get(`/visits?week=${one.week}&from=2000-01-03&to=2000-01-04`);
    expect(none.status).toBe(200);
    expect(none.body.items).toEqual([]);
    const bad = await admin.get('/visits?week=2026-W60');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('query.week');
    // A cadre sees only their own, by week as well.
    const cadre = await t.as('cadre', one.cadreId);
    const own = await cadre.get(`/visits?week=${one.week}`);
    expect(own.status).toBe(200);
    expect(own.body.items.every((v: { cadreId: string }) => v.cadreId === one.cadreId)).toBe(true);
    const other = visits.find((v: { cadreId: string }) => v.cadreId !== one.cadreId) as { cadreId: string };
    expect((await cadre.get(`/visits?cadreId=${other.cadreId}&week=${one.week}`)).status).toBe(403);
  });
});
