import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate } from '../../functions/core/time.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * GET /coverage keeps its fields (villages without a chief, chiefs of several villages) and adds the
 * organisation's gaps: a township without a county leader, a district without a department, a
 * village team without a township cadre, a deep-poverty village whose chief is not senior (县级领导 or
 * 科级). Each test builds its own township and reads the report for it.
 */
let t: TestStack;
let admin: Caller;
const today = beijingDate(new Date());

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
});
afterAll(async () => {
  await t.stop();
});

async function post(path: string, body: unknown) {
  const res = await admin.post(path, body);
  expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(201);
  return res.body;
}

async function county() {
  const tid = (await post('/townships', { id: uid('T'), name: '青石乡' })).id as string;
  const party = (
    await post('/units', { id: uid('U'), name: '青石乡党委', kind: 'township-committee', townshipId: tid })
  ).id as string;
  const dep = (await post('/units', { id: uid('U'), name: '县水务局', kind: 'department' })).id as string;
  const village = async (name: string, category: string) =>
    (await post('/villages', { id: uid('V'), name, townshipId: tid, category })).id as string;
  const cadre = async (name: string, rank: string, unitId?: string) =>
    (await post('/cadres', { id: uid('C'), name, unit: '某单位', rank, ...(unitId ? { unitId } : {}) }))
      .id as string;
  const assign = (cadreId: string, villageId: string, role: 'chief' | 'member') =>
    post('/assignments', { cadreId, villageId, role, from: today });
  return { tid, party, dep, village, cadre, assign };
}

async function coverage(townshipId: string) {
  const res = await admin.get(`/coverage?townshipId=${townshipId}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('GET /coverage: organisation gaps', () => {
  it('keeps the existing fields and counts beside the new ones', async () => {
    const { tid, village } = await county();
    const v = await village('空村', 'general');
    const report = await coverage(tid);
    expect(report.villagesWithoutChief.map((x: { id: string }) => x.id)).toEqual([v]);
    expect(report.chiefsWithSeveralVillages).toEqual([]);
    expect(report.counts).toMatchObject({
      villages: 1,
      villagesWithoutChief: 1,
      chiefsWithSeveralVillages: 0,
    });
    // A village with nobody is a chief gap, not a team gap.
    expect(report.villagesWithoutTownshipCadre).toEqual([]);
  });

  it('lists a township without a county leader until one is appointed, and again once they leave', async () => {
    const { tid } = await county();
    expect((await coverage(tid)).townshipsWithoutLeader).toEqual([{ id: tid, name: '青石乡' }]);
    const leader = (await post('/cadres', { id: uid('C'), name: '县领导', unit: '县委', rank: 'county' })).id;
    const period = await post(`/townships/${tid}/leaders`, { cadreId: leader, from: today });
    const covered = await coverage(tid);
    expect(covered.townshipsWithoutLeader).toEqual([]);
    expect(covered.counts.townshipsWithoutLeader).toBe(0);
    await admin.post(`/townships/${tid}/leaders/${period.id}/end`, { to: today });
    expect((await coverage(tid)).townshipsWithoutLeader).toHaveLength(1);
    // The county-wide report lists it too.
    const all = await admin.get('/coverage');
    expect(all.body.townshipsWithoutLeader.some((x: { id: string }) => x.id === tid)).toBe(true);
  });

  it('lists a district without a department, and not once a department covers it', async () => {
    const { tid, dep, village } = await county();
    const v = await village('东村', 'general');
    const d = await post('/districts', { id: uid('D'), name: '东片', townshipId: tid, villageIds: [v] });
    const report = await coverage(tid);
    expect(report.districtsWithoutDepartment).toEqual([{ id: d.id, name: '东片', townshipId: tid }]);
    expect(report.counts.districtsWithoutDepartment).toBe(1);
    expect((await admin.post(`/districts/${d.id}/department`, { unitId: dep })).status).toBe(200);
    expect((await coverage(tid)).districtsWithoutDepartment).toEqual([]);
    // Ending the department's cover is a gap again; ending the district removes it from the report.
    await admin.post(`/districts/${d.id}/department`, { unitId: null });
    expect((await coverage(tid)).districtsWithoutDepartment).toHaveLength(1);
    await admin.post(`/districts/${d.id}/end`, {});
    expect((await coverage(tid)).districtsWithoutDepartment).toEqual([]);
  });

  it("lists a team without a cadre of the township's party committee or government", async () => {
    const { tid, party, dep, village, cadre, assign } = await county();
    const v = await village('西村', 'general');
    await assign(await cadre('部门干部', 'section', dep), v, 'chief');
    await assign(await cadre('无单位干部', 'general'), v, 'member');
    const gap = await coverage(tid);
    expect(gap.villagesWithoutTownshipCadre).toEqual([
      { id: v, name: '西村', townshipId: tid, category: 'general' },
    ]);
    expect(gap.counts.villagesWithoutTownshipCadre).toBe(1);
    await assign(await cadre('乡镇干部', 'staff', party), v, 'member');
    expect((await coverage(tid)).villagesWithoutTownshipCadre).toEqual([]);
  });

  it("does not count a cadre of another township's government", async () => {
    const { tid, dep, village, cadre, assign } = await county();
    const other = (await post('/townships', { id: uid('T'), name: '白水镇' })).id;
    const gov = (
      await post('/units', {
        id: uid('U'),
        name: '白水镇政府',
        kind: 'township-government',
        townshipId: other,
      })
    ).id;
    const v = await village('南村', 'non');
    await assign(await cadre('部门干部', 'section', dep), v, 'chief');
    await assign(await cadre('外乡干部', 'staff', gov), v, 'member');
    expect((await coverage(tid)).villagesWithoutTownshipCadre.map((x: { id: string }) => x.id)).toEqual([v]);
  });

  it.each([
    ['staff', '股级', true],
    ['general', '一般干部', true],
    ['section', '科级', false],
    ['county', '县级领导', false],
  ])('a deep-poverty village whose chief is %s is a gap: %s', async (rank, rankLabel, listed) => {
    const { tid, party, village, cadre, assign } = await county();
    const v = await village('深贫村', 'deep');
    const chief = await cadre('总队长', rank, party);
    await assign(chief, v, 'chief');
    const report = await coverage(tid);
    if (listed) {
      expect(report.deepVillagesWithJuniorChief).toEqual([
        {
          id: v,
          name: '深贫村',
          townshipId: tid,
          category: 'deep',
          cadreId: chief,
          cadreName: '总队长',
          rank,
          rankLabel,
        },
      ]);
    } else {
      expect(report.deepVillagesWithJuniorChief).toEqual([]);
    }
    expect(report.counts.deepVillagesWithJuniorChief).toBe(listed ? 1 : 0);
  });

  it('does not hold a general-poverty village to the senior-chief rule', async () => {
    const { tid, party, village, cadre, assign } = await county();
    const v = await village('一般村', 'general');
    await assign(await cadre('年轻干部', 'general', party), v, 'chief');
    expect((await coverage(tid)).deepVillagesWithJuniorChief).toEqual([]);
  });
});
