import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as store from '../../functions/adapters/dynamo/direct-reports.ts';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { signInPages } from '../support/pages.ts';

/**
 * Direct reports handed off and closed (issue 13): triage, hand-off (转办) to a unit with a deadline,
 * the unit's reply, closure (办结) with the reporter told, skip-level reports kept from the township,
 * overdue hand-offs red on the board. Every rule is tried from the side that should be refused.
 */
let t: TestStack;
let admin: Caller;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
});
afterAll(async () => {
  await t.stop();
});

interface World {
  tid: string;
  vid: string;
  reporterId: string;
  reporter: Caller;
  unitId: string;
  unitCadre: Caller;
  otherUnitCadre: Caller;
  staff: Caller;
}

/** A township with a village and its reporting cadre; a county department with a cadre; another unit's cadre. */
async function world(): Promise<World> {
  const tid = uid('T');
  const vid = uid('V');
  const reporterId = uid('C');
  const unitId = uid('U');
  const otherUnit = uid('U');
  expect((await admin.post('/townships', { id: tid, name: '转办乡' })).status).toBe(201);
  expect(
    (await admin.post('/villages', { id: vid, name: '转办村', townshipId: tid, category: 'deep' })).status,
  ).toBe(201);
  for (const [id, name] of [
    [unitId, '县交通运输局'],
    [otherUnit, '县林业局'],
  ] as const)
    expect((await admin.post('/units', { id, name, kind: 'department' })).status).toBe(201);
  const unitCadreId = uid('C');
  const otherCadreId = uid('C');
  for (const [id, name, u] of [
    [reporterId, '王报告', undefined],
    [unitCadreId, '李交通', unitId],
    [otherCadreId, '张林业', otherUnit],
  ] as const)
    expect(
      (
        await admin.post('/cadres', {
          id,
          name,
          unit: '县直单位',
          rank: 'staff',
          ...(u ? { unitId: u } : {}),
        })
      ).status,
    ).toBe(201);
  expect(
    (await admin.post('/assignments', { cadreId: reporterId, villageId: vid, role: 'chief' })).status,
  ).toBe(201);
  return {
    tid,
    vid,
    reporterId,
    reporter: await t.as('cadre', reporterId),
    unitId,
    unitCadre: await t.as('cadre', unitCadreId),
    otherUnitCadre: await t.as('cadre', otherCadreId),
    staff: await t.as('township', uid('staff'), { townshipId: tid }),
  };
}

