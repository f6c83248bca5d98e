import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepTalk } from '../../functions/adapters/dynamo/talks.ts';
import { weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { createAll } from '../support/county.ts';
import { runJobNow } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * Talks as decisions (issue 12): the weekly job proposes 提醒谈话 / 诫勉谈话 instead of issuing them;
 * HQ approves (numbering and sending the notice), changes the tier with a reason, or waives; HQ
 * records the talk held; the cadre concerned acknowledges it with a statement. Each step audited,
 * conditional on the status (409 in Chinese otherwise), retry-safe; the county setting turns
 * approval off, and then the job approves at once as before.
 */
process.env.PDF_RENDERER = 'off';

let t: TestStack;
let admin: Caller;
let inspector: Caller;

const today = beijingDate(new Date());
const lastWeek = isoWeekOf(addDays(today, -7));
const twoWeeksAgo = isoWeekOf(addDays(today, -14));
const mondayOf = (week: string) => weekBounds(week).monday;

const township = uid('T');
const otherTownship = uid('T');
const village = uid('V');
const otherVillage = uid('V');
const reminded = uid('C'); // 3 problems: 提醒谈话
const admonished = uid('C'); // 5 problems: 诫勉谈话
const waived = uid('C'); // 3 problems: waived
const elsewhere = uid('C'); // other township, 3 problems two weeks ago (approval off)
const conductor = uid('C');
const cadres: Record<string, Caller> = {};

async function inspect(villageId: string, date: string, findings: { cadreId: string; problems: number }[]) {
  const res = await inspector.post('/inspections', {
    villageId,
    date,
    mode: 'open',
    findings: findings.map((f) => ({
      cadreId: f.cadreId,
      present: true,
      problems: Array.from({ length: f.problems }, (_, i) => ({
        description: `村道垃圾未清理${i + 1}`,
        severity: 'minor',
      })),
    })),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function talkOf(cadreId: string, week = lastWeek) {
  const res = await admin.get(`/talks?cadreId=${cadreId}&week=${week}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.items).toHaveLength(1);
  return res.body.items[0];
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  await createAll(admin, [
    ['/townships', { id: township, name: '青石乡' }],
    ['/townships', { id: otherTownship, name: '白沙镇' }],
    ['/villages', { id: village, name: '红旗村', townshipId: township, category: 'deep' }],
    ['/villages', { id: otherVillage, name: '东山村', townshipId: otherTownship, category: 'general' }],
    ['/cadres', { id: reminded, name: '李明', unit: '县水务局', rank: 'section', townshipId: township }],
    ['/cadres', { id: admonished, name: '王芳', unit: '县农业农村局', rank: 'staff', townshipId: township }],
    ['/cadres', { id: waived, name: '赵刚', unit: '县交通局', rank: 'staff', townshipId: township }],
    ['/cadres', { id: elsewhere, name: '孙丽', unit: '县教育局', rank: 'staff', townshipId: otherTownship }],
    ['/cadres', { id: conductor, name: '周县长', unit: '县政府', rank: 'county', townshipId: township }],
    ['/assignments', { cadreId: reminded, villageId: village, role: 'chief' }],
    ['/assignments', { cadreId: admonished, villageId: village, role: 'member' }],
    ['/assignments', { cadreId: waived, villageId: village, role: 'member' }],
    ['/assignments', { cadreId: elsewhere, villageId: otherVillage, role: 'chief' }],
  ]);
  for (const id of [reminded, admonished, waived, elsewhere]) cadres[id] = await t.as('cadre', id);
  await inspect(village, mondayOf(lastWeek), [
    { cadreId: reminded, problems: 3 },
    { cadreId: admonished, problems: 5 },
    { cadreId: waived, problems: 3 },
  ]);
  const run = await runJobNow(admin, 'weekly-bulletin', { week: lastWeek });
  expect(run).toMatchObject({ status: 'succeeded' });
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('the weekly evaluation proposes talks and no longer issues them', () => {
  it('lists one proposed talk per cadre coming into a talk tier, without a notice', async () => {
    const res = await admin.get(`/talks?week=${lastWeek}&status=proposed`);
    expect(res.status).toBe(200);
    const byCadre = new Map(res.body.items.map((i: any) => [i.cadreId, i]));
    expect([...byCadre.keys()].sort()).toEqual([reminded, admonished, waived].sort());
    expect(byCadre.get(reminded)).toMatchObject({
      status: 'proposed',
      statusLabel: '待审批',
      tier: 'reminderTalk',
      tierLabel: '提醒谈话',
      townshipId: township,
      notice: null,
      approval: null,
      dueBy: null,
    });
    expect(byCadre.get(admonished)).toMatchObject({
      tier: 'admonishmentTalk',
      proposedTier: 'admonishmentTalk',
    });
  });

  it('renders no talk notice and tells the cadre nothing until a decision', async () => {
    const notices = await admin.get(`/notices?kind=talkNotice&week=${lastWeek}`);
    expect(notices.body.items).toEqual([]);
    const told = await cadres[reminded]!.get(`/cadres/${reminded}/notifications?kind=talk_notice`);
    expect(told.status).toBe(200);
    expect(told.body.items).toEqual([]);
  });

  it('a second run of the job proposes nothing twice', async () => {
    const run = await runJobNow(admin, 'weekly-bulletin', { week: lastWeek });
    expect(run.status).toBe('succeeded');
    const res = await admin.get(`/talks?week=${lastWeek}`);
    expect(res.body.items).toHaveLength(3);
  });
});

describe('deciding: approve, change, waive', () => {
  it('approving numbers the notice at the decision, sends it and marks the talk notified', async () => {
    const talk = await talkOf(reminded);
    const res = await admin.post(`/talks/${talk.id}/approve`, undefined, {
      'Idempotency-Key': `approve-${talk.id}`,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const year = today.slice(0, 4);
    expect(res.body).toMatchObject({
      status: 'notified',
      approval: { by: admin.sub, automatic: false },
      notice: { number: `指谈〔${year}〕1号`, download: `/talks/${talk.id}/notice` },
    });
    expect(res.body.dueBy).toBe(addDays(today, 7));
    expect(res.body.overdue).toBe(false);

    const notices = await admin.get(`/notices?kind=talkNotice&week=${lastWeek}`);
    expect(notices.body.items).toHaveLength(1);
    expect(notices.body.items[0]).toMatchObject({ cadreId: reminded, title: '提醒谈话通知书（李明）' });

    const told = await cadres[reminded]!.get(`/cadres/${reminded}/notifications?kind=talk_notice`);
    expect(told.body.items).toHaveLength(1);
    expect(told.body.items[0]).toMatchObject({ noticeId: res.body.notice.id, link: '/app/cadre/standing' });
    expect(told.body.items[0].body).toContain(res.body.notice.number);
  });

  it('the notice carries the decision: who approved and when', async () => {
    const talk = await talkOf(reminded);
    const file = await cadres[reminded]!.send('GET', `/talks/${talk.id}/notice?format=html`);
    expect(file.status).toBe(200);
    const html = String(file.body);
    expect(html).toContain(talk.notice.number);
    const [y, m, d] = today.split('-').map(Number);
    expect(html).toContain(`于${y}年${m}月${d}日批准`);
    expect(html).toContain('提醒谈话通知书');
  });

  it('a repeat with the same Idempotency-Key replays; a second approval is 409 in Chinese', async () => {
    const talk = await talkOf(reminded);
    const replay = await admin.post(`/talks/${talk.id}/approve`, undefined, {
      'Idempotency-Key': `approve-${talk.id}`,
    });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const again = await admin.post(`/talks/${talk.id}/approve`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'TALK_STATUS_CONFLICT',
      message: '该谈话已通知，不能再批准',
    });
    const notices = await admin.get(`/notices?kind=talkNotice&week=${lastWeek}`);
    expect(notices.body.items).toHaveLength(1);
  });

  it('changing the tier needs a written reason, and is kept with who and when', async () => {
    const talk = await talkOf(admonished);
    const missing = await admin.post(`/talks/${talk.id}/change`, { tier: 'reminderTalk' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toContainEqual(
      expect.objectContaining({ path: 'body.reason', message: expect.stringMatching(/[\u4e00-\u9fa5]/) }),
    );
    const bad = await admin.post(`/talks/${talk.id}/change`, { tier: 'warning', reason: '已整改' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].message).toBe('请选择谈话档次：提醒谈话或诫勉谈话');
    const same = await admin.post(`/talks/${talk.id}/change`, { tier: 'admonishmentTalk', reason: '维持' });
    expect(same.status).toBe(400);
    expect(same.body.error.code).toBe('SAME_TIER');

    const res = await admin.post(`/talks/${talk.id}/change`, {
      tier: 'reminderTalk',
      reason: '已主动整改两项，从轻',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      status: 'proposed',
      tier: 'reminderTalk',
      proposedTier: 'admonishmentTalk',
      changes: [
        { from: 'admonishmentTalk', to: 'reminderTalk', reason: '已主动整改两项，从轻', by: admin.sub },
      ],
    });
  });

  it('waiving needs a reason; a waived talk can be neither approved nor changed', async () => {
    const talk = await talkOf(waived);
    expect((await admin.post(`/talks/${talk.id}/waive`, {})).status).toBe(400);
    const res = await admin.post(`/talks/${talk.id}/waive`, { reason: '病假期间，经研究不予谈话' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'waived',
      statusLabel: '不予谈话',
      waiver: { reason: '病假期间，经研究不予谈话' },
    });
    const approve = await admin.post(`/talks/${talk.id}/approve`);
    expect(approve.status).toBe(409);
    expect(approve.body.error.message).toBe('该谈话不予谈话，不能再批准');
    const change = await admin.post(`/talks/${talk.id}/change`, { tier: 'admonishmentTalk', reason: '改' });
    expect(change.status).toBe(409);
  });

  it('only HQ decides: inspectors and cadres get 403, an unknown talk 404', async () => {
    const talk = await talkOf(admonished);
    expect((await inspector.post(`/talks/${talk.id}/approve`)).status).toBe(403);
    expect((await cadres[admonished]!.post(`/talks/${talk.id}/approve`)).status).toBe(403);
    expect((await cadres[admonished]!.post(`/talks/${talk.id}/waive`, { reason: '我不想谈' })).status).toBe(
      403,
    );
    expect((await admin.post('/talks/NOPE/approve')).status).toBe(404);
  });
});

describe('holding the talk: record and acknowledge', () => {
  it('cannot be recorded before the notice is out', async () => {
    const talk = await talkOf(admonished);
    const res = await admin.post(`/talks/${talk.id}/record`, {
      heldAt: new Date().toISOString(),
      place: '县指挥部会议室',
      conductorIds: [conductor],
      notes: '谈话内容',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe('谈话通知尚未送达，请先批准并发出通知书');
  });

  it('refuses a talk in the future and a conductor not on the roster, writing nothing', async () => {
    const talk = await talkOf(reminded);
    const future = await admin.post(`/talks/${talk.id}/record`, {
      heldAt: new Date(Date.now() + 3_600_000).toISOString(),
      place: '县指挥部会议室',
      conductorIds: [conductor],
      notes: '谈话内容',
    });
    expect(future.status).toBe(400);
    expect(future.body.error.fields[0]).toMatchObject({
      path: 'body.heldAt',
      message: '谈话时间不能晚于现在',
    });
    const unknown = await admin.post(`/talks/${talk.id}/record`, {
      heldAt: new Date().toISOString(),
      place: '县指挥部会议室',
      conductorIds: [conductor, 'NOBODY'],
      notes: '谈话内容',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields[0]).toMatchObject({
      path: 'body.conductorIds.1',
      message: '谈话人不在干部名册中',
    });
    expect((await talkOf(reminded)).status).toBe('notified');
  });

  it('records the talk held and renders its record (谈话记录)', async () => {
    const talk = await talkOf(reminded);
    const res = await admin.post(`/talks/${talk.id}/record`, {
      heldAt: new Date(Date.now() - 3_600_000).toISOString(),
      place: '县指挥部第二会议室',
      conductorIds: [conductor],
      notes: '指出未销号问题三个，要求一周内整改到位。\n本人表示接受。',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      status: 'held',
      record: {
        place: '县指挥部第二会议室',
        conductorNames: ['周县长'],
        download: `/talks/${talk.id}/record-document`,
      },
    });
    const file = await cadres[reminded]!.send('GET', `/talks/${talk.id}/record-document?format=html`);
    expect(file.status).toBe(200);
    expect(String(file.body)).toContain('提醒谈话记录');
    expect(String(file.body)).toContain('要求一周内整改到位');
    expect(String(file.body)).toContain('待本人确认并表态');
  });

  it('only the cadre concerned acknowledges', async () => {
    const talk = await talkOf(reminded);
    expect(
      (await cadres[admonished]!.post(`/talks/${talk.id}/acknowledge`, { statement: '代签' })).status,
    ).toBe(403);
    expect((await admin.post(`/talks/${talk.id}/acknowledge`, { statement: '代签' })).status).toBe(403);
  });

  it('the cadre acknowledges with a statement (表态): closed, and the record shows it', async () => {
    const talk = await talkOf(reminded);
    const res = await cadres[reminded]!.post(`/talks/${talk.id}/acknowledge`, {
      statement: '诚恳接受批评，三天内完成整改。',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      status: 'closed',
      statusLabel: '已表态',
      acknowledgement: { statement: '诚恳接受批评，三天内完成整改。' },
    });
    const again = await cadres[reminded]!.post(`/talks/${talk.id}/acknowledge`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('您已表态，无需重复提交');
    const file = await cadres[reminded]!.send('GET', `/talks/${talk.id}/record-document?format=html`);
    expect(String(file.body)).toContain('诚恳接受批评，三天内完成整改。');
  });

  it('every step is in the audit trail with before and after', async () => {
    const talk = await talkOf(reminded);
    const res = await admin.get(`/audit?entityType=talk&entityId=${talk.id}`);
    expect(res.status).toBe(200);
    const actions = res.body.items.map((a: any) => a.action).sort();
    expect(actions).toEqual(['acknowledge', 'approve', 'notify', 'propose', 'record'].sort());
    const approve = res.body.items.find((a: any) => a.action === 'approve');
    expect(approve.changes).toMatchObject({ before: { status: 'proposed' }, after: { status: 'approved' } });
  });
});

describe('who sees what', () => {
  it('a cadre lists their own talks and never another’s', async () => {
    const own = await cadres[reminded]!.get('/talks');
    expect(own.status).toBe(200);
    expect(own.body.items.map((i: any) => i.cadreId)).toEqual([reminded]);
    expect((await cadres[reminded]!.get(`/talks?cadreId=${admonished}`)).status).toBe(403);
    const other = await talkOf(admonished);
    expect((await cadres[reminded]!.get(`/talks/${other.id}`)).status).toBe(403);
  });

  it('a cadre downloads their own notice, never another’s', async () => {
    const mine = await talkOf(reminded);
    expect((await cadres[reminded]!.send('GET', `/talks/${mine.id}/notice`)).status).toBe(200);
    expect((await cadres[admonished]!.send('GET', `/talks/${mine.id}/notice`)).status).toBe(403);
    expect((await cadres[admonished]!.send('GET', `/talks/${mine.id}/record-document`)).status).toBe(403);
    expect((await inspector.send('GET', `/talks/${mine.id}/notice`)).status).toBe(403);
    // Before approval there is no notice to download.
    const pending = await talkOf(admonished);
    expect((await cadres[admonished]!.send('GET', `/talks/${pending.id}/notice`)).status).toBe(404);
  });

  it('filters by status, township and week, page by page', async () => {
    const closed = await admin.get(`/talks?status=closed`);
    expect(closed.body.items.map((i: any) => i.cadreId)).toEqual([reminded]);
    const inTownship = await admin.get(`/talks?townshipId=${township}&week=${lastWeek}&limit=2`);
    expect(inTownship.body.items).toHaveLength(2);
    expect(inTownship.body.next).toBeTruthy();
    const rest = await admin.get(
      `/talks?townshipId=${township}&week=${lastWeek}&limit=2&next=${encodeURIComponent(inTownship.body.next)}`,
    );
    expect(rest.body.items).toHaveLength(1);
    expect((await admin.get(`/talks?townshipId=${otherTownship}&week=${lastWeek}`)).body.items).toEqual([]);
    const bad = await admin.get('/talks?status=done&week=2026-W99');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: any) => f.path).sort()).toEqual(['query.status', 'query.week']);
  });
});

describe('talks not held in time', () => {
  it('are listed as overdue (red on the board) once their date has passed', async () => {
    const talk = await talkOf(admonished);
    const approved = await admin.post(`/talks/${talk.id}/approve`);
    expect(approved.status).toBe(200);
    expect((await admin.get('/talks?overdue=true')).body.items).toEqual([]);
    // Time passes: the date to hold it by is yesterday.
    await stepTalk(talk.id, ['notified'], 'notified', { dueBy: addDays(today, -1) });
    const res = await admin.get('/talks?overdue=true');
    expect(res.body.items.map((i: any) => i.cadreId)).toEqual([admonished]);
    expect(res.body.items[0].overdue).toBe(true);
  });
});

describe('the county setting “approval needed”', () => {
  it('is on by default and only HQ changes it, audited', async () => {
    const res = await admin.get('/settings/talks');
    expect(res.body).toMatchObject({ approvalRequired: true, holdWithinDays: 7 });
    expect(
      (
        await cadres[reminded]!.send(
          'PUT',
          '/settings/talks',
          JSON.stringify({ approvalRequired: false, holdWithinDays: 7 }),
          { 'content-type': 'application/json' },
        )
      ).status,
    ).toBe(403);
    const bad = await admin.send(
      'PUT',
      '/settings/talks',
      JSON.stringify({ approvalRequired: 'no', holdWithinDays: 0 }),
      {
        'content-type': 'application/json',
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: any) => f.message)).toEqual([
      '请选择谈话是否须经审批',
      '天数至少为 1',
    ]);
  });

  it('with it off, the evaluation approves and sends at once, as before talks were decisions', async () => {
    const put = await admin.send(
      'PUT',
      '/settings/talks',
      JSON.stringify({ approvalRequired: false, holdWithinDays: 5 }),
      {
        'content-type': 'application/json',
      },
    );
    expect(put.status).toBe(200);
    await inspect(otherVillage, mondayOf(twoWeeksAgo), [{ cadreId: elsewhere, problems: 3 }]);
    const run = await runJobNow(admin, 'weekly-bulletin', { week: twoWeeksAgo });
    expect(run.status).toBe('succeeded');
    const talk = await talkOf(elsewhere, twoWeeksAgo);
    expect(talk).toMatchObject({
      status: 'notified',
      approval: { by: 'system:evaluation', automatic: true },
    });
    const html = String((await cadres[elsewhere]!.send('GET', `/talks/${talk.id}/notice?format=html`)).body);
    expect(html).toContain('考评时自动批准');
    expect(html).toContain('接到本通知书后5日内');
    const told = await cadres[elsewhere]!.get(`/cadres/${elsewhere}/notifications?kind=talk_notice`);
    expect(told.body.items).toHaveLength(1);
  });
});
