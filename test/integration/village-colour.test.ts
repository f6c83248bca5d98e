import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { createRoster, issueDispatch, type RosterFixture } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';

/**
 * GET /villages/{id} answers the village's colour from its own open matters (rule-driven), the matters
 * that made it that colour, and how it changed since the same time last week; readers outside the
 * village's township are refused before anything is read.
 */
let t: TestStack;
let admin: Caller;
let inspector: Caller;
let r: RosterFixture;
const ids: Record<string, string> = {};

const today = () => beijingDate(new Date());

async function problemIn(villageIndex: number, date: string, problem: Record<string, unknown>) {
  const res = await inspector.post('/inspections', {
    villageId: r.villageIds[villageIndex],
    date,
    mode: 'open',
    findings: [{ cadreId: r.cadreIds[0], presence: 'present', problems: [problem] }],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.findings[0].problems[0].id as string;
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  r = await createRoster(admin, { villages: 5, cadres: 1 });
  // V1: overdue since two days ago; a week ago it still had five days left (green then).
  ids.overdue = await problemIn(1, addDays(today(), -10), {
    description: '危房改造资料缺失',
    severity: 'minor',
    rectifyBy: addDays(today(), -2),
  });
  // V2: due in two days: yellow (the default rules warn three days ahead).
  ids.dueSoon = await problemIn(2, today(), {
    description: '产业项目未落实',
    severity: 'minor',
    rectifyBy: addDays(today(), 2),
  });
  // V3: a severe problem is red while open, whatever its deadline.
  ids.severe = await problemIn(3, today(), { description: '饮水工程停工', severity: 'severe' });
  // V4: a task with plenty of time: open, but green.
  await issueDispatch(admin, [{ cadreId: r.cadreIds[0] as string, villageId: r.villageIds[4] as string }], {
    daysAhead: 10,
  });
});
afterAll(async () => {
  await t?.stop();
});

describe('village colour', () => {
  it('is green with no open matters, unchanged since last week', async () => {
    const res = await admin.get(`/villages/${r.villageIds[0]}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: r.villageIds[0],
      color: 'green',
      colorLabel: '绿色',
      colorReasons: [],
      openItems: 0,
      previousColor: 'green',
      colorChange: 'same',
      colorRuleSetVersion: 1,
    });
    expect(res.headers.get('etag')).toBeTruthy();
  });

  it('is red from an overdue problem, names it, and says it got worse since last week', async () => {
    const res = await admin.get(`/villages/${r.villageIds[1]}`);
    expect(res.body).toMatchObject({
      color: 'red',
      previousColor: 'green',
      colorChange: 'worse',
      colorChangeLabel: '较上周转差',
      openItems: 1,
    });
    expect(res.body.colorReasons).toEqual([
      { kind: 'problem', id: ids.overdue, color: 'red', reason: 'overdue', label: '已逾期 2 天' },
    ]);
  });

  it('is yellow from a problem due soon', async () => {
    const res = await admin.get(`/villages/${r.villageIds[2]}`);
    expect(res.body.color).toBe('yellow');
    expect(res.body.colorReasons).toEqual([
      { kind: 'problem', id: ids.dueSoon, color: 'yellow', reason: 'dueSoon', label: '临近期限' },
    ]);
    // Found today: it did not exist a week ago.
    expect(res.body.previousColor).toBe('green');
  });

  it('is red from an open severe problem', async () => {
    const res = await admin.get(`/villages/${r.villageIds[3]}`);
    expect(res.body.color).toBe('red');
    expect(res.body.colorReasons).toEqual([
      expect.objectContaining({ id: ids.severe, reason: 'severe', label: '问题严重' }),
    ]);
  });

  it('counts a task with time left as open but keeps the village green', async () => {
    const res = await admin.get(`/villages/${r.villageIds[4]}`);
    expect(res.body).toMatchObject({ color: 'green', openItems: 1, colorReasons: [] });
  });

  it('turns green again once the problem is verified as rectified', async () => {
    const cadre = await t.as('cadre', r.cadreIds[0]);
    expect(
      (await cadre.post(`/problems/${ids.dueSoon}/rectifications`, { note: '已落实产业项目' })).status,
    ).toBe(201);
    const verified = await inspector.post(`/problems/${ids.dueSoon}/verifications`, { outcome: 'accepted' });
    expect(verified.status, JSON.stringify(verified.body)).toBe(201);
    const res = await admin.get(`/villages/${r.villageIds[2]}`);
    expect(res.body).toMatchObject({ color: 'green', openItems: 0, colorReasons: [] });
  });

  it('lists villages with their colours when asked, and without them otherwise', async () => {
    const plain = await admin.get(`/villages?townshipId=${r.townshipId}`);
    expect(plain.body.items).toHaveLength(5);
    expect(plain.body.items[0].color).toBeUndefined();
    const res = await admin.get(`/villages?townshipId=${r.townshipId}&colors=true`);
    expect(res.status).toBe(200);
    const byId = new Map(res.body.items.map((v: { id: string; color: string }) => [v.id, v.color]));
    expect(byId.get(r.villageIds[1])).toBe('red');
    expect(byId.get(r.villageIds[3])).toBe('red');
    expect(byId.get(r.villageIds[4])).toBe('green');
    expect((await admin.get('/villages?colors=maybe')).status).toBe(400);
  });

  it('is refused to a township reader of another township, and 404 for an unknown village', async () => {
    const other = await t.as('township', undefined, { townshipId: 'T-elsewhere' });
    expect((await other.get(`/villages/${r.villageIds[1]}`)).status).toBe(403);
    const own = await t.as('township', undefined, { townshipId: r.townshipId });
    const res = await own.get(`/villages/${r.villageIds[1]}`);
    expect(res.status).toBe(200);
    expect(res.body.color).toBe('red');
    expect((await admin.get('/villages/no-such-village')).status).toBe(404);
  });
});
