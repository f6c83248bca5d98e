import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { type PageClient, signInPages, textOf } from '../support/pages.ts';

/**
 * 提出约束 as a page form (POST /sanctions, docs/quotas.md), driven like a browser without JavaScript:
 * HQ on the sanctions pages (any village, citing a verified violation report), a chief on the cadre
 * pages (only the villages they lead); 303 and the record once (a double tap with the same `_key`),
 * the API's Chinese messages beside the fields and nothing written on bad input, wrong people refused.
 */
let t: TestStack;
let admin: Caller;
let hq: PageClient;
let chief: PageClient;
let member: PageClient;
let inspectorPages: PageClient;
const township = uid('T');
const [v1, v2] = [uid('V'), uid('V')];
const ids = { chief: uid('C'), member: uid('C') };
const today = beijingDate(new Date());
const later = addDays(today, 30);
let verified: string;
let unverified: string;

const keyOf = (html: string) => /name="_key" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function sanctionsOf(villageId: string) {
  const res = await admin.get(`/sanctions?villageId=${villageId}`);
  expect(res.status).toBe(200);
  return res.body.items as Array<{
    id: string;
    kind: string;
    share: number | null;
    status: string;
    directReportId: string | null;
    proposedBy: string;
  }>;
}

async function violation(caller: Caller, summary: string) {
  const res = await caller.post('/direct-reports', { villageId: v1, kind: 'violation', summary });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: v1, name: '石门村', townshipId: township, category: 'general' }],
    ['/villages', { id: v2, name: '柳河村', townshipId: township, category: 'general' }],
    ['/cadres', { id: ids.chief, name: '李明', unit: '县水务局', rank: 'section' }],
    ['/cadres', { id: ids.member, name: '王芳', unit: '县农业农村局', rank: 'staff' }],
    ['/assignments', { cadreId: ids.chief, villageId: v1, role: 'chief' }],
    ['/assignments', { cadreId: ids.member, villageId: v1, role: 'member' }],
  ];
  for (const [path, body] of setup) expect((await admin.post(path, body)).status).toBe(201);
  const memberApi = await t.as('cadre', ids.member);
  verified = await violation(memberApi, '三组私自截流河水，下游断水');
  unverified = await violation(memberApi, '有人夜间偷挖河沙');
  const inspector = await t.as('inspector');
  expect(
    (
      await inspector.post(`/direct-reports/${verified}/verify`, {
        verdict: 'confirmed',
        note: '现场查看属实',
      })
    ).status,
  ).toBe(201);
  hq = await signInPages(t.url, 'hq-admin', 'admin');
  chief = await signInPages(t.url, ids.chief, 'cadre');
  member = await signInPages(t.url, ids.member, 'cadre');
  inspectorPages = await signInPages(t.url, 'inspector-s', 'inspector');
});

afterAll(() => t?.stop());

describe('HQ proposes a sanction on the sanctions pages', () => {
  it('links the form from the sanctions list and fills the village and report from the query', async () => {
    const list = await hq.get('/app/admin/sanctions');
    expect(list.status).toBe(200);
    expect(list.text).toContain('href="/app/admin/sanctions/new"');
    const form = await hq.get(`/app/admin/sanctions/new?villageId=${v1}&directReportId=${verified}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('data-form="sanction-propose"');
    expect(form.text).toContain(`<option value="${v1}" selected>石门村</option>`);
    expect(form.text).toContain(`<option value="${verified}" selected>石门村：三组私自截流河水，下游断水`);
    expect(form.text).toMatch(/<input type="radio"[^>]*value="reduce" checked> 削减额度/);
  });

  it('re-renders the form with the API’s Chinese messages beside the fields and writes nothing', async () => {
    const form = await hq.get('/app/admin/sanctions/new');
    const res = await hq.post('/app/admin/sanctions', {
      _key: keyOf(form.text),
      villageId: v1,
      kind: 'reduce',
      share: '1.5',
      from: later,
      to: today,
      reason: '',
      directReportId: '',
    });
    expect(res.status).toBe(400);
    expect(textOf(res.text, { errorFor: 'share' })).toBe('削减比例不能超过 1（即 100%）');
    expect(textOf(res.text, { errorFor: 'from' })).toBe('起始日期不能晚于结束日期');
    expect(textOf(res.text, { errorFor: 'reason' })).toBe('不能为空');
    expect(res.text).not.toMatch(/SHARE_|INVALID_RANGE|too_big/);
    // What was typed comes back.
    expect(res.text).toContain('value="1.5"');
    expect(await sanctionsOf(v1)).toHaveLength(0);
  });

  it('says beside the field that an unverified report cannot be cited, and writes nothing', async () => {
    const form = await hq.get('/app/admin/sanctions/new');
    const res = await hq.post('/app/admin/sanctions', {
      _key: keyOf(form.text),
      villageId: v1,
      kind: 'suspend',
      share: '',
      from: today,
      to: later,
      reason: '偷挖河沙',
      directReportId: unverified,
    });
    expect(res.status).toBe(400);
    expect(textOf(res.text, { errorFor: 'directReportId' })).toBe(
      '该举报尚未经督查人员核实，核实属实后才能据此约束',
    );
    expect(await sanctionsOf(v1)).toHaveLength(0);
  });

  it('takes a cut citing the verified report once (303 to the sanction, a double tap lands on it again)', async () => {
    const form = await hq.get(`/app/admin/sanctions/new?villageId=${v1}`);
    const fields = {
      _key: keyOf(form.text),
      villageId: v1,
      kind: 'reduce',
      share: '0.3',
      from: today,
      to: later,
      reason: '截流河水致下游断水，经核实属实',
      directReportId: verified,
    };
    const res = await hq.post('/app/admin/sanctions', fields);
    expect(res.status).toBe(303);
    const again = await hq.post('/app/admin/sanctions', fields);
    expect(again.status).toBe(303);
    expect(again.location).toBe(res.location);
    const items = await sanctionsOf(v1);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      kind: 'reduce',
      share: 0.3,
      status: 'proposed',
      directReportId: verified,
    });
    expect(res.location).toBe(`/app/admin/sanctions/${items[0]!.id}?done=proposed`);
    const detail = await hq.get(res.location!);
    expect(detail.text).toContain('约束已提出，待指挥部审批');
    expect(detail.text).toContain('data-form="sanction-approve"');
    const audit = await admin.get(`/audit?entityType=sanction&entityId=${items[0]!.id}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.length).toBeGreaterThan(0);
  });

  it('is HQ’s page: a cadre or an inspector is refused', async () => {
    for (const client of [chief, inspectorPages]) {
      expect((await client.get('/app/admin/sanctions/new')).status).toBe(403);
      const res = await client.post('/app/admin/sanctions', {
        _key: uid('k-'),
        villageId: v2,
        kind: 'suspend',
        from: today,
        to: later,
        reason: '越权',
      });
      expect(res.status).toBe(403);
    }
    expect(await sanctionsOf(v2)).toHaveLength(0);
  });
});

