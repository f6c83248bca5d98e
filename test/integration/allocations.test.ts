import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate } from '../../functions/core/time.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * Resource allocation (seed 000, 资源协调建议权): the chief proposes the priority of the villages they
 * lead, HQ decides, the ledger keeps each village's quota per period. Every security rule is tried.
 */
let t: TestStack;
let admin: Caller;
let chief: Caller;
let member: Caller;
let outsider: Caller;
let staff: Caller;
let otherStaff: Caller;
const [t1, t2] = [uid('T'), uid('T')];
const [v1, v2, v3] = [uid('V'), uid('V'), uid('V')];
const ids = { chief: uid('C'), member: uid('C'), outsider: uid('C') };
const period = beijingDate(new Date()).slice(0, 7);

const valid = (over: Record<string, unknown> = {}) => ({
  resourceKind: 'drought-relief',
  period,
  villageId: v1,
  priority: 1,
  quantity: 150,
  note: '全村三百口人饮水靠一口井，井水将干',
  ...over,
});

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
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
});
afterAll(async () => {
  await t.stop();
});

describe('resource kinds', () => {
  it('starts with seed 000’s 抗旱物资 and can be extended by HQ with If-Match', async () => {
    const read = await chief.get('/resource-kinds');
    expect(read.status).toBe(200);
    expect(read.body.kinds[0]).toEqual({ id: 'drought-relief', name: '抗旱物资', unit: '吨' });
    const kinds = [...read.body.kinds, { id: 'diesel', name: '抗旱柴油', unit: '升' }];
    expect(
      (
        await admin.send('PUT', '/resource-kinds', JSON.stringify({ kinds }), {
          'content-type': 'application/json',
        })
      ).status,
    ).toBe(428);
    const saved = await admin.send('PUT', '/resource-kinds', JSON.stringify({ kinds }), {
      'content-type': 'application/json',
      'if-match': `"${read.body.version}"`,
    });
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(read.body.version + 1);
    const stale = await admin.send('PUT', '/resource-kinds', JSON.stringify({ kinds: kinds.slice(1) }), {
      'content-type': 'application/json',
      'if-match': `"${read.body.version}"`,
    });
    expect(stale.status).toBe(412);
    const audit = await admin.get('/audit?entityType=setting&entityId=resource-kinds');
    expect(audit.body.items.at(-1)?.changes.after.kinds).toContainEqual({
      id: 'diesel',
      name: '抗旱柴油',
      unit: '升',
    });
    const proposal = await chief.post('/allocations', valid({ resourceKind: 'diesel', quantity: 200 }));
    expect(proposal.status).toBe(201);
    expect(proposal.body).toMatchObject({ resourceKindName: '抗旱柴油', unit: '升' });
  });

  it('refuses duplicate kinds with field messages', async () => {
    const res = await admin.send(
      'PUT',
      '/resource-kinds',
      JSON.stringify({
        kinds: [
          { id: 'a', name: '水', unit: '吨' },
          { id: 'a', name: '水', unit: '吨' },
        ],
      }),
      { 'content-type': 'application/json', 'if-match': '"1"' },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { code: string }) => f.code)).toEqual(['DUPLICATE', 'DUPLICATE']);
  });
});

describe('POST /allocations', () => {
  it('takes the chief’s proposal for a village they lead, audited', async () => {
    const res = await chief.post('/allocations', valid());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      villageId: v1,
      villageName: '石门村',
      townshipId: t1,
      resourceKindName: '抗旱物资',
      unit: '吨',
      period,
      priority: 1,
      requestedQuantity: 150,
      status: 'proposed',
      statusLabel: '待决定',
      proposerCadreId: ids.chief,
      grantedQuantity: null,
    });
    const audit = await admin.get(`/audit?entityType=allocation&entityId=${res.body.id}`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ action: 'propose', actor: chief.sub });
  });

  it('stores one proposal for a retried request with the same Idempotency-Key', async () => {
    const key = uid('k');
    const first = await chief.post('/allocations', valid({ priority: 2 }), { 'idempotency-key': key });
    const second = await chief.post('/allocations', valid({ priority: 2 }), { 'idempotency-key': key });
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
  });

  it.each([
    ['a member of the team (not its chief)', () => member, v1],
    ['a chief of another village', () => outsider, v1],
    ['the chief, for a village they do not lead', () => chief, v2],
    ['another township’s staff', () => otherStaff, v1],
  ])('refuses %s (403) and writes nothing', async (_who, caller, villageId) => {
    const before = (await admin.get(`/allocations?villageId=${villageId}`)).body.items.length;
    const res = await caller().post('/allocations', valid({ villageId }));
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/[\u4e00-\u9fff]/);
    expect((await admin.get(`/allocations?villageId=${villageId}`)).body.items).toHaveLength(before);
  });

  it('lets the township’s own staff propose for its villages', async () => {
    const res = await staff.post('/allocations', valid({ villageId: v2, priority: 3 }));
    expect(res.status).toBe(201);
    expect(res.body.proposerCadreId).toBeNull();
  });

  it.each([
    ['an unknown resource kind', { resourceKind: 'gold' }, 'body.resourceKind', 'UNKNOWN_RESOURCE_KIND'],
    ['a period that is no month', { period: '2026-13' }, 'body.period', 'INVALID_PERIOD'],
    ['a quarter as period', { period: '2026-Q4' }, 'body.period', 'INVALID_PERIOD'],
    ['priority zero', { priority: 0 }, 'body.priority', 'TOO_SMALL'],
    ['a negative quantity', { quantity: -5 }, 'body.quantity', 'TOO_SMALL'],
    ['a quantity with three decimals', { quantity: 1.234 }, 'body.quantity', 'TOO_PRECISE'],
    ['no reason', { note: ' ' }, 'body.note', 'TOO_SMALL'],
    ['an unknown village', { villageId: 'NOWHERE' }, 'body.villageId', 'UNKNOWN_REFERENCE'],
  ])('refuses %s with a field message in Chinese', async (_what, over, path, code) => {
    const res = await chief.post('/allocations', valid(over));
    expect(res.status).toBe(400);
    const field = res.body.error.fields.find((f: { path: string }) => f.path === path);
    expect(field?.code).toBe(code);
    expect(field?.message).toMatch(/[\u4e00-\u9fff]/);
    if (code === 'UNKNOWN_RESOURCE_KIND') expect(field.message).toContain('抗旱物资');
  });
});

