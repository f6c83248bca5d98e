import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { type PageClient, signInPages, textOf } from '../support/pages.ts';

/**
 * The pages of the team leader's powers (docs/quotas.md) over real HTTP, driven like a browser without
 * JavaScript: the chief proposes on the cadre pages, HQ decides and approves, the inspector verifies a
 * violation report; plain form posts answered with 303 and a flash (or the form again with the API's
 * Chinese messages beside the fields), `_key` idempotency, wrong roles refused, and the records checked
 * through the JSON API.
 */
let t: TestStack;
let admin: Caller;
let chiefApi: Caller;
let hq: PageClient;
let chief: PageClient;
let member: PageClient;
let inspector: PageClient;
const township = uid('T');
const [v1, v2] = [uid('V'), uid('V')];
const ids = { chief: uid('C'), member: uid('C') };
const today = beijingDate(new Date());
const period = today.slice(0, 7);

const keyOf = (html: string) => /name="_key" value="([^"]+)"/.exec(html)?.[1] ?? '';
async function freshKey(client: PageClient, path: string): Promise<string> {
  const res = await client.get(path);
  expect(res.status).toBe(200);
  const key = keyOf(res.text);
  expect(key).not.toBe('');
  return key;
}

async function allocationsOf(villageId: string) {
  const res = await admin.get(`/allocations?villageId=${villageId}`);
  expect(res.status).toBe(200);
  return res.body.items as Array<{ id: string; status: string; grantedQuantity: number | null }>;
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
  chiefApi = await t.as('cadre', ids.chief);
  hq = await signInPages(t.url, 'hq-admin', 'admin');
  chief = await signInPages(t.url, ids.chief, 'cadre');
  member = await signInPages(t.url, ids.member, 'cadre');
  inspector = await signInPages(t.url, 'inspector-w', 'inspector');
});

afterAll(() => t?.stop());

describe('the chief proposes on the cadre pages', () => {
  it('shows the form with the villages the chief leads, and the proposal lands once (303 with a flash)', async () => {
    const form = await chief.get('/app/cadre/allocations');
    expect(form.status).toBe(200);
    expect(form.text).toContain(`<option value="${v1}" selected>石门村</option>`);
    expect(form.text).not.toContain(`<option value="${v2}"`);
    const fields = {
      _key: keyOf(form.text),
      resourceKind: 'drought-relief',
      period,
      villageId: v1,
      priority: '1',
      quantity: '120',
      note: '两口井干涸一口，人畜饮水困难',
    };
    const res = await chief.post('/app/cadre/allocations', fields);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/app/cadre/allocations?done=proposed');
    // A double tap: the same key, the same record.
    expect((await chief.post('/app/cadre/allocations', fields)).status).toBe(303);
    const items = await allocationsOf(v1);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ status: 'proposed', requestedQuantity: 120, priority: 1 });
    const after = await chief.get('/app/cadre/allocations?done=proposed');
    expect(after.text).toContain('建议已送达指挥部，等待决定。');
    expect(after.text).toContain('待决定');
  });

  it('re-renders the form with Chinese messages beside the fields and writes nothing', async () => {
    const res = await chief.post('/app/cadre/allocations', {
      _key: await freshKey(chief, '/app/cadre/allocations'),
      resourceKind: 'drought-relief',
      period: '2026-13',
      villageId: v1,
      priority: '0',
      quantity: '',
      note: '',
    });
    expect(res.status).toBe(400);
    expect(textOf(res.text, { errorFor: 'priority' })).toBe('优先顺序至少为 1（1 为最优先）');
    expect(textOf(res.text, { errorFor: 'period' })).toBe('分配期应写成年-月，如 2026-11');
    expect(textOf(res.text, { errorFor: 'note' })).toBe('不能为空');
    expect(res.text).not.toMatch(/INVALID_PERIOD|too_small/);
    expect(await allocationsOf(v1)).toHaveLength(1);
  });

  it('refuses a member of the team (not its chief) with 403 and writes nothing', async () => {
    const page = await member.get('/app/cadre/allocations');
    expect(page.status).toBe(200);
    expect(page.text).toContain('只有村的总队长可以提出资源分配建议。');
    const res = await member.post('/app/cadre/allocations', {
      _key: uid('k-'),
      resourceKind: 'drought-relief',
      period,
      villageId: v1,
      priority: '2',
      note: '越权建议',
    });
    expect(res.status).toBe(403);
    expect(res.text).toContain('只能为本人任总队长的村提出建议或约束');
    expect(await allocationsOf(v1)).toHaveLength(1);
  });
});