describe('a chief proposes a sanction on the cadre pages', () => {
  it('offers the villages the chief leads, and the proposal lands once with a flash', async () => {
    const allocations = await chief.get('/app/cadre/allocations');
    expect(allocations.text).toContain('href="/app/cadre/sanctions"');
    const form = await chief.get('/app/cadre/sanctions');
    expect(form.status).toBe(200);
    expect(form.text).toContain(`<option value="${v1}" selected>石门村</option>`);
    expect(form.text).not.toContain(`<option value="${v2}"`);
    const fields = {
      _key: keyOf(form.text),
      villageId: v1,
      kind: 'suspend',
      share: '',
      from: today,
      to: later,
      reason: '村集体擅自变卖救灾物资',
    };
    const res = await chief.post('/app/cadre/sanctions', fields);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/app/cadre/sanctions?done=proposed');
    expect((await chief.post('/app/cadre/sanctions', fields)).status).toBe(303);
    const mine = (await sanctionsOf(v1)).filter((s) => s.proposedBy === ids.chief);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ kind: 'suspend', share: null, status: 'proposed' });
    const after = await chief.get('/app/cadre/sanctions?done=proposed');
    expect(after.text).toContain('约束已送达指挥部，等待审批。');
    expect(after.text).toContain('村集体擅自变卖救灾物资');
  });

  it('says in Chinese that a suspension takes no share, and writes nothing', async () => {
    const before = (await sanctionsOf(v1)).length;
    const form = await chief.get('/app/cadre/sanctions');
    const res = await chief.post('/app/cadre/sanctions', {
      _key: keyOf(form.text),
      villageId: v1,
      kind: 'suspend',
      share: '0.5',
      from: today,
      to: later,
      reason: '重复提出',
    });
    expect(res.status).toBe(400);
    expect(textOf(res.text, { errorFor: 'share' })).toBe('暂停分配时不填削减比例');
    expect(await sanctionsOf(v1)).toHaveLength(before);
  });

  it('refuses a team member (not the chief) and a village the chief does not lead, writing nothing', async () => {
    const before = (await sanctionsOf(v1)).length;
    const page = await member.get('/app/cadre/sanctions');
    expect(page.status).toBe(200);
    expect(page.text).toContain('只有村的总队长可以提出约束。');
    const byMember = await member.post('/app/cadre/sanctions', {
      _key: uid('k-'),
      villageId: v1,
      kind: 'suspend',
      from: today,
      to: later,
      reason: '越权约束',
    });
    expect(byMember.status).toBe(403);
    expect(byMember.text).toContain('只能为本人任总队长的村提出建议或约束');
    const elsewhere = await chief.post('/app/cadre/sanctions', {
      _key: uid('k-'),
      villageId: v2,
      kind: 'suspend',
      from: today,
      to: later,
      reason: '别村的事',
    });
    expect(elsewhere.status).toBe(403);
    expect(await sanctionsOf(v1)).toHaveLength(before);
    expect(await sanctionsOf(v2)).toHaveLength(0);
  });
});