describe('HQ decides, and the ledger shows the quota', () => {
  it('grants with a quantity once; a second decision is 409; a retry of the first is answered', async () => {
    const proposal = await chief.post('/allocations', valid({ quantity: 120 }));
    const key = uid('k');
    const decide = () =>
      admin.post(
        `/allocations/${proposal.body.id}/decide`,
        { decision: 'grant', quantity: 100, note: '按人口核定' },
        { 'idempotency-key': key },
      );
    const res = await decide();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'granted',
      statusLabel: '已分配',
      grantedQuantity: 100,
      decidedBy: admin.sub,
    });
    expect((await decide()).body).toEqual(res.body);
    const again = await admin.post(`/allocations/${proposal.body.id}/decide`, { decision: 'decline' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_DECIDED');
    const audit = await admin.get(`/audit?entityType=allocation&entityId=${proposal.body.id}`);
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['decide', 'propose']);

    const ledger = await chief.get(`/quotas?villageId=${v1}&resourceKind=drought-relief`);
    expect(ledger.status).toBe(200);
    const line = ledger.body.items.find((l: { period: string }) => l.period === period);
    expect(line).toMatchObject({
      villageName: '石门村',
      resourceKindName: '抗旱物资',
      unit: '吨',
      granted: 100,
      quota: 100,
      deducted: 0,
    });
    expect(line.entries).toEqual([
      expect.objectContaining({ type: 'grant', allocationId: proposal.body.id, quantity: 100 }),
    ]);
  });

  it.each([
    ['grant without a quantity', { decision: 'grant' }, 'QUANTITY_REQUIRED'],
    ['decline with a quantity', { decision: 'decline', quantity: 3 }, 'QUANTITY_NOT_ALLOWED'],
    ['an unknown decision', { decision: 'maybe' }, 'INVALID_VALUE'],
  ])('refuses to %s', async (_what, body, code) => {
    const proposal = await chief.post('/allocations', valid());
    const res = await admin.post(`/allocations/${proposal.body.id}/decide`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0]).toMatchObject({ code });
    expect((await admin.get(`/allocations/${proposal.body.id}`)).body.status).toBe('proposed');
  });

  it('declined proposals count for nothing in the ledger', async () => {
    const proposal = await staff.post(
      '/allocations',
      valid({ villageId: v2, resourceKind: 'pumps', quantity: 4 }),
    );
    expect(
      (
        await admin.post(`/allocations/${proposal.body.id}/decide`, {
          decision: 'decline',
          note: '水泵已分完',
        })
      ).status,
    ).toBe(200);
    const ledger = await staff.get(`/quotas?villageId=${v2}&resourceKind=pumps`);
    expect(ledger.body.items).toEqual([]);
  });

  it('reads a period across a township for its staff, and the county for HQ', async () => {
    const own = await staff.get(`/quotas?period=${period}`);
    expect(own.status).toBe(200);
    expect(own.body.items.every((l: { townshipId: string }) => l.townshipId === t1)).toBe(true);
    expect((await staff.get(`/quotas?period=${period}&townshipId=${t2}`)).status).toBe(403);
    expect((await admin.get(`/quotas?period=${period}`)).body.items.length).toBeGreaterThan(0);
  });

  it.each([
    ['a cadre of another village', () => outsider, `villageId=${v1}`, 403],
    ['another township’s staff', () => otherStaff, `villageId=${v1}`, 403],
    ['a cadre without a village', () => chief, `period=${period}`, 400],
    ['anyone without village or period', () => admin, '', 400],
  ])('refuses the ledger to %s', async (_who, caller, query, status) => {
    const res = await caller().get(`/quotas?${query}`);
    expect(res.status).toBe(status);
  });

  it('lets a team member read the ledger of their village, and a cadre list only their own proposals', async () => {
    expect((await member.get(`/quotas?villageId=${v1}`)).status).toBe(200);
    const mine = await chief.get('/allocations');
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((a: { proposerCadreId: string }) => a.proposerCadreId === ids.chief)).toBe(
      true,
    );
    expect((await outsider.get('/allocations')).body.items).toEqual([]);
    const proposal = (await chief.post('/allocations', valid())).body;
    expect((await outsider.get(`/allocations/${proposal.id}`)).status).toBe(403);
  });
});