describe('HQ decides an allocation', () => {
  it('lists the proposal, asks for a quantity when granting, then grants and shows it in the ledger', async () => {
    const list = await hq.get('/app/admin/allocations?status=proposed');
    expect(list.status).toBe(200);
    expect(list.text).toContain('石门村');
    const [proposal] = await allocationsOf(v1);
    const detail = `/app/admin/allocations/${proposal!.id}`;
    expect(list.text).toContain(`href="${detail}"`);

    let res = await hq.post(`${detail}/decide`, {
      _key: await freshKey(hq, detail),
      decision: 'grant',
      quantity: '',
      note: '',
    });
    expect(res.status).toBe(400);
    expect(textOf(res.text, { errorFor: 'quantity' })).toBe('分配时须填写分配数量');
    expect((await allocationsOf(v1))[0]!.status).toBe('proposed');

    res = await hq.post(`${detail}/decide`, {
      _key: await freshKey(hq, detail),
      decision: 'grant',
      quantity: '80',
      note: '按受旱人口核定',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${detail}?done=decided`);
    expect((await allocationsOf(v1))[0]).toMatchObject({ status: 'granted', grantedQuantity: 80 });
    expect((await hq.get(`${detail}?done=decided`)).text).toContain('已决定，分配结果已记入配额台账。');

    const ledger = await hq.get(`/app/admin/quotas?villageId=${v1}`);
    expect(ledger.status).toBe(200);
    expect(ledger.text).toContain('<strong>80 吨</strong>');
    // The chief sees HQ's decision on the proposal.
    expect((await chief.get('/app/cadre/allocations')).text).toContain('指挥部决定：已分配 80 吨');
  });

  it('a second decision is refused with the Chinese conflict message', async () => {
    const [proposal] = await allocationsOf(v1);
    const res = await hq.post(`/app/admin/allocations/${proposal!.id}/decide`, {
      _key: uid('k-'),
      decision: 'decline',
      note: '',
    });
    expect(res.status).toBe(409);
    expect(res.text).toContain('该记录已处理（已分配），不能再次决定');
  });
});

describe('the inspector verifies, HQ approves the sanction', () => {
  let reportId: string;
  let situationId: string;
  let sanctionId: string;

  beforeAll(async () => {
    let res = await chiefApi.post('/direct-reports', {
      villageId: v1,
      kind: 'violation',
      summary: '三组私自在上游筑坝截水',
    });
    expect(res.status).toBe(201);
    reportId = res.body.id;
    res = await chiefApi.post('/direct-reports', { villageId: v1, kind: 'situation', summary: '旱情加重' });
    expect(res.status).toBe(201);
    situationId = res.body.id;
  });

  it('lists the violation report waiting, refuses an empty verdict, then records 查证属实 once', async () => {
    const list = await inspector.get('/app/inspector/violations');
    expect(list.status).toBe(200);
    expect(list.text).toContain('三组私自在上游筑坝截水');
    expect(list.text).not.toContain('旱情加重');
    const page = `/app/inspector/violations/${reportId}`;
    let res = await inspector.post(`${page}/verify`, { _key: await freshKey(inspector, page), note: '' });
    expect(res.status).toBe(400);
    expect(textOf(res.text, { errorFor: 'verdict' })).toBe('请选择查证属实或查无实据');
    expect(textOf(res.text, { errorFor: 'note' })).toBe('不能为空');
    expect((await admin.get(`/direct-reports/${reportId}/verification`)).status).toBe(404);

    res = await inspector.post(`${page}/verify`, {
      _key: await freshKey(inspector, page),
      verdict: 'confirmed',
      note: '现场查看，土坝属实，已责令拆除',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${page}?done=verified`);
    const shown = await inspector.get(`${page}?done=verified`);
    expect(shown.text).toContain('核实结果已送达指挥部。');
    expect(shown.text).toContain('查证属实');
    expect(shown.text).not.toContain('data-form="violation-verify"');
    expect((await admin.get(`/direct-reports/${reportId}/verification`)).body.verdict).toBe('confirmed');
  });

  it('opens only violation reports to inspectors (another kind is 403, in the page and the API)', async () => {
    expect((await inspector.get(`/app/inspector/violations/${situationId}`)).status).toBe(403);
    const api = await t.as('inspector');
    expect((await api.get(`/direct-reports/${situationId}`)).status).toBe(403);
    expect((await api.get('/direct-reports?kind=situation')).status).toBe(403);
    const all = await api.get('/direct-reports');
    expect(all.status).toBe(200);
    expect(all.body.items.map((r: { kind: string }) => r.kind)).toEqual(
      all.body.items.map(() => 'violation'),
    );
    expect(all.body.items.map((r: { id: string }) => r.id)).toContain(reportId);
  });

  it('HQ approves the chief’s sanction from its page, after refusing a rejection without a reason', async () => {
    const res0 = await chiefApi.post('/sanctions', {
      villageId: v1,
      kind: 'reduce',
      share: 0.25,
      from: `${period}-01`,
      to: addDays(`${period}-01`, 9),
      reason: '私自截水，拒不执行轮灌安排',
      directReportId: reportId,
    });
    expect(res0.status).toBe(201);
    sanctionId = res0.body.id;
    const list = await hq.get('/app/admin/sanctions?status=proposed');
    expect(list.text).toContain(`href="/app/admin/sanctions/${sanctionId}"`);
    const page = `/app/admin/sanctions/${sanctionId}`;
    const detail = await hq.get(page);
    expect(detail.text).toContain('三组私自在上游筑坝截水');
    expect(detail.text).toContain('现场查看，土坝属实');

    let res = await hq.post(`${page}/reject`, { _key: keyOf(detail.text), note: '' });
    expect(res.status).toBe(400);
    // Both forms have a note: the rejection's message is beside the rejection's field.
    expect(/id="f-reject-note-error"[^>]*>([^<]*)</.exec(res.text)?.[1]).toBe('不能为空');
    expect((await admin.get(`/sanctions/${sanctionId}`)).body.status).toBe('proposed');

    res = await hq.post(`${page}/approve`, { _key: await freshKey(hq, page), note: '同意削减' });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${page}?done=approved`);
    expect((await admin.get(`/sanctions/${sanctionId}`)).body.status).toBe('approved');

    // 80 吨 granted, 25% cut: 20 off, 60 left — in the ledger and on the village's page.
    const ledger = await hq.get(`/app/admin/quotas?villageId=${v1}`);
    expect(ledger.text).toContain('<strong>60 吨</strong>');
    expect(ledger.text).toContain('削减额度 25%');
    const village = await hq.get(`/app/admin/villages/${v1}`);
    expect(village.status).toBe(200);
    expect(village.text).toContain('<strong>60 吨</strong>');
    expect(village.text).toContain('私自截水，拒不执行轮灌安排');
    expect(village.text).toContain('已批准');
  });
});

describe('resource kinds', () => {
  it('adds a kind in a spare row, refuses a duplicate name in Chinese, and a stale version', async () => {
    const page = await hq.get('/app/admin/resource-kinds');
    expect(page.status).toBe(200);
    const version = /name="_version" value="(\d+)"/.exec(page.text)?.[1] ?? '';
    const rows = {
      'kinds.0.id': 'drought-relief',
      'kinds.0.name': '抗旱物资',
      'kinds.0.unit': '吨',
      'kinds.1.id': 'water-pump',
      'kinds.1.name': '抗旱水泵',
      'kinds.1.unit': '件',
    };
    let res = await hq.post('/app/admin/resource-kinds', {
      _key: keyOf(page.text),
      _version: version,
      ...rows,
      'kinds.2.id': 'water-truck',
      'kinds.2.name': '抗旱物资',
      'kinds.2.unit': '辆',
      'kinds.3.id': '',
      'kinds.3.name': '',
      'kinds.3.unit': '',
    });
    expect(res.status).toBe(400);
    expect(textOf(res.text, { errorFor: 'kinds.2.name' })).toBe('资源名称重复');

    res = await hq.post('/app/admin/resource-kinds', {
      _key: await freshKey(hq, '/app/admin/resource-kinds'),
      _version: version,
      ...rows,
      'kinds.2.id': 'water-truck',
      'kinds.2.name': '送水车',
      'kinds.2.unit': '辆',
      'kinds.3.id': '',
      'kinds.3.name': '',
      'kinds.3.unit': '',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/app/admin/resource-kinds?done=saved');
    expect((await admin.get('/resource-kinds')).body.kinds.map((k: { name: string }) => k.name)).toEqual([
      '抗旱物资',
      '抗旱水泵',
      '送水车',
    ]);

    // The form read before that save is stale now.
    res = await hq.post('/app/admin/resource-kinds', {
      _key: uid('k-'),
      _version: version,
      'kinds.0.id': 'drought-relief',
      'kinds.0.name': '抗旱物资',
      'kinds.0.unit': '吨',
    });
    expect(res.status).toBe(412);
    expect((await admin.get('/resource-kinds')).body.kinds).toHaveLength(3);
  });
});

describe('who may open these pages', () => {
  it('answers 403 to cadres and inspectors on HQ’s pages and to HQ on the cadre’s and the inspector’s, writing nothing', async () => {
    for (const client of [chief, inspector])
      for (const path of [
        '/app/admin/allocations',
        '/app/admin/sanctions',
        '/app/admin/quotas',
        '/app/admin/resource-kinds',
        `/app/admin/villages/${v1}`,
      ])
        expect((await client.get(path)).status, path).toBe(403);
    const pending = await chiefApi.post('/allocations', {
      resourceKind: 'drought-relief',
      period,
      villageId: v1,
      priority: 2,
      note: '第二批',
    });
    expect(pending.status).toBe(201);
    const res = await chief.post(`/app/admin/allocations/${pending.body.id}/decide`, {
      _key: uid('k-'),
      decision: 'grant',
      quantity: '999',
    });
    expect(res.status).toBe(403);
    expect((await admin.get(`/allocations/${pending.body.id}`)).body.status).toBe('proposed');
    expect((await hq.get('/app/cadre/allocations')).status).toBe(403);
    expect((await hq.get('/app/inspector/violations')).status).toBe(403);
    expect((await chief.get('/app/inspector/violations')).status).toBe(403);
  });
});