async function file(w: World, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await w.reporter.post('/direct-reports', {
    villageId: w.vid,
    kind: 'resource_request',
    summary: '通村公路塌方，移动信号中断',
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

const today = () => beijingDate(new Date());
const handoff = (w: World, extra: Record<string, unknown> = {}) => ({
  unitId: w.unitId,
  deadline: addDays(today(), 2),
  note: '请两日内组织抢通并恢复信号',
  ...extra,
});

async function auditOf(id: string) {
  const res = await admin.get(`/audit?entityType=directReport&entityId=${id}`);
  expect(res.status).toBe(200);
  return res.body.items as { action: string; changes: Record<string, any> }[];
}

describe('the hand-off path', () => {
  it('goes received → triaged → handed off → replied → closed, audited, and tells the reporter', async () => {
    const w = await world();
    const id = await file(w);

    const triaged = await admin.post(`/direct-reports/${id}/triage`, {
      level: 'county',
      note: '涉及交通、通信',
    });
    expect(triaged.status, JSON.stringify(triaged.body)).toBe(200);
    expect(triaged.body).toMatchObject({ status: 'triaged', level: 'county', levelLabel: '县级办理' });
    // Triage is the first response: its time is recorded as the report's response time.
    expect(triaged.body.acknowledgedAt).toBe(triaged.body.triagedAt);
    expect(typeof triaged.body.responseMinutes).toBe('number');

    const handed = await admin.post(`/direct-reports/${id}/handoffs`, handoff(w));
    expect(handed.status, JSON.stringify(handed.body)).toBe(201);
    expect(handed.body.status).toBe('handed_off');
    expect(handed.body.handoffs).toHaveLength(1);
    const h = handed.body.handoffs[0];
    expect(h).toMatchObject({ unitId: w.unitId, unitName: '县交通运输局', deadline: addDays(today(), 2) });

    // The unit's cadre finds it in their unit's queue and may read the report.
    const queue = await w.unitCadre.get('/direct-report-handoffs');
    expect(queue.status).toBe(200);
    expect(queue.body.items.map((i: { directReportId: string }) => i.directReportId)).toContain(id);
    expect((await w.unitCadre.get(`/direct-reports/${id}`)).status).toBe(200);

    const replied = await w.unitCadre.post(`/direct-reports/${id}/handoffs/${h.id}/reply`, {
      reply: '已派抢险队抢通，移动公司已恢复基站供电',
    });
    expect(replied.status, JSON.stringify(replied.body)).toBe(200);
    expect(replied.body.status).toBe('replied');
    expect(replied.body.handoffs[0]).toMatchObject({ reply: '已派抢险队抢通，移动公司已恢复基站供电' });

    const closed = await admin.post(`/direct-reports/${id}/close`, { resolution: '道路已抢通，信号已恢复' });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({
      status: 'closed',
      resolution: '道路已抢通，信号已恢复',
    });
    expect(typeof closed.body.resolutionMinutes).toBe('number');

    // The reporter sees the resolution on their report and is told on their page.
    const mine = await w.reporter.get(`/direct-reports/${id}`);
    expect(mine.body).toMatchObject({ status: 'closed', resolution: '道路已抢通，信号已恢复' });
    const news = await w.reporter.get(`/cadres/${w.reporterId}/notifications`);
    expect(news.status).toBe(200);
    const told = news.body.items.find((n: { kind: string }) => n.kind === 'report_closed');
    expect(told?.body).toContain('道路已抢通，信号已恢复');

    const audit = await auditOf(id);
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['create', 'triage', 'handoff', 'handoff-reply', 'close']),
    );
    const triage = audit.find((a) => a.action === 'triage')!;
    expect(triage.changes).toMatchObject({
      before: { status: 'new', level: null },
      after: { level: 'county' },
    });
    expect(audit.find((a) => a.action === 'close')!.changes).toMatchObject({
      before: { status: 'replied' },
      after: { status: 'closed' },
    });
  });

  it('refuses a hand-off before triage (409) and triage once handed off (409)', async () => {
    const w = await world();
    const id = await file(w);
    const early = await admin.post(`/direct-reports/${id}/handoffs`, handoff(w));
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'NOT_TRIAGED' });
    expect((await admin.post(`/direct-reports/${id}/triage`, { level: 'township' })).status).toBe(200);
    expect((await admin.post(`/direct-reports/${id}/handoffs`, handoff(w))).status).toBe(201);
    const again = await admin.post(`/direct-reports/${id}/triage`, { level: 'county' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_HANDED_OFF');
    // Acknowledging is as before: a report already answered is 409.
    expect((await admin.post(`/direct-reports/${id}/acknowledge`, {})).status).toBe(409);
  });

  it.each([
    ['an unknown unit', { unitId: 'NO-SUCH-UNIT' }, 'body.unitId', '单位不存在，请从单位名册中选择'],
    ['a deadline in the past', { deadline: '2020-01-01' }, 'body.deadline', '办理期限不能早于今天'],
    ['no note', { note: '' }, 'body.note', undefined],
    ['a deadline that is no date', { deadline: '下周' }, 'body.deadline', undefined],
  ])(
    'answers 400 for %s, with the field in Chinese, and writes nothing',
    async (_n, extra, path, message) => {
      const w = await world();
      const id = await file(w);
      expect((await admin.post(`/direct-reports/${id}/triage`, { level: 'county' })).status).toBe(200);
      const res = await admin.post(`/direct-reports/${id}/handoffs`, handoff(w, extra));
      expect(res.status).toBe(400);
      const field = res.body.error.fields.find((f: { path: string }) => f.path === path);
      expect(field, JSON.stringify(res.body)).toBeDefined();
      expect(field.message).toMatch(/[\u4e00-\u9fff]/);
      if (message) expect(field.message).toBe(message);
      const after = await admin.get(`/direct-reports/${id}`);
      expect(after.body.status).toBe('triaged');
      expect(after.body.handoffs).toBeUndefined();
    },
  );

  it('answers 400 for a level that is not one of the three, in Chinese', async () => {
    const w = await world();
    const id = await file(w);
    const res = await admin.post(`/direct-reports/${id}/triage`, { level: 'province' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0]).toMatchObject({ path: 'body.level' });
    expect(res.body.error.fields[0].message).toContain('县级办理');
  });
});

describe('who may reply and close', () => {
  async function handedOff() {
    const w = await world();
    const id = await file(w);
    expect((await admin.post(`/direct-reports/${id}/triage`, { level: 'county' })).status).toBe(200);
    const res = await admin.post(`/direct-reports/${id}/handoffs`, handoff(w));
    return { w, id, handoffId: res.body.handoffs[0].id as string };
  }

  it('refuses a reply by a cadre of another unit, and by the reporter (403), and their reading the report', async () => {
    const { w, id, handoffId } = await handedOff();
    for (const caller of [w.otherUnitCadre, w.reporter]) {
      const res = await caller.post(`/direct-reports/${id}/handoffs/${handoffId}/reply`, {
        reply: '冒名回复',
      });
      expect(res.status).toBe(403);
    }
    expect((await w.otherUnitCadre.get(`/direct-reports/${id}`)).status).toBe(403);
    const queue = await w.otherUnitCadre.get(`/direct-report-handoffs?unitId=${w.unitId}`);
    expect(queue.status).toBe(403);
    expect((await admin.get(`/direct-reports/${id}`)).body.status).toBe('handed_off');
  });

  it('lets HQ reply on the unit’s behalf, once (a second reply is 409)', async () => {
    const { id, handoffId } = await handedOff();
    const first = await admin.post(`/direct-reports/${id}/handoffs/${handoffId}/reply`, {
      reply: '电话回复已处理',
    });
    expect(first.status).toBe(200);
    const second = await admin.post(`/direct-reports/${id}/handoffs/${handoffId}/reply`, { reply: '再回复' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('ALREADY_REPLIED');
  });

  it('refuses to close while a hand-off waits for its reply, and a second closure (409)', async () => {
    const { w, id, handoffId } = await handedOff();
    const open = await admin.post(`/direct-reports/${id}/close`, { resolution: '已处理' });
    expect(open.status).toBe(409);
    expect(open.body.error.code).toBe('HANDOFF_OPEN');
    await w.unitCadre.post(`/direct-reports/${id}/handoffs/${handoffId}/reply`, { reply: '已处理完毕' });
    expect((await admin.post(`/direct-reports/${id}/close`, { resolution: '已处理' })).status).toBe(200);
    const twice = await admin.post(`/direct-reports/${id}/close`, { resolution: '再次办结' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('ALREADY_CLOSED');
    expect((await admin.get(`/direct-reports/${id}`)).body.resolution).toBe('已处理');
    // Nothing more can be handed off once closed.
    expect((await admin.post(`/direct-reports/${id}/handoffs`, handoff(w))).body.error.code).toBe(
      'ALREADY_CLOSED',
    );
  });

  it('answers a retried closure with the same Idempotency-Key as the first time, telling the reporter once', async () => {
    const w = await world();
    const id = await file(w);
    const headers = { 'idempotency-key': `close-${id}` };
    const first = await admin.post(
      `/direct-reports/${id}/close`,
      { resolution: '情况属实，已解决' },
      headers,
    );
    const again = await admin.post(
      `/direct-reports/${id}/close`,
      { resolution: '情况属实，已解决' },
      headers,
    );
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body.closedAt).toBe(first.body.closedAt);
    const news = await w.reporter.get(`/cadres/${w.reporterId}/notifications`);
    expect(news.body.items.filter((n: { kind: string }) => n.kind === 'report_closed')).toHaveLength(1);
    expect((await auditOf(id)).filter((a) => a.action === 'close')).toHaveLength(1);
  });

  it('refuses triage, hand-off and closure to a cadre, even of the unit handed to (403)', async () => {
    const { w, id } = await handedOff();
    for (const path of ['triage', 'handoffs', 'close'])
      expect((await w.unitCadre.post(`/direct-reports/${id}/${path}`, {})).status).toBe(403);
  });
});

describe('skip levels (越级直报) and the township', () => {
  it('keeps a skip-level report from the township’s staff until the county hands it down', async () => {
    const w = await world();
    const id = await file(w, { skipLevels: true });
    const ordinary = await file(w);
    const list = await w.staff.get('/direct-reports');
    expect(list.status).toBe(200);
    const listed = list.body.items.map((r: { id: string }) => r.id);
    expect(listed).toContain(ordinary);
    expect(listed).not.toContain(id);
    for (const res of [
      await w.staff.get(`/direct-reports/${id}`),
      await w.staff.post(`/direct-reports/${id}/acknowledge`, {}),
      await w.staff.post(`/direct-reports/${id}/triage`, { level: 'township' }),
      await w.staff.post(`/direct-reports/${id}/close`, { resolution: '乡里处理' }),
    ])
      expect(res.status).toBe(403);
    expect((await admin.get(`/direct-reports/${id}`)).body.status).toBe('new');

    // HQ hands it down to the township: the staff see it and may hand it off.
    expect((await admin.post(`/direct-reports/${id}/triage`, { level: 'township' })).status).toBe(200);
    expect((await w.staff.get(`/direct-reports/${id}`)).status).toBe(200);
    expect((await w.staff.get('/direct-reports')).body.items.map((r: { id: string }) => r.id)).toContain(id);
    expect((await w.staff.post(`/direct-reports/${id}/handoffs`, handoff(w))).status).toBe(201);
  });

  it('lets the township read but not handle a report at the county level', async () => {
    const w = await world();
    const id = await file(w);
    expect((await w.staff.post(`/direct-reports/${id}/triage`, { level: 'county' })).status).toBe(200);
    expect((await w.staff.get(`/direct-reports/${id}`)).status).toBe(200);
    const res = await w.staff.post(`/direct-reports/${id}/close`, { resolution: '乡里处理' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('该直报由县级办理，乡镇工作人员只能查看');
    expect((await admin.post(`/direct-reports/${id}/handoffs`, handoff(w))).status).toBe(201);
  });

  it('refuses another township’s staff every step (403)', async () => {
    const w = await world();
    const id = await file(w);
    const stranger = await t.as('township', uid('staff'), { townshipId: uid('T') });
    expect((await stranger.post(`/direct-reports/${id}/triage`, { level: 'village' })).status).toBe(403);
    expect((await stranger.post(`/direct-reports/${id}/close`, { resolution: '无关' })).status).toBe(403);
  });
});

describe('overdue hand-offs', () => {
  it('lists a hand-off past its deadline with no reply as overdue, and shows it red on the board with the unit', async () => {
    const w = await world();
    const id = await file(w);
    expect((await admin.post(`/direct-reports/${id}/triage`, { level: 'county' })).status).toBe(200);
    // A hand-off made days ago (the API refuses a past deadline, so it is written as it was then).
    const handoffId = uid('H');
    const result = await store.addHandoff(id, {
      id: handoffId,
      unitId: w.unitId,
      unitName: '县交通运输局',
      deadline: addDays(today(), -2),
      note: '限期抢通',
      createdAt: new Date(Date.now() - 5 * 86_400_000).toISOString(),
      createdBy: 'hq',
    });
    expect(result.kind).toBe('done');

    const overdue = await admin.get(`/direct-report-handoffs?overdue=true&townshipId=${w.tid}`);
    expect(overdue.status).toBe(200);
    expect(overdue.body.items).toEqual([
      expect.objectContaining({ id: handoffId, directReportId: id, overdue: true, unitName: '县交通运输局' }),
    ]);
    const staffView = await w.staff.get('/direct-report-handoffs?overdue=true');
    expect(staffView.body.items.map((h: { id: string }) => h.id)).toEqual([handoffId]);

    const pages = await signInPages(t.url, admin.sub, 'admin');
    const board = await pages.get(`/app/admin/board?townshipId=${w.tid}`);
    expect(board.status).toBe(200);
    expect(board.text).toMatch(/逾期未回复的转办/);
    expect(board.text).toContain('县交通运输局');

    // Once replied it is no longer overdue.
    await w.unitCadre.post(`/direct-reports/${id}/handoffs/${handoffId}/reply`, { reply: '已抢通' });
    const after = await admin.get(`/direct-report-handoffs?overdue=true&townshipId=${w.tid}`);
    expect(after.body.items).toEqual([]);
  });
});

describe('the pages', () => {
  it('lets HQ triage, hand off and close from the report’s page, and the unit’s cadre reply from theirs', async () => {
    const w = await world();
    const id = await file(w);
    const hq = await signInPages(t.url, admin.sub, 'admin');
    const detail = `/app/admin/direct-reports/${id}`;
    const first = await hq.get(detail);
    expect(first.status).toBe(200);
    expect(first.text).toContain('确定办理层级');
    expect(first.text).not.toContain('>转办</button>');

    const triaged = await hq.post(`${detail}/triage`, { level: 'county', note: '' });
    expect(triaged.status).toBe(303);
    expect(triaged.location).toContain('done=triaged');
    const form = await hq.get(detail);
    expect(form.text).toContain('县交通运输局');
    expect(form.text).toContain('>转办</button>');

    // A past deadline comes back beside the field, in Chinese; nothing is handed off.
    const refused = await hq.post(`${detail}/handoffs`, {
      unitId: w.unitId,
      deadline: '2020-01-01',
      note: '请办理',
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('办理期限不能早于今天');
    expect((await admin.get(`/direct-reports/${id}`)).body.handoffs).toBeUndefined();

    const handed = await hq.post(`${detail}/handoffs`, {
      unitId: w.unitId,
      deadline: addDays(today(), 1),
      note: '请抢通道路',
    });
    expect(handed.status).toBe(303);

    const unitCadre = await signInPages(t.url, w.unitCadre.sub, 'cadre');
    const queue = await unitCadre.get('/app/cadre/handoffs');
    expect(queue.status).toBe(200);
    expect(queue.text).toContain('通村公路塌方');
    const action = /action="(\/app\/cadre\/handoffs\/[^"]+\/reply)"/.exec(queue.text)?.[1];
    expect(action).toBeDefined();
    const replied = await unitCadre.post(action!.replace(/&#x3D;/g, '='), { reply: '已抢通' });
    expect(replied.status).toBe(303);
    expect((await unitCadre.get('/app/cadre/handoffs?done=replied')).text).toContain('回复已送达指挥部');

    const closed = await hq.post(`${detail}/close`, { resolution: '道路已抢通' });
    expect(closed.status).toBe(303);
    const done = await hq.get(`${detail}?done=closed`);
    expect(done.text).toContain('办结情况');
    expect(done.text).toContain('道路已抢通');
    expect(done.text).toContain('单位回复');

    // The reporter reads the resolution beside their report.
    const reporter = await signInPages(t.url, w.reporter.sub, 'cadre');
    expect((await reporter.get('/app/cadre/direct-reports/new')).text).toContain('办结情况：道路已抢通');
  });
});
