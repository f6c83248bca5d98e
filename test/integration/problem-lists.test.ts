import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * HQ's problem and inspection lists: every filter (township, village, cadre, status, severity,
 * overdue, date range), the name search, and paging that walks each list whole, without repeats.
 */
let t: TestStack;
let admin: Caller;
let inspector: Caller;

const today = () => beijingDate(new Date());

interface World {
  tag: string;
  townships: [string, string];
  villages: [string, string, string];
  cadres: [string, string, string];
  /** problem ids by name */
  p: Record<string, string>;
  inspections: Record<string, string>;
}
let w: World;

async function ok(caller: Caller, path: string, body: unknown) {
  const res = await caller.post(path, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function all(caller: Caller, path: string): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let next: string | undefined;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await caller.get(`${path}${sep}limit=2${next ? `&next=${encodeURIComponent(next)}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    items.push(...res.body.items);
    next = res.body.next;
    pages++;
  } while (next && pages < 50);
  return { items, pages };
}

const ids = (items: { id: string }[]) => items.map((i) => i.id).sort();

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  // Names carry a tag so searches here find only this file's records.
  const tag = uid('').slice(0, 6);
  const T1 = uid('T');
  const T2 = uid('T');
  const V = [`${T1}-A`, `${T1}-B`, `${T2}-C`] as const;
  const C = [uid('C'), uid('C'), uid('C')] as const;
  await ok(admin, '/townships', { id: T1, name: `东岭乡${tag}` });
  await ok(admin, '/townships', { id: T2, name: `西岭乡${tag}` });
  await ok(admin, '/villages', { id: V[0], name: `杏花村${tag}`, townshipId: T1, category: 'deep' });
  await ok(admin, '/villages', { id: V[1], name: `桃园村${tag}`, townshipId: T1, category: 'general' });
  await ok(admin, '/villages', { id: V[2], name: `柳树村${tag}`, townshipId: T2, category: 'non' });
  await ok(admin, '/cadres', { id: C[0], name: `赵一${tag}`, unit: '县水利局', rank: 'section' });
  await ok(admin, '/cadres', { id: C[1], name: `钱二${tag}`, unit: '县水利局', rank: 'staff' });
  await ok(admin, '/cadres', { id: C[2], name: `孙三${tag}`, unit: '县财政局', rank: 'staff' });

  const past = addDays(today(), -20);
  const inspections: Record<string, string> = {};
  const p: Record<string, string> = {};
  // Village A, 20 days ago: 赵一 a severe problem due 10 days later (overdue now), 钱二 a minor one.
  const a = await ok(inspector, '/inspections', {
    villageId: V[0],
    date: past,
    mode: 'open',
    findings: [
      {
        cadreId: C[0],
        present: true,
        problems: [{ description: '饮水台账缺失', severity: 'severe', rectifyBy: addDays(past, 10) }],
      },
      {
        cadreId: C[1],
        present: true,
        problems: [{ description: '走访记录不全', severity: 'minor', rectifyBy: addDays(today(), 30) }],
      },
    ],
  });
  inspections.a = a.id;
  p.overdueSevere = a.problemIds[0];
  p.minorA = a.problemIds[1];
  // Village B, 20 days ago: 赵一 a major problem, later rectified and closed although its deadline passed.
  const b = await ok(inspector, '/inspections', {
    villageId: V[1],
    date: past,
    mode: 'covert',
    findings: [
      {
        cadreId: C[0],
        present: false,
        problems: [{ description: '未驻村', severity: 'major', rectifyBy: addDays(past, 2) }],
      },
    ],
  });
  inspections.b = b.id;
  p.closedMajor = b.problemIds[0];
  const zhao = await t.as('cadre', C[0]);
  expect((await zhao.post(`/problems/${p.closedMajor}/rectifications`, { note: '已驻村' })).status).toBe(201);
  expect(
    (await inspector.post(`/problems/${p.closedMajor}/verifications`, { outcome: 'accepted', note: '属实' }))
      .status,
  ).toBe(201);
  // Village C (other township) today: 孙三 two problems, one awaiting verification.
  const c = await ok(inspector, '/inspections', {
    villageId: V[2],
    date: today(),
    mode: 'spot',
    findings: [
      {
        cadreId: C[2],
        present: true,
        problems: [
          { description: '抗旱物资未登记', severity: 'major' },
          { description: '群众诉求未回复', severity: 'minor' },
        ],
      },
    ],
  });
  inspections.c = c.id;
  p.majorC = c.problemIds[0];
  p.awaitingC = c.problemIds[1];
  const sun = await t.as('cadre', C[2]);
  expect((await sun.post(`/problems/${p.awaitingC}/rectifications`, { note: '已回复' })).status).toBe(201);
  w = { tag, townships: [T1, T2], villages: [...V], cadres: [...C], p, inspections };
});
afterAll(async () => {
  await t.stop();
});

