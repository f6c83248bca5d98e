import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

let t: TestStack;
let admin: Caller;
let inspector: Caller;

const today = beijingDate(new Date());
const weekCurrent = isoWeekOf(today);
const weekLast = isoWeekOf(addDays(today, -7));
const weekBefore = isoWeekOf(addDays(today, -14));
const ids: string[] = [];

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  const townshipId = uid('T');
  const villageId = uid('V');
  await admin.post('/townships', { id: townshipId, name: '通报乡' });
  await admin.post('/villages', { id: villageId, name: '通报村', townshipId, category: 'deep' });
  for (let i = 0; i < 3; i++) {
    const id = uid('C');
    await admin.post('/cadres', { id, name: `通报干部${i}`, unit: '县水务局', rank: 'staff', townshipId });
    ids.push(id);
  }
  const res = await inspector.post('/inspections', {
    villageId,
    date: weekBounds(weekBefore).monday,
    mode: 'covert',
    findings: [
      {
        cadreId: ids[0],
        present: true,
        problems: Array.from({ length: 5 }, () => ({ description: '台账缺失', severity: 'minor' })),
      },
      { cadreId: ids[1], present: true, commend: true, problems: [] },
      { cadreId: ids[2], present: false, problems: [{ description: '未按时到岗', severity: 'severe' }] },
    ],
  });
  expect(res.status).toBe(201);
  await evaluateAndStoreWeek(weekBefore, { now: new Date() });
  await evaluateAndStoreWeek(weekLast, { now: new Date() });
});
afterAll(async () => {
  await t.stop();
});

describe('GET /bulletins/{week}', () => {
  it('returns the week with tiers, circle and colours as lists of cadre ids and counts', async () => {
    const res = await admin.get(`/bulletins/${weekBefore}`);
    expect(res.status).toBe(200);
    const [c0, c1, c2] = ids;
    expect(res.body).toMatchObject({
      week: weekBefore,
      ruleSetVersion: 1,
      revision: 1,
      revised: false,
      provisional: false,
      documents: [],
    });
    expect(res.body.tiers.admonishmentTalk).toContain(c0);
    expect(res.body.tiers.commended).toContain(c1);
    // A severe problem plus absence at the headcount: two problems.
    expect(res.body.tiers.selfCriticism).toContain(c2);
    expect(res.body.circle.members).toEqual([c0]);
    expect(res.body.circle.entered).toEqual([c0]);
    expect(res.body.circle.exited).toEqual([]);
    expect(res.body.colors).toMatchObject({ red: 1, yellow: 0, green: 0 });
    expect(typeof res.body.colors.red).toBe('number');
    expect(res.body.effectiveness.county.current.presence).toMatchObject({ present: 2, counted: 3 });
    expect(res.body.revisions).toHaveLength(1);
  });

  it('lets an inspector read it and refuses a cadre with 403', async () => {
    expect((await inspector.get(`/bulletins/${weekBefore}`)).status).toBe(200);
    const cadre = await t.as('cadre', ids[0]);
    expect((await cadre.get(`/bulletins/${weekBefore}`)).status).toBe(403);
    expect((await cadre.get('/bulletins')).status).toBe(403);
  });

  it('answers 404 for a week that has not been evaluated', async () => {
    const res = await admin.get(`/bulletins/${weekCurrent}`);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain(weekCurrent);
  });

  it('answers 404 for a revision the week does not have', async () => {
    expect((await admin.get(`/bulletins/${weekBefore}?revision=7`)).status).toBe(404);
  });

  it.each([
    ['2026-47', 'week'],
    ['2026-W60', 'week'],
    ['W47', 'week'],
  ])('refuses the malformed week %s with a field error', async (week, field) => {
    const res = await admin.get(`/bulletins/${week}`);
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { path: string }) => f.path).join(',')).toContain(field);
  });

  it('refuses unknown query parameters and a bad revision', async () => {
    expect((await admin.get(`/bulletins/${weekBefore}?rev=1`)).status).toBe(400);
    expect((await admin.get(`/bulletins/${weekBefore}?revision=0`)).status).toBe(400);
  });

  it('shows the provisional current week, marked provisional, once it has been evaluated', async () => {
    await evaluateAndStoreWeek(weekCurrent, { now: new Date() });
    const res = await admin.get(`/bulletins/${weekCurrent}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ week: weekCurrent, provisional: true, revision: 0 });
  });
});

describe('GET /bulletins', () => {
  it('lists the evaluated weeks newest first, page by page', async () => {
    const first = await admin.get('/bulletins?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items.map((b: { week: string }) => b.week)).toEqual([weekLast]);
    expect(first.body.items[0]).toMatchObject({ revision: 1, provisional: false, ruleSetVersion: 1 });
    expect(first.body.items[0].counts.admonishmentTalk).toBe(1);
    expect(first.body.next).toBeTypeOf('string');
    const second = await admin.get(`/bulletins?limit=1&next=${encodeURIComponent(first.body.next)}`);
    expect(second.body.items.map((b: { week: string }) => b.week)).toEqual([weekBefore]);
    const rest = second.body.next
      ? await admin.get(`/bulletins?limit=1&next=${encodeURIComponent(second.body.next)}`)
      : { body: { items: [] } };
    expect(rest.body.items).toEqual([]);
  });

  it('filters by a range of weeks', async () => {
    const res = await admin.get(`/bulletins?from=${weekBefore}&to=${weekBefore}`);
    expect(res.body.items.map((b: { week: string }) => b.week)).toEqual([weekBefore]);
  });

  it.each([
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['from=2026-47', 'query.from'],
    ['next=%21%21', 'next'],
    ['colour=red', 'query.colour'],
  ])('refuses %s with 400', async (query, path) => {
    const res = await admin.get(`/bulletins?${query}`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toContain(path);
  });

  it('refuses a range that ends before it starts', async () => {
    const res = await admin.get(`/bulletins?from=${weekLast}&to=${weekBefore}`);
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0].code).toBe('RANGE_INVERTED');
  });
});
