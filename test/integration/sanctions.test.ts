import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvedInWeek } from '../../functions/adapters/dynamo/sanctions.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * Violation handling (seed 000, 监督与约束权): a violation report, verified by an inspector; a sanction
 * (削减 by a share, or 暂停) proposed by the chief and approved by HQ, audited, in the quota ledger and
 * the week's list for the bulletin. Every rule is tried by a request that should be refused.
 */
let t: TestStack;
let admin: Caller;
let inspector: Caller;
let inspector2: Caller;
let chief: Caller;
let member: Caller;
let outsider: Caller;
let staff: Caller;
let otherStaff: Caller;
const [t1, t2] = [uid('T'), uid('T')];
const [v1, v2, v3] = [uid('V'), uid('V'), uid('V')];
const ids = { chief: uid('C'), member: uid('C'), outsider: uid('C') };
const today = beijingDate(new Date());
const period = today.slice(0, 7);
const from = `${period}-01`;
const to = addDays(from, 9);
let verifiedReport: string;

const valid = (over: Record<string, unknown> = {}) => ({
  villageId: v1,
  kind: 'reduce',
  share: 0.3,
  from,
  to,
  reason: '私自截水，拒不执行轮灌安排',
  ...over,
});

async function violation(caller: Caller, villageId = v1, kind = 'violation') {
  const res = await caller.post('/direct-reports', {
    villageId,
    kind,
    summary: '三组私自截流河水，下游断水',
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  inspector2 = await t.as('inspector');
  for (const [id, name] of [
    [t1, '青石乡'],
    [t2, '白岩镇'],
  ])
    expect((await admin.post('/townships', { id, name })).status).toBe(201);
  for (const [id, name, townshipId] of [
    [v1, '石门村', t1],
    [v2, '柳河村', t1],
    [v3, '白岩村', t2],
  ])
    expect((await admin.post('/villages', { id, name, townshipId, category: 'general' })).status).toBe(201);
  for (const id of Object.values(ids))
    expect(
      (await admin.post('/cadres', { id, name: `干部${id.slice(-3)}`, unit: '县水务局', rank: 'staff' }))
        .status,
    ).toBe(201);
  for (const [cadreId, villageId, role] of [
    [ids.chief, v1, 'chief'],
    [ids.member, v1, 'member'],
    [ids.outsider, v3, 'chief'],
  ])
    expect((await admin.post('/assignments', { cadreId, villageId, role })).status).toBe(201);
  chief = await t.as('cadre', ids.chief);
  member = await t.as('cadre', ids.member);
  outsider = await t.as('cadre', ids.outsider);
  staff = await t.as('township', uid('s'), { townshipId: t1 });
  otherStaff = await t.as('township', uid('s'), { townshipId: t2 });
  // A grant for the ledger: 100 吨 of 抗旱物资 this month.
  const proposal = await chief.post('/allocations', {
    resourceKind: 'drought-relief',
    period,
    villageId: v1,
    priority: 1,
    note: '饮水困难',
  });
  expect(
    (await admin.post(`/allocations/${proposal.body.id}/decide`, { decision: 'grant', quantity: 100 }))
      .status,
  ).toBe(200);
});
afterAll(async () => {
  await t.stop();
});

describe('an inspector verifies a violation report', () => {
  it('records the verdict once, audited; another inspector’s second verdict is 409', async () => {
    verifiedReport = await violation(member);
    const res = await inspector.post(`/direct-reports/${verifiedReport}/verify`, {
      verdict: 'confirmed',
      note: '现场查看属实',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      verdict: 'confirmed',
      verdictLabel: '查证属实',
      verifiedBy: inspector.sub,
      villageId: v1,
    });
    // The same inspector's retry is answered as it was.
    const retry = await inspector.post(`/direct-reports/${verifiedReport}/verify`, {
      verdict: 'confirmed',
      note: '现场查看属实',
    });
    expect(retry.status).toBe(201);
    const second = await inspector2.post(`/direct-reports/${verifiedReport}/verify`, {
      verdict: 'unfounded',
      note: '不属实',
    });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('ALREADY_VERIFIED');
    expect((await chief.get(`/direct-reports/${verifiedReport}/verification`)).body.verdict).toBe(
      'confirmed',
    );
    expect((await outsider.get(`/direct-reports/${verifiedReport}/verification`)).status).toBe(403);
    const audit = await admin.get(`/audit?entityType=directReport&entityId=${verifiedReport}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('verify');
  });

  it('verifies violation reports only', async () => {
    const report = await violation(chief, v1, 'situation');
    const res = await inspector.post(`/direct-reports/${report}/verify`, {
      verdict: 'confirmed',
      note: '属实',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('NOT_A_VIOLATION');
    expect(
      (await inspector.post('/direct-reports/NOPE/verify', { verdict: 'confirmed', note: '属实' })).status,
    ).toBe(404);
  });
});

describe('POST /sanctions', () => {
  it('takes the chief’s proposal citing a verified report, audited', async () => {
    const res = await chief.post('/sanctions', valid({ directReportId: verifiedReport }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      villageId: v1,
      villageName: '石门村',
      townshipId: t1,
      kind: 'reduce',
      kindLabel: '削减额度',
      share: 0.3,
      status: 'proposed',
      statusLabel: '待审批',
      directReportId: verifiedReport,
      proposedBy: chief.sub,
    });
    const audit = await admin.get(`/audit?entityType=sanction&entityId=${res.body.id}`);
    expect(audit.body.items[0]).toMatchObject({ action: 'propose', actor: chief.sub });
  });

  it('stores one sanction for a retried request with the same Idempotency-Key', async () => {
    const key = uid('k');
    const first = await chief.post('/sanctions', valid({ reason: '重复提交' }), { 'idempotency-key': key });
    const second = await chief.post('/sanctions', valid({ reason: '重复提交' }), { 'idempotency-key': key });
    expect(second.body.id).toBe(first.body.id);
  });

  it.each([
    ['reduce without a share', { share: undefined }, 'body.share', 'SHARE_REQUIRED'],
    ['suspend with a share', { kind: 'suspend', share: 0.5 }, 'body.share', 'SHARE_NOT_ALLOWED'],
    ['a share of zero', { share: 0 }, 'body.share', 'TOO_SMALL'],
    ['a share above one', { share: 1.5 }, 'body.share', 'TOO_BIG'],
    ['a share as text', { share: '30%' }, 'body.share', 'INVALID_TYPE'],
    ['from after to', { from: to, to: from }, 'body.from', 'INVALID_RANGE'],
    ['an unknown kind', { kind: 'ban' }, 'body.kind', 'INVALID_VALUE'],
    ['no reason', { reason: '' }, 'body.reason', 'TOO_SMALL'],
    ['an unknown field', { quantity: 3 }, 'body.quantity', 'UNKNOWN_FIELD'],
    ['an unknown village', { villageId: 'NOWHERE' }, 'body.villageId', 'UNKNOWN_REFERENCE'],
    ['an unknown report', { directReportId: 'NOPE' }, 'body.directReportId', 'UNKNOWN_REFERENCE'],
    ['an unknown major failure', { majorFailureId: 'NOPE' }, 'body.majorFailureId', 'UNKNOWN_REFERENCE'],
  ])('refuses %s with a Chinese field message and writes nothing', async (_what, over, path, code) => {
    const before = (await admin.get(`/sanctions?villageId=${v1}`)).body.items.length;
    const res = await chief.post('/sanctions', valid(over));
    expect(res.status).toBe(400);
    const field = res.body.error.fields.find((f: { path: string }) => f.path === path);
    expect(field?.code).toBe(code);
    expect(field?.message).toMatch(/[\u4e00-\u9fff]/);
    expect(field?.message).not.toMatch(/reduce|suspend/);
    expect((await admin.get(`/sanctions?villageId=${v1}`)).body.items).toHaveLength(before);
  });

  it('refuses a report not yet verified, one found unfounded, one of another village', async () => {
    const pending = await violation(member);
    const unfounded = await violation(member);
    await inspector.post(`/direct-reports/${unfounded}/verify`, { verdict: 'unfounded', note: '查无实据' });
    const situation = await violation(member, v1, 'situation');
    const elsewhere = await violation(outsider, v3);
    await inspector.post(`/direct-reports/${elsewhere}/verify`, { verdict: 'confirmed', note: '属实' });
    for (const [id, code] of [
      [pending, 'NOT_VERIFIED'],
      [unfounded, 'NOT_CONFIRMED'],
      [situation, 'NOT_A_VIOLATION'],
      [elsewhere, 'OTHER_VILLAGE'],
    ]) {
      const res = await chief.post('/sanctions', valid({ directReportId: id }));
      expect(res.status, code).toBe(400);
      expect(res.body.error.fields[0].code).toBe(code);
    }
  });

  it.each([
    ['a member of the team (not its chief)', () => member, v1],
    ['a chief of another village', () => outsider, v1],
    ['the chief, for a village they do not lead', () => chief, v2],
    ['another township’s staff', () => otherStaff, v1],
  ])('refuses %s (403)', async (_who, caller, villageId) => {
    const res = await caller().post('/sanctions', valid({ villageId }));
    expect(res.status).toBe(403);
  });

  it('lets the township’s staff and HQ propose within their reach', async () => {
    expect((await staff.post('/sanctions', valid({ villageId: v2 }))).status).toBe(201);
    expect((await admin.post('/sanctions', valid({ villageId: v3 }))).status).toBe(201);
  });

  it('cites a major failure, which keeps its own consequence', async () => {
    const failure = await admin.post('/major-failures', {
      type: 'water_dispute',
      villageId: v1,
      cadreIds: [ids.chief],
      date: today,
      description: '两组抢水冲突',
    });
    expect(failure.status).toBe(201);
    const res = await chief.post(
      '/sanctions',
      valid({ kind: 'suspend', share: undefined, majorFailureId: failure.body.id }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      majorFailureId: failure.body.id,
      majorFailureName: failure.body.typeName,
    });
    expect((await admin.get(`/major-failures/${failure.body.id}`)).body).toEqual(failure.body);
    const otherFailure = await admin.post('/major-failures', {
      type: 'water_dispute',
      villageId: v3,
      cadreIds: [ids.outsider],
      date: today,
      description: '抢水',
    });
    const refused = await chief.post('/sanctions', valid({ majorFailureId: otherFailure.body.id }));
    expect(refused.body.error.fields[0]).toMatchObject({
      path: 'body.majorFailureId',
      code: 'OTHER_VILLAGE',
    });
  });
});

describe('HQ approves or rejects, and the ledger follows', () => {
  it('an approved reduction takes its share of the quota; approving twice is 409, a retry is answered', async () => {
    const proposed = await chief.post('/sanctions', valid({ share: 0.25, directReportId: verifiedReport }));
    const key = uid('k');
    const approve = () =>
      admin.post(`/sanctions/${proposed.body.id}/approve`, { note: '同意' }, { 'idempotency-key': key });
    const res = await approve();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'approved',
      statusLabel: '已批准',
      decidedBy: admin.sub,
      decisionNote: '同意',
    });
    expect((await approve()).status).toBe(200);
    const again = await admin.post(`/sanctions/${proposed.body.id}/reject`, { note: '改主意' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_DECIDED');

    const ledger = await member.get(`/quotas?villageId=${v1}&period=${period}`);
    const line = ledger.body.items.find((l: { resourceKind: string }) => l.resourceKind === 'drought-relief');
    expect(line).toMatchObject({ granted: 100, deducted: 25, quota: 75, suspended: false });
    expect(line.entries).toContainEqual(
      expect.objectContaining({
        type: 'sanction',
        sanctionId: proposed.body.id,
        quantity: -25,
        label: '削减额度 25%',
      }),
    );
    expect(ledger.body.sanctions.map((s: { id: string }) => s.id)).toContain(proposed.body.id);
    const audit = await admin.get(`/audit?entityType=sanction&entityId=${proposed.body.id}`);
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['approve', 'propose']);
    // The week's list the bulletin reads.
    expect((await approvedInWeek(isoWeekOf(today))).map((s) => s.id)).toContain(proposed.body.id);
  });

  it('a rejected proposal needs a reason and counts for nothing', async () => {
    const proposed = await chief.post('/sanctions', valid({ kind: 'suspend', share: undefined }));
    const noReason = await admin.post(`/sanctions/${proposed.body.id}/reject`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.fields[0]).toMatchObject({ path: 'body.note' });
    const res = await admin.post(`/sanctions/${proposed.body.id}/reject`, { note: '情节轻微，批评教育' });
    expect(res.body).toMatchObject({ status: 'rejected', statusLabel: '未批准' });
    const ledger = await chief.get(`/quotas?villageId=${v1}&period=${period}`);
    expect(ledger.body.sanctions.map((s: { id: string }) => s.id)).not.toContain(proposed.body.id);
    expect(ledger.body.items[0].suspended).toBe(false);
  });

  it('an approved suspension leaves nothing of the period’s quota', async () => {
    const proposed = await staff.post(
      '/sanctions',
      valid({ kind: 'suspend', share: undefined, from: addDays(from, 5) }),
    );
    expect((await admin.post(`/sanctions/${proposed.body.id}/approve`)).status).toBe(200);
    const ledger = await admin.get(`/quotas?villageId=${v1}&period=${period}`);
    expect(
      ledger.body.items.find((l: { resourceKind: string }) => l.resourceKind === 'drought-relief'),
    ).toMatchObject({
      granted: 100,
      quota: 0,
      suspended: true,
    });
  });

  it('lists sanctions by status and village within each reader’s reach', async () => {
    const approved = await admin.get('/sanctions?status=approved');
    expect(approved.body.items.length).toBeGreaterThan(0);
    expect(approved.body.items.every((s: { status: string }) => s.status === 'approved')).toBe(true);
    const own = await staff.get('/sanctions');
    expect(own.body.items.every((s: { townshipId: string }) => s.townshipId === t1)).toBe(true);
    expect((await staff.get(`/sanctions?villageId=${v3}`)).status).toBe(403);
    expect((await member.get(`/sanctions?villageId=${v1}`)).status).toBe(200);
    expect((await member.get('/sanctions')).status).toBe(400);
    expect((await outsider.get(`/sanctions?villageId=${v1}`)).status).toBe(403);
    expect((await outsider.get(`/sanctions/${approved.body.items[0].id}`)).status).toBe(403);
  });
});