describe('GET /problems filters', () => {
  it.each([
    [
      'township',
      () => `townshipId=${w.townships[0]}`,
      () => [w.p.overdueSevere, w.p.minorA, w.p.closedMajor],
    ],
    ['village', () => `villageId=${w.villages[2]}`, () => [w.p.majorC, w.p.awaitingC]],
    ['cadre', () => `cadreId=${w.cadres[0]}`, () => [w.p.overdueSevere, w.p.closedMajor]],
    ['cadre and status', () => `cadreId=${w.cadres[0]}&status=closed`, () => [w.p.closedMajor]],
    ['township and severity', () => `townshipId=${w.townships[1]}&severity=minor`, () => [w.p.awaitingC]],
    ['township and overdue', () => `townshipId=${w.townships[0]}&overdue=true`, () => [w.p.overdueSevere]],
    ['village and overdue', () => `villageId=${w.villages[0]}&overdue=true`, () => [w.p.overdueSevere]],
    ['cadre and overdue', () => `cadreId=${w.cadres[0]}&overdue=true`, () => [w.p.overdueSevere]],
    [
      'closed and overdue (a closed problem is never overdue)',
      () => `cadreId=${w.cadres[0]}&status=closed&overdue=true`,
      () => [],
    ],
    [
      'search by cadre name',
      () => `q=${encodeURIComponent(`赵一${w.tag}`)}`,
      () => [w.p.overdueSevere, w.p.closedMajor],
    ],
    [
      'search by village name',
      () => `q=${encodeURIComponent(`柳树村${w.tag}`)}`,
      () => [w.p.majorC, w.p.awaitingC],
    ],
    [
      'search with status',
      () => `q=${encodeURIComponent(`孙三${w.tag}`)}&status=awaiting_verification`,
      () => [w.p.awaitingC],
    ],
  ])('%s', async (_name, query, expected) => {
    const { items } = await all(admin, `/problems?${query()}`);
    expect(ids(items)).toEqual([...expected()].sort());
  });

  it('overdue over every township lists only this world’s overdue problem among its own', async () => {
    const { items } = await all(admin, '/problems?overdue=true');
    const mine = items.filter((p) => w.villages.includes(p.villageId));
    expect(ids(mine)).toEqual([w.p.overdueSevere]);
    for (const p of items) {
      expect(p.status).not.toBe('closed');
      expect(p.rectifyBy < today()).toBe(true);
    }
  });

  it('a search matching a cadre and the village they work in lists each problem once, across pages', async () => {
    // The tag is in every name: all three cadres and three villages match; 赵一's problems are in
    // villages A and B, which match too.
    const { items, pages } = await all(admin, `/problems?q=${encodeURIComponent(w.tag)}`);
    expect(pages).toBeGreaterThan(2);
    expect(ids(items)).toEqual(Object.values(w.p).sort());
    expect(new Set(ids(items)).size).toBe(items.length);
  });

  it('a search that matches nothing is an empty list, not an error', async () => {
    const res = await admin.get(`/problems?q=${encodeURIComponent(`无此人${w.tag}`)}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
  });

  it.each([
    ['overdue=yes', 'overdue', '请选择是否只看逾期未整改的问题'],
    ['q=', 'q', '不能为空'],
    [`q=${'村'.repeat(31)}`, 'q', '不能超过 30 个字符'],
  ])('refuses %s with a plain Chinese message on the field', async (query, field, message) => {
    const res = await admin.get(`/problems?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([expect.objectContaining({ path: `query.${field}`, message })]);
    expect(res.body.error.fields[0].message).not.toMatch(/[a-z]{3,}/);
  });

  it('a search matching more than 40 cadres and villages asks for more of the name (400 SEARCH_TOO_BROAD)', async () => {
    const common = uid('').slice(0, 6);
    for (let i = 0; i < 41; i++) {
      await ok(admin, '/cadres', { id: uid('C'), name: `周${common}${i}`, unit: '县委办', rank: 'staff' });
    }
    const res = await admin.get(`/problems?q=${encodeURIComponent(common)}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'SEARCH_TOO_BROAD',
      fields: [
        {
          path: 'query.q',
          code: 'SEARCH_TOO_BROAD',
          message: '符合的干部和村太多，请输入更完整的姓名或村名',
        },
      ],
    });
    expect((await admin.get(`/problems?q=${encodeURIComponent(`周${common}40`)}`)).status).toBe(200);
  });

  it('a cadre searching by name sees only their own problems, and naming another cadre is 403', async () => {
    const zhao = await t.as('cadre', w.cadres[0]);
    const { items } = await all(zhao, `/problems?q=${encodeURIComponent(w.tag)}`);
    expect(ids(items)).toEqual([w.p.overdueSevere, w.p.closedMajor].sort());
    expect((await zhao.get(`/problems?cadreId=${w.cadres[2]}&q=${encodeURIComponent(w.tag)}`)).status).toBe(
      403,
    );
  });

  it('a cursor from another search is refused (400 INVALID_CURSOR)', async () => {
    const first = await admin.get(`/problems?q=${encodeURIComponent(w.tag)}&limit=1`);
    expect(first.body.next).toBeTruthy();
    const res = await admin.get(
      `/problems?townshipId=${w.townships[1]}&limit=1&next=${encodeURIComponent(first.body.next)}`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_CURSOR');
  });
});

describe('GET /inspections filters', () => {
  it.each([
    ['township', () => `townshipId=${w.townships[0]}`, () => [w.inspections.a, w.inspections.b]],
    ['village', () => `villageId=${w.villages[2]}`, () => [w.inspections.c]],
    ['cadre', () => `cadreId=${w.cadres[0]}`, () => [w.inspections.a, w.inspections.b]],
    ['cadre and mode', () => `cadreId=${w.cadres[0]}&mode=covert`, () => [w.inspections.b]],
    [
      'cadre and date range',
      () => `cadreId=${w.cadres[2]}&from=${today()}&to=${today()}`,
      () => [w.inspections.c],
    ],
    ['cadre before the range', () => `cadreId=${w.cadres[0]}&from=${addDays(today(), -5)}`, () => []],
    ['search by cadre name', () => `q=${encodeURIComponent(`钱二${w.tag}`)}`, () => [w.inspections.a]],
    ['search by village name', () => `q=${encodeURIComponent(`桃园村${w.tag}`)}`, () => [w.inspections.b]],
    ['search by both, each once', () => `q=${encodeURIComponent(w.tag)}`, () => Object.values(w.inspections)],
  ])('%s', async (_name, query, expected) => {
    const { items } = await all(admin, `/inspections?${query()}`);
    expect(ids(items)).toEqual([...expected()].sort());
  });

  it('a cadre may not list inspections (403)', async () => {
    const zhao = await t.as('cadre', w.cadres[0]);
    expect((await zhao.get(`/inspections?cadreId=${w.cadres[0]}`)).status).toBe(403);
  });
});

describe('GET /problems/{id}: the whole history', () => {
  it('tells where the problem was found, everything that happened to it, and whose it is', async () => {
    const res = await admin.get(`/problems/${w.p.closedMajor}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: w.p.closedMajor,
      status: 'closed',
      cadreName: `赵一${w.tag}`,
      villageName: `桃园村${w.tag}`,
      townshipName: `东岭乡${w.tag}`,
      found: {
        inspectionId: w.inspections.b,
        date: addDays(today(), -20),
        mode: 'covert',
        modeLabel: '暗访',
        recordedBy: inspector.sub,
      },
      notices: [],
    });
    expect(res.body.events.map((e: { kind: string; note: string }) => [e.kind, e.note])).toEqual([
      ['rectification', '已驻村'],
      ['verification', '属实'],
    ]);
  });

  it('the cadre concerned reads it too (without HQ’s documents); another cadre gets 403', async () => {
    const zhao = await t.as('cadre', w.cadres[0]);
    const own = await zhao.get(`/problems/${w.p.overdueSevere}`);
    expect(own.status).toBe(200);
    expect(own.body.found.inspectionId).toBe(w.inspections.a);
    expect(own.body.notices).toEqual([]);
    const sun = await t.as('cadre', w.cadres[2]);
    expect((await sun.get(`/problems/${w.p.overdueSevere}`)).status).toBe(403);
  });
});
