import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditForEntity } from '../../functions/adapters/dynamo/audit.ts';
import { dispatchYear } from '../../functions/core/dispatches.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * A chief (总队长) dispatches to the members of the teams they lead ("所有作战指令由总队长统一下达",
 * seed 002): 201 when every assignee is on such a team, 403 NOT_YOUR_TEAM naming who is not; the form
 * is numbered in HQ's series, records its issuer, and the chief follows every member's reports.
 */
let t: TestStack;
let admin: Caller;
let chief: Caller;
const township = uid('T');
const villages = { led: uid('V'), second: uid('V'), other: uid('V') };
const cadres = {
  chief: uid('CH'),
  member: uid('CM'),
  helper: uid('CP'),
  otherChief: uid('CO'),
  otherMember: uid('CX'),
  ended: uid('CE'),
};
const NUMBER = new RegExp(`^派〔${dispatchYear(new Date())}〕(\\d+)号$`);
const seq = (n: string) => Number(NUMBER.exec(n)?.[1]);
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

function order(assignees: { cadreId: string; villageId: string }[], overrides: Record<string, unknown> = {}) {
  return {
    title: '连夜排查山塘水位',
    category: '工作队指令',
    description: '今晚八点前逐塘查看水位并拍照上报。',
    deadline: inDays(2),
    assignees,
    ...overrides,
  };
}

