import { afterAll, beforeAll, expect, it } from 'vitest';
import { weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { seedDemoTalks } from '../../infra/local/seed-demo-data.ts';
import { createAll } from '../support/county.ts';
import { runJobNow } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';

/**
 * The demo county's talks (seed-demo-data.ts, after the weekly job): the first proposed talk approved,
 * recorded and acknowledged by its cadre through the public API, the rest left waiting for HQ; a
 * second run changes nothing.
 */
process.env.PDF_RENDERER = 'off';

let t: TestStack;
let admin: Caller;
const lastWeek = isoWeekOf(addDays(beijingDate(new Date()), -7));

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin', 'hq-admin');
  const inspector = await t.as('inspector');
  await createAll(admin, [
    ['/townships', { id: 'T1', name: '青石乡' }],
    ['/villages', { id: 'V1', name: '红旗村', townshipId: 'T1', category: 'deep' }],
    ['/cadres', { id: 'C001', name: '周建国', unit: '县人民政府', rank: 'county' }],
    ['/cadres', { id: 'C011', name: '李明', unit: '县水务局', rank: 'section', townshipId: 'T1' }],
    ['/cadres', { id: 'C012', name: '王芳', unit: '县教育局', rank: 'staff', townshipId: 'T1' }],
    ['/assignments', { cadreId: 'C011', villageId: 'V1', role: 'chief' }],
    ['/assignments', { cadreId: 'C012', villageId: 'V1', role: 'member' }],
  ]);
  const res = await inspector.post('/inspections', {
    villageId: 'V1',
    date: weekBounds(lastWeek).monday,
    mode: 'open',
    findings: ['C011', 'C012'].map((cadreId) => ({
      cadreId,
      present: true,
      problems: [1, 2, 3].map((i) => ({ description: `问题${i}`, severity: 'minor' })),
    })),
  });
  expect(res.status).toBe(201);
  expect((await runJobNow(admin, 'weekly-bulletin', { week: lastWeek })).status).toBe('succeeded');
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

it('leaves last week’s talks waiting for approval but one, held and acknowledged; a re-run adds nothing', async () => {
  expect(await seedDemoTalks(t.url)).toBe('talks (1 waiting for approval, 1 held and acknowledged)');
  const talks = (await admin.get(`/talks?week=${lastWeek}`)).body.items;
  expect(talks.map((x: any) => x.status).sort()).toEqual(['closed', 'proposed']);
  const closed = talks.find((x: any) => x.status === 'closed');
  expect(closed.record.conductorNames).toEqual(['周建国']);
  expect(closed.acknowledgement.statement).toContain('诚恳接受组织谈话');
  await seedDemoTalks(t.url);
  const again = (await admin.get(`/talks?week=${lastWeek}`)).body.items;
  expect(again.map((x: any) => x.updatedAt).sort()).toEqual(talks.map((x: any) => x.updatedAt).sort());
});
