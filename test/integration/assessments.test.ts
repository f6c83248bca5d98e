import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestFinishedQuarter, quarterOf } from '../../functions/core/assessment.ts';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { createAll } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { signInPages } from '../support/pages.ts';

/**
 * Assessment binding (考核捆绑): the period's scorecards for villages, cadres and units, with the
 * breakdown behind each score; HQ's village results (retry-safe, audited before and after); who may
 * read what; the .xlsx export; the versioned scheme.
 */
process.env.PDF_RENDERER = 'off';

let t: TestStack;
let admin: Caller;
let inspector: Caller;
const today = beijingDate(new Date());
const period = quarterOf(today);
const township = uid('T');
const otherTownship = uid('T');
const weak = uid('V'); // two severe problems this quarter
const strong = uid('V'); // none
const elsewhere = uid('V');
const weakChief = uid('C');
const strongChief = uid('C');
const otherChief = uid('C');
const unitA = uid('U');
const unitB = uid('U');

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  const from = addDays(today, -200);
  await createAll(admin, [
    ['/townships', { id: township, name: '考核乡' }],
    ['/townships', { id: otherTownship, name: '别处乡' }],
    ['/units', { id: unitA, name: '县水务局', kind: 'department' }],
    ['/units', { id: unitB, name: '县林业局', kind: 'department' }],
    ['/villages', { id: weak, name: '后进村', townshipId: township, category: 'deep' }],
    ['/villages', { id: strong, name: '先进村', townshipId: township, category: 'general' }],
    ['/villages', { id: elsewhere, name: '别处村', townshipId: otherTownship, category: 'non' }],
    [
      '/cadres',
      {
        id: weakChief,
        name: '钱后进',
        unit: '县水务局',
        unitId: unitA,
        rank: 'section',
        townshipId: township,
      },
    ],
    [
      '/cadres',
      {
        id: strongChief,
        name: '孙先进',
        unit: '县林业局',
        unitId: unitB,
        rank: 'section',
        townshipId: township,
      },
    ],
    [
      '/cadres',
      {
        id: otherChief,
        name: '李别处',
        unit: '县林业局',
        unitId: unitB,
        rank: 'staff',
        townshipId: otherTownship,
      },
    ],
    ['/assignments', { cadreId: weakChief, villageId: weak, role: 'chief', from }],
    ['/assignments', { cadreId: strongChief, villageId: strong, role: 'chief', from }],
    ['/assignments', { cadreId: otherChief, villageId: elsewhere, role: 'chief', from }],
  ]);
  const inspection = await inspector.post('/inspections', {
    villageId: weak,
    date: today,
    mode: 'open',
    findings: [
      {
        cadreId: weakChief,
        presence: 'present',
        problems: [
          { description: '抗旱物资台账缺失', severity: 'severe' },
          { description: '帮扶手册未填写', severity: 'severe' },
        ],
      },
    ],
  });
  expect(inspection.status).toBe(201);
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('GET /assessments/{period}', () => {
  it('scores villages, cadres and units from the period’s records, with the breakdown behind each', async () => {
    const res = await admin.get(`/assessments/${period}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ period, schemeVersion: 1, provisional: true });
    const village = (id: string) => res.body.villages.find((v: { villageId: string }) => v.villageId === id);
    const problems = village(weak).breakdown.find((b: { item: string }) => b.item === 'problems');
    // Two severe problems weigh 3 each under scheme version 1.
    expect(problems).toMatchObject({ raw: 6, points: 70, weight: 20 });
    expect(village(weak).score).toBeLessThan(village(strong).score);
    expect(village(strong).rank).toBeLessThan(village(weak).rank);

    const cadre = (id: string) => res.body.cadres.find((c: { cadreId: string }) => c.cadreId === id);
    // Bound to the village (seed 002): half of a chief's score is their village's.
    const bound = cadre(weakChief).breakdown.find((b: { item: string }) => b.item === 'village');
    expect(bound).toMatchObject({ raw: village(weak).score, weight: 0.5 });
    expect(cadre(weakChief).role).toBe('chief');
    expect(cadre(weakChief).score).toBeLessThan(cadre(strongChief).score);

    const unit = (id: string) => res.body.units.find((u: { unitId: string }) => u.unitId === id);
    expect(unit(unitA)).toMatchObject({ villageIds: [weak], score: village(weak).score });
    expect(unit(unitB).villageIds).toEqual([elsewhere, strong].sort());
  });

  it('a finished quarter before any record scores without problems held against anyone', async () => {
    const res = await admin.get(`/assessments/${latestFinishedQuarter(addDays(today, -400))}`);
    expect(res.status).toBe(200);
    expect(res.body.provisional).toBe(false);
    const village = res.body.villages.find((v: { villageId: string }) => v.villageId === weak);
    expect(village.breakdown.find((b: { item: string }) => b.item === 'problems').points).toBe(100);
  });

  it.each(['2026-Q5', 'abc', '26-Q1', '2026-Q0'])(
    'refuses the period %s with a Chinese message',
    async (bad) => {
      const res = await admin.get(`/assessments/${bad}`);
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toEqual([
        expect.objectContaining({ path: 'params.period', message: expect.stringContaining('2026-Q4') }),
      ]);
    },
  );

  it('cuts a township’s staff to their township; cadres are refused', async () => {
    const staff = await t.as('township', uid('staff'), { townshipId: township });
    const res = await staff.get(`/assessments/${period}`);
    expect(res.status).toBe(200);
    expect(res.body.villages.map((v: { villageId: string }) => v.villageId).sort()).toEqual(
      [strong, weak].sort(),
    );
    expect(res.body.cadres.map((c: { cadreId: string }) => c.cadreId)).not.toContain(otherChief);
    expect((await staff.get(`/assessments/${period}?townshipId=${otherTownship}`)).status).toBe(403);
    const cadre = await t.as('cadre', weakChief);
    expect((await cadre.get(`/assessments/${period}`)).status).toBe(403);
  });
});

describe('PUT /assessments/{period}/villages/{villageId}/results', () => {
  const path = () => `/assessments/${period}/villages/${strong}/results`;
  const put = (caller: Caller, body: unknown, p = path()) =>
    caller.send('PUT', p, JSON.stringify(body), { 'content-type': 'application/json' });

  it('records HQ’s results, counts them in the score, and a repeat changes nothing', async () => {
    const first = await put(admin, { exitAssessment: 'poor', satisfaction: 40 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ exitAssessment: 'poor', satisfaction: 40, changed: true });
    const again = await put(admin, { exitAssessment: 'poor', satisfaction: 40 });
    expect(again.body.changed).toBe(false);
    const audit = await admin.get(`/audit?entityType=assessmentResults&entityId=${period}:${strong}`);
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        action: 'create',
        changes: { before: null, after: { exitAssessment: 'poor', satisfaction: 40, note: null } },
      }),
    ]);
    const res = await admin.get(`/assessments/${period}`);
    const village = res.body.villages.find((v: { villageId: string }) => v.villageId === strong);
    expect(village.results).toEqual({ exitAssessment: 'poor', satisfaction: 40 });
    expect(village.breakdown.find((b: { item: string }) => b.item === 'exitAssessment')).toMatchObject({
      raw: '较差',
      points: 0,
    });
  });

  it('audits a change with before and after', async () => {
    const res = await put(admin, { exitAssessment: 'good', satisfaction: 95, note: '第三方评估' });
    expect(res.body.changed).toBe(true);
    const audit = await admin.get(`/audit?entityType=assessmentResults&entityId=${period}:${strong}`);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({
        action: 'update',
        changes: {
          before: { exitAssessment: 'poor', satisfaction: 40, note: null },
          after: { exitAssessment: 'good', satisfaction: 95, note: '第三方评估' },
        },
      }),
    );
  });

  it.each([
    [{ exitAssessment: 'excellent', satisfaction: null }, 'body.exitAssessment', '较好'],
    [{ exitAssessment: null, satisfaction: 120 }, 'body.satisfaction', '不能大于 100'],
    [{ exitAssessment: null, satisfaction: null }, 'body.exitAssessment', '至少录入'],
  ])('refuses %j with a message on %s, writing nothing', async (body, field, words) => {
    const res = await put(admin, body, `/assessments/${period}/villages/${weak}/results`);
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toContainEqual(
      expect.objectContaining({ path: field, message: expect.stringContaining(words) }),
    );
    const audit = await admin.get(`/audit?entityType=assessmentResults&entityId=${period}:${weak}`);
    expect(audit.body.items).toEqual([]);
  });

  it('is HQ’s alone, and an unknown village is 404', async () => {
    const staff = await t.as('township', uid('staff'), { townshipId: township });
    expect((await put(staff, { exitAssessment: 'good', satisfaction: null })).status).toBe(403);
    const missing = await put(
      admin,
      { exitAssessment: 'good', satisfaction: null },
      `/assessments/${period}/villages/NOPE-1/results`,
    );
    expect(missing.status).toBe(404);
  });
});

describe('GET /assessments/{period}/export', () => {
  it('is a real workbook with the villages, cadres and units ranked', async () => {
    const res = await fetch(`${t.url}/assessments/${period}/export`, {
      headers: { authorization: `Bearer ${await t.stack.token('hq-export', 'admin')}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(['村', '干部', '帮扶单位', '说明']);
    const villages = book.getWorksheet('村');
    const names = villages?.getColumn(2).values.slice(2);
    expect(names).toEqual(expect.arrayContaining(['后进村', '先进村']));
  });
});

describe('assessment schemes', () => {
  it('ships version 1 and publishes a new version only from a quarter that has not begun', async () => {
    const index = await admin.get('/assessment-schemes');
    expect(index.status).toBe(200);
    expect(index.body.current.version).toBe(1);
    const base = index.body.current;
    const input = {
      effectiveFrom: '2020-01-01',
      weights: base.weights,
      params: base.params,
      binding: base.binding,
    };
    const past = await admin.post('/assessment-schemes', input);
    expect(past.status).toBe(400);
    expect(past.body.error.fields[0]).toMatchObject({
      path: 'body.effectiveFrom',
      code: 'EFFECTIVE_IN_PAST',
    });
    const notQuarter = await admin.post('/assessment-schemes', {
      ...input,
      effectiveFrom: addDays(today, 30),
    });
    expect(notQuarter.status).toBe(400);
    const next = latestFinishedQuarter(addDays(today, 190)); // a quarter after this one
    const effectiveFrom = { Q1: '01-01', Q2: '04-01', Q3: '07-01', Q4: '10-01' }[next.slice(5)];
    const ok = await admin.post('/assessment-schemes', {
      ...input,
      effectiveFrom: `${next.slice(0, 4)}-${effectiveFrom}`,
      binding: { chief: 0.6, member: 0.4 },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.version).toBe(2);
    // The period under way keeps the version it started with.
    expect((await admin.get(`/assessments/${period}`)).body.schemeVersion).toBe(1);
  });
});

describe('POST /assessments/{period}/notice', () => {
  it('issues the 考核结果通报 of a finished period once, numbered in the county’s series', async () => {
    const finished = latestFinishedQuarter(today);
    const res = await admin.post(`/assessments/${finished}/notice`);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.number).toMatch(/考〔\d{4}〕\d+号$/);
    const again = await admin.post(`/assessments/${finished}/notice`);
    expect(again.body).toMatchObject({ id: res.body.id, number: res.body.number });
    const file = await fetch(`${t.url}${res.body.downloads.html}`, {
      headers: { authorization: `Bearer ${await t.stack.token('hq-notice', 'admin')}` },
    });
    expect(file.status).toBe(200);
    const html = await file.text();
    expect(html).toContain('干部包村工作考核结果的通报');
    expect(html).toContain('后进村');
    expect(html).toContain('年度考核与所在村脱贫攻坚成效考核捆绑');
    expect(html).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  it('refuses a period still under way (409) and other roles (403)', async () => {
    const res = await admin.post(`/assessments/${period}/notice`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('PERIOD_NOT_FINISHED');
    const staff = await t.as('township', uid('staff'), { townshipId: township });
    expect((await staff.post(`/assessments/${latestFinishedQuarter(today)}/notice`)).status).toBe(403);
  });
});

describe('HQ pages', () => {
  it('ranks the period, drills down to a village and takes its results through the form', async () => {
    const pages = await signInPages(t.url, uid('hq'), 'admin');
    const index = await pages.get(`/app/admin/assessments?period=${period}`);
    expect(index.status).toBe(200);
    expect(index.text).toContain('村排名');
    expect(index.text).toContain('后进村');
    expect(index.text).toContain('县水务局');
    expect(index.text).toContain('钱后进');
    const detail = await pages.get(`/app/admin/assessments/${period}/villages/${weak}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('督查发现问题（按严重程度加权）');
    const bad = await pages.post(`/app/admin/assessments/${period}/villages/${weak}`, {
      exitAssessment: '',
      satisfaction: '130',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('满意度不能大于 100');
    const saved = await pages.post(`/app/admin/assessments/${period}/villages/${weak}`, {
      exitAssessment: 'fairlyGood',
      satisfaction: '88',
    });
    expect(saved.status).toBe(303);
    const after = await admin.get(`/assessments/${period}`);
    expect(after.body.villages.find((v: { villageId: string }) => v.villageId === weak).results).toEqual({
      exitAssessment: 'fairlyGood',
      satisfaction: 88,
    });
    const cadre = await pages.get(`/app/admin/assessments/${period}/cadres/${weakChief}`);
    expect(cadre.text).toContain('所在村成效（捆绑）');
    const workbook = await pages.get(`/app/admin/assessments/${period}/export`);
    expect(workbook.status).toBe(200);
    expect(workbook.headers.get('content-type')).toContain('spreadsheetml');
  });
});