async function assign(cadreId: string, villageId: string, role: 'chief' | 'member', teamRole?: string) {
  const res = await admin.post('/assignments', {
    cadreId,
    villageId,
    role,
    ...(teamRole ? { teamRole } : {}),
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  expect((await admin.post('/townships', { id: township, name: '青石乡' })).status).toBe(201);
  const names: Record<string, string> = { led: '石门村', second: '水口村', other: '白岩村' };
  for (const [key, id] of Object.entries(villages))
    expect(
      (await admin.post('/villages', { id, name: names[key], townshipId: township, category: 'general' }))
        .status,
    ).toBe(201);
  const people: Record<string, string> = {
    chief: '王总队',
    member: '李书记',
    helper: '赵帮扶',
    otherChief: '钱队长',
    otherMember: '孙队员',
    ended: '周离任',
  };
  for (const [key, id] of Object.entries(cadres))
    expect(
      (await admin.post('/cadres', { id, name: people[key], unit: '县水务局', rank: 'staff' })).status,
    ).toBe(201);
  await assign(cadres.chief, villages.led, 'chief');
  await assign(cadres.member, villages.led, 'member', 'first-secretary');
  await assign(cadres.helper, villages.led, 'member', 'helper');
  // The helper is on another team too, which this chief does not lead.
  await assign(cadres.helper, villages.other, 'member');
  await assign(cadres.otherChief, villages.other, 'chief');
  await assign(cadres.otherMember, villages.other, 'member');
  const ended = await assign(cadres.ended, villages.led, 'member');
  expect((await admin.post(`/assignments/${ended}/end`, {})).status).toBe(200);
  chief = await t.as('cadre', cadres.chief);
});
afterAll(async () => {
  await t.stop();
});

describe("a chief's dispatch to their team", () => {
  it("issues a form numbered in HQ's series, recording the chief as its issuer, audited", async () => {
    const before = await admin.post(
      '/dispatches',
      order([{ cadreId: cadres.member, villageId: villages.led }]),
    );
    expect(before.status).toBe(201);
    const res = await chief.post(
      '/dispatches',
      order([
        { cadreId: cadres.member, villageId: villages.led },
        { cadreId: cadres.helper, villageId: villages.led },
      ]),
    );
    expect(res.status).toBe(201);
    expect(seq(res.body.number)).toBe(seq(before.body.number) + 1);
    expect(res.body).toMatchObject({
      issuerCadreId: cadres.chief,
      issuerName: '王总队',
      createdBy: cadres.chief,
      assigneeCount: 2,
    });
    expect(before.body).not.toHaveProperty('issuerCadreId');
    const after = await admin.post(
      '/dispatches',
      order([{ cadreId: cadres.member, villageId: villages.led }]),
    );
    expect(seq(after.body.number)).toBe(seq(res.body.number) + 1);
    const audit = await listAuditForEntity('dispatch', res.body.id, 10);
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ actor: cadres.chief, action: 'create' });
    expect(audit.items[0]!.changes).toMatchObject({ issuerCadreId: cadres.chief, number: res.body.number });
  });

  it('lets the chief include themself, as a member of their own team', async () => {
    const res = await chief.post('/dispatches', order([{ cadreId: cadres.chief, villageId: villages.led }]));
    expect(res.status).toBe(201);
  });

  it.each([
    [
      "a member of another chief's team",
      () => [{ cadreId: cadres.otherMember, villageId: villages.other }],
      '孙队员（白岩村）',
      '您不是白岩村的总队长',
    ],
    [
      'their own member, sent to a village they do not lead',
      () => [{ cadreId: cadres.helper, villageId: villages.other }],
      '赵帮扶（白岩村）',
      '您不是白岩村的总队长',
    ],
    [
      'someone who is not on the team of the village they lead',
      () => [{ cadreId: cadres.otherMember, villageId: villages.led }],
      '孙队员（石门村）',
      '孙队员不在您带领的石门村工作队中',
    ],
    [
      'a member whose assignment has ended',
      () => [{ cadreId: cadres.ended, villageId: villages.led }],
      '周离任（石门村）',
      '周离任不在您带领的石门村工作队中',
    ],
    [
      'a cadre who does not exist',
      () => [{ cadreId: 'NOBODY-1', villageId: villages.led }],
      'NOBODY-1（石门村）',
      'NOBODY-1不在您带领的石门村工作队中',
    ],
  ])(
    'refuses %s with 403 NOT_YOUR_TEAM, naming them, and writes nothing',
    async (_what, assignees, named, field) => {
      const list = [{ cadreId: cadres.member, villageId: villages.led }, ...assignees()];
      const before = (await admin.get('/dispatches?limit=100')).body.items.length;
      const res = await chief.post('/dispatches', order(list));
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('NOT_YOUR_TEAM');
      expect(res.body.error.message).toBe(`以下派遣对象不在您带领的村工作队中：${named}`);
      expect(res.body.error.fields).toEqual([
        { path: 'body.assignees.1.cadreId', code: 'NOT_YOUR_TEAM', message: field },
      ]);
      expect((await admin.get('/dispatches?limit=100')).body.items.length).toBe(before);
    },
  );

  it('refuses a cadre who leads no team at all', async () => {
    const member = await t.as('cadre', cadres.member);
    const res = await member.post(
      '/dispatches',
      order([{ cadreId: cadres.helper, villageId: villages.led }]),
    );
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      code: 'NOT_YOUR_TEAM',
      message: '您目前不是任何村的总队长，不能下达指令',
    });
  });

  it('still answers bad input with 400 and field messages in Chinese', async () => {
    const res = await chief.post(
      '/dispatches',
      order([{ cadreId: cadres.member, villageId: villages.led }], { deadline: inDays(-1), title: '' }),
    );
    expect(res.status).toBe(400);
    const paths = res.body.error.fields.map((f: { path: string }) => f.path);
    expect(paths).toContain('body.title');
  });

  it('is retry-safe: the same Idempotency-Key answers the same form and takes no new number', async () => {
    const headers = { 'idempotency-key': `chief-${uid('k')}` };
    const body = order([{ cadreId: cadres.helper, villageId: villages.led }]);
    const first = await chief.post('/dispatches', body, headers);
    const again = await chief.post('/dispatches', body, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.number).toBe(first.body.number);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('following the reports', () => {
  it("shows the chief every member's notes and reports; a member sees only their own", async () => {
    const d = await chief.post(
      '/dispatches',
      order([
        { cadreId: cadres.member, villageId: villages.led },
        { cadreId: cadres.helper, villageId: villages.led },
      ]),
    );
    const member = await t.as('cadre', cadres.member);
    const helper = await t.as('cadre', cadres.helper);
    expect(
      (await member.post(`/dispatches/${d.body.id}/reports`, { status: 'done', note: '三口塘水位正常。' }))
        .status,
    ).toBe(201);
    expect(
      (await helper.post(`/dispatches/${d.body.id}/reports`, { status: 'in_progress', note: '已查看两口。' }))
        .status,
    ).toBe(201);

    const seen = await chief.get(`/dispatches/${d.body.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.reports.map((r: { note: string }) => r.note).sort()).toEqual([
      '三口塘水位正常。',
      '已查看两口。',
    ]);
    expect(seen.body.assignees.map((a: { lastNote: string | null }) => a.lastNote)).toEqual([
      '三口塘水位正常。',
      '已查看两口。',
    ]);
    const own = await member.get(`/dispatches/${d.body.id}`);
    expect(own.body.reports.map((r: { note: string }) => r.note)).toEqual(['三口塘水位正常。']);
    // A cadre neither on the form nor its issuer may not read it.
    const stranger = await (await t.as('cadre', cadres.otherChief)).get(`/dispatches/${d.body.id}`);
    expect(stranger.status).toBe(403);
  });

  it('lists what a chief issued (issuedBy), to the chief and HQ only, newest first', async () => {
    const mine = await chief.get(`/dispatches?issuedBy=${cadres.chief}`);
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThanOrEqual(4);
    for (const item of mine.body.items)
      expect(item).toMatchObject({ issuerCadreId: cadres.chief, issuerName: '王总队' });
    const created = mine.body.items.map((i: { createdAt: string }) => i.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    expect((await admin.get(`/dispatches?issuedBy=${cadres.chief}`)).body.items).toHaveLength(
      mine.body.items.length,
    );
    const other = await (await t.as('cadre', cadres.member)).get(`/dispatches?issuedBy=${cadres.chief}`);
    expect(other.status).toBe(403);
    // The member's own list names who issued it.
    const rows = (await (await t.as('cadre', cadres.member)).get(`/dispatches?cadreId=${cadres.member}`)).body
      .items;
    expect(rows.some((r: { issuerName?: string }) => r.issuerName === '王总队')).toBe(true);
  });

  it('tells each member at once, naming the chief who issued it', async () => {
    const d = await chief.post('/dispatches', order([{ cadreId: cadres.member, villageId: villages.led }]));
    const res = await (await t.as('cadre', cadres.member)).get(
      `/cadres/${cadres.member}/notifications?limit=20`,
    );
    expect(res.status).toBe(200);
    const news = res.body.items.find((n: { title: string }) => n.title.includes(d.body.number));
    expect(news?.body).toContain('总队长王总队下达任务派遣单');
  });
});
