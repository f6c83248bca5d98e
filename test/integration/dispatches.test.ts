import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditForEntity } from '../../functions/adapters/dynamo/audit.ts';
import { nextSequence } from '../../functions/adapters/dynamo/counters.ts';
import * as dispatchStore from '../../functions/adapters/dynamo/dispatches.ts';
import { keys } from '../../functions/adapters/dynamo/keys.ts';
import { createVillage } from '../../functions/adapters/dynamo/roster.ts';
import { getItem } from '../../functions/adapters/dynamo/table.ts';
import { dispatchYear } from '../../functions/core/dispatches.ts';
import { DISPATCH_SERIES } from '../../functions/core/document-number.ts';
import { derivedId } from '../../functions/core/ids.ts';
import { addDays, beijingDate } from '../../functions/core/time.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

let t: TestStack;
let admin: Caller;
let inspector: Caller;
const township = uid('T');
const villages = { v1: uid('V'), v2: uid('V'), v3: uid('V') };
const cadres = { a: uid('CA'), b: uid('CB'), c: uid('CC') };
const DAY = 24 * 60 * 60 * 1000;
const year = dispatchYear(new Date());
const NUMBER = new RegExp(`^派〔${year}〕(\\d+)号$`);

const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();
/** A Beijing day months ahead, inside the window dates may take (up to a year from today). */
const farDay = addDays(beijingDate(new Date()), 300);
const seq = (number: string) => Number(NUMBER.exec(number)?.[1]);

/** A valid form; an override set to undefined leaves that field out. */
function form(overrides: Record<string, unknown> = {}) {
  const body: Record<string, unknown> = {
    title: '抗旱保苗专项任务',
    category: '防汛抗旱',
    description: '组织群众开展抗旱保苗，逐户核实人畜饮水情况。',
    deadline: inDays(7),
    assignees: [{ cadreId: cadres.a, villageId: villages.v1 }],
    ...overrides,
  };
  for (const [name, value] of Object.entries(body)) if (value === undefined) delete body[name];
  return body as {
    title: string;
    category: string;
    description: string;
    deadline: string;
    assignees: unknown[];
  };
}

async function issue(overrides: Record<string, unknown> = {}) {
  const res = await admin.post('/dispatches', form(overrides));
  expect(res.status).toBe(201);
  return res.body as { id: string; number: string };
}

/** Every dispatch in the HQ list, following the cursor. */
async function countDispatches(): Promise<number> {
  let total = 0;
  let next: string | undefined;
  do {
    const res = await admin.get(`/dispatches?limit=100${next ? `&next=${encodeURIComponent(next)}` : ''}`);
    expect(res.status).toBe(200);
    total += res.body.items.length;
    next = res.body.next;
  } while (next);
  return total;
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  expect((await admin.post('/townships', { id: township, name: '桶井乡' })).status).toBe(201);
  for (const [i, id] of Object.values(villages).entries()) {
    expect(
      (await admin.post('/villages', { id, name: `郑家${i}村`, townshipId: township, category: 'deep' }))
        .status,
    ).toBe(201);
  }
  for (const [i, id] of Object.values(cadres).entries()) {
    expect(
      (await admin.post('/cadres', { id, name: `干部${i}`, unit: '县水务局', rank: '科级' })).status,
    ).toBe(201);
  }
});
afterAll(async () => {
  await t.stop();
});

describe('issuing dispatch forms', () => {
  it('issues a numbered form with its assignees pending, and reads it back', async () => {
    const res = await admin.post('/dispatches', form({ deadline: farDay }));
    expect(res.status).toBe(201);
    expect(res.body.number).toMatch(NUMBER);
    expect(res.body).toMatchObject({
      title: '抗旱保苗专项任务',
      category: '防汛抗旱',
      // A date means the end of that Beijing day.
      deadline: `${farDay}T15:59:59.999Z`,
      createdBy: admin.sub,
      status: 'open',
      assignees: [
        {
          cadreId: cadres.a,
          cadreName: '干部0',
          villageId: villages.v1,
          villageName: '郑家0村',
          status: 'pending',
          lastReportAt: null,
          doneAt: null,
          overdue: false,
        },
      ],
    });
    expect(typeof res.body.createdAt).toBe('string');

    const read = await admin.get(`/dispatches/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: res.body.id, number: res.body.number, reports: [] });
    const listed = await inspector.get('/dispatches?limit=100');
    expect(listed.body.items.map((d: { id: string }) => d.id)).toContain(res.body.id);
  });

  it('stores the assignee row in the shape the standing and sweep modules read', async () => {
    const d = await issue({ deadline: `${farDay}T08:00:00+08:00` });
    const row = await getItem(keys.dispatchAssignee(d.id, cadres.a, villages.v1));
    expect(row).toMatchObject({
      dispatchId: d.id,
      number: d.number,
      cadreId: cadres.a,
      villageId: villages.v1,
      townshipId: township,
      deadline: `${farDay}T00:00:00.000Z`,
      status: 'pending',
      GSI1PK: keys.cadreDispatches(cadres.a),
      GSI1SK: `${farDay}T00:00:00.000Z#${d.id}#${villages.v1}`,
      GSI2PK: keys.villageDispatches(villages.v1),
      GSI2SK: `${farDay}T00:00:00.000Z#${d.id}#${cadres.a}`,
      GSI3PK: keys.openDispatchAssignees(),
      GSI3SK: `${farDay}T00:00:00.000Z#${d.id}#${cadres.a}#${villages.v1}`,
    });
    const audit = await listAuditForEntity('dispatch', d.id, 10);
    expect(audit.items.map((a) => a.action)).toEqual(['create']);
  });

  it('gives 20 concurrent forms 20 distinct, consecutive numbers', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => admin.post('/dispatches', form())));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const numbers = results.map((r) => seq(r.body.number)).sort((x, y) => x - y);
    expect(new Set(numbers).size).toBe(20);
    expect(numbers.at(-1)! - numbers[0]!).toBe(19);
  });

  it('answers a retry with the same Idempotency-Key with the same form and takes no new number', async () => {
    const headers = { 'idempotency-key': `dispatch-${uid('k')}` };
    const body = form();
    const first = await admin.post('/dispatches', body, headers);
    expect(first.status).toBe(201);
    const again = await admin.post('/dispatches', body, headers);
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: first.body.id, number: first.body.number });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const next = await issue();
    expect(seq(next.number)).toBe(seq(first.body.number) + 1);
  });

  it('answers concurrent repeats of one Idempotency-Key with one form', async () => {
    const headers = { 'idempotency-key': `dispatch-${uid('k')}` };
    const body = form();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => admin.post('/dispatches', body, headers)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(201));
    expect(new Set(results.map((r) => r.body.number)).size).toBe(1);
    const next = await issue();
    expect(seq(next.number)).toBe(seq(results[0]!.body.number) + 1);
  });

  it('finishes a form whose first attempt crashed after numbering, without a second number', async () => {
    // The first attempt wrote the numbered form but died before its rows (and before the
    // idempotency record completed); the retry carries the same key and body.
    const key = `dispatch-${uid('k')}`;
    const body = form({
      assignees: [
        { cadreId: cadres.a, villageId: villages.v1 },
        { cadreId: cadres.b, villageId: villages.v2 },
      ],
    });
    const before = await issue();
    const id = derivedId(admin.sub, key, 'dispatch');
    const number = `派〔${year}〕${seq(before.number) + 1}号`;
    await dispatchStore.createDispatch({
      id,
      number,
      year,
      sequence: seq(before.number) + 1,
      title: body.title,
      category: body.category,
      description: body.description,
      deadline: body.deadline,
      createdAt: new Date().toISOString(),
      createdBy: admin.sub,
      assignees: body.assignees as { cadreId: string; villageId: string }[],
      townshipIds: [township],
      assigneeCount: 2,
      openCount: 2,
    });
    // The crashed run took its number before writing the form.
    expect(await nextSequence(DISPATCH_SERIES.key, year)).toBe(seq(before.number) + 1);

    const retry = await admin.post('/dispatches', body, { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ id, number });
    expect(retry.body.assignees.map((a: { cadreId: string }) => a.cadreId)).toEqual([cadres.a, cadres.b]);
    expect(seq((await issue()).number)).toBe(seq(before.number) + 2);
  });

  it('issues a form to many villages and lists every row back in the order given', async () => {
    // Villages straight into the table: the roster API is not what this test is about.
    const now = new Date().toISOString();
    const ids = Array.from({ length: 50 }, (_, i) => `${township}-L${String(49 - i).padStart(2, '0')}`);
    for (const id of ids) {
      await createVillage({
        id,
        name: `大村${id.slice(-2)}`,
        townshipId: township,
        category: 'non',
        categoryLabel: '非贫困村',
        createdAt: now,
        updatedAt: now,
      });
    }
    const res = await admin.post(
      '/dispatches',
      form({ assignees: ids.map((villageId) => ({ cadreId: cadres.c, villageId })) }),
    );
    expect(res.status).toBe(201);
    expect(res.body.assignees).toHaveLength(50);
    const read = await admin.get(`/dispatches/${res.body.id}`);
    expect(read.body.assignees.map((a: { villageId: string }) => a.villageId)).toEqual(ids);
  });

  it('refuses a form with more than 500 assignees', async () => {
    const assignees = Array.from({ length: 501 }, (_, i) => ({ cadreId: cadres.a, villageId: `V${i}` }));
    const res = await admin.post('/dispatches', form({ assignees }));
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0]).toMatchObject({ path: 'body.assignees', code: 'TOO_BIG' });
  });

  const past = new Date(Date.now() - DAY).toISOString();
  it.each([
    ['an unknown field', { urgent: true }, 'body.urgent', 'UNKNOWN_FIELD'],
    ['no assignees', { assignees: [] }, 'body.assignees', 'TOO_SMALL'],
    [
      'a duplicate (cadre, village) pair',
      {
        assignees: [
          { cadreId: cadres.a, villageId: villages.v1 },
          { cadreId: cadres.a, villageId: villages.v1 },
        ],
      },
      'body.assignees.1',
      'DUPLICATE',
    ],
    [
      'an unknown cadre',
      { assignees: [{ cadreId: 'NO-SUCH-CADRE', villageId: villages.v1 }] },
      'body.assignees.0.cadreId',
      'UNKNOWN_REFERENCE',
    ],
    [
      'an unknown village',
      { assignees: [{ cadreId: cadres.a, villageId: 'NO-SUCH-VILLAGE' }] },
      'body.assignees.0.villageId',
      'UNKNOWN_REFERENCE',
    ],
    ['a deadline without offset', { deadline: '2026-12-01T10:00:00' }, 'body.deadline', 'INVALID_FORMAT'],
    ['a deadline in the past', { deadline: past }, 'body.deadline', 'DEADLINE_PASSED'],
    ['a day that does not exist', { deadline: '2026-02-30' }, 'body.deadline', 'INVALID_DATE'],
    ['a title past 120 characters', { title: '题'.repeat(121) }, 'body.title', 'TOO_BIG'],
    ['a category past 30 characters', { category: '类'.repeat(31) }, 'body.category', 'TOO_BIG'],
    ['a blank description', { description: '   ' }, 'body.description', 'TOO_SMALL'],
    ['no title', { title: undefined }, 'body.title', 'INVALID_TYPE'],
  ])(
    'refuses a form with %s (400, field message in Chinese, nothing written)',
    async (_case, patch, path, code) => {
      const before = await countDispatches();
      const res = await admin.post('/dispatches', form(patch));
      expect(res.status).toBe(400);
      const field = res.body.error.fields.find((f: { path: string }) => f.path === path);
      expect(field).toMatchObject({ code });
      expect(field.message).toMatch(/[\u4e00-\u9fff]/);
      expect(await countDispatches()).toBe(before);
    },
  );

  it('takes no number for a refused form', async () => {
    const before = await issue();
    expect(
      (await admin.post('/dispatches', form({ assignees: [{ cadreId: 'NOBODY', villageId: villages.v1 }] })))
        .status,
    ).toBe(400);
    expect(seq((await issue()).number)).toBe(seq(before.number) + 1);
  });

  it.each([
    ['inspector', 'inspector'],
    ['cadre', 'cadre'],
  ] as const)('refuses a form from a %s (403)', async (_case, role) => {
    const caller = await t.as(role);
    const res = await caller.post('/dispatches', form());
    expect(res.status).toBe(403);
  });

  it('answers 404 for a form that does not exist', async () => {
    expect((await admin.get('/dispatches/NO-SUCH-DISPATCH')).status).toBe(404);
    const cadre = await t.as('cadre', cadres.a);
    expect(
      (await cadre.post('/dispatches/NO-SUCH-DISPATCH/reports', { status: 'done', note: '完成' })).status,
    ).toBe(404);
  });

  it('answers 401 without a token', async () => {
    expect((await t.anonymous().get('/dispatches')).status).toBe(401);
  });
});

describe('progress reports', () => {
  it('records a cadre’s progress and completion on their own row, then refuses a second completion', async () => {
    const d = await issue();
    const cadre = await t.as('cadre', cadres.a);

    const progress = await cadre.post(`/dispatches/${d.id}/reports`, {
      status: 'in_progress',
      note: '已走访 12 户',
    });
    expect(progress.status).toBe(201);
    expect(progress.body).toMatchObject({
      dispatchId: d.id,
      cadreId: cadres.a,
      villageId: villages.v1,
      status: 'in_progress',
      note: '已走访 12 户',
      late: false,
    });
    expect(typeof progress.body.id).toBe('string');
    let read = await admin.get(`/dispatches/${d.id}`);
    expect(read.body.assignees[0]).toMatchObject({
      status: 'in_progress',
      lastNote: '已走访 12 户',
      lastReportAt: progress.body.at,
    });

    const done = await cadre.post(`/dispatches/${d.id}/reports`, { status: 'done', note: '全部完成' });
    expect(done.status).toBe(201);
    read = await cadre.get(`/dispatches/${d.id}`);
    expect(read.body).toMatchObject({ status: 'done', doneCount: 1, assigneeCount: 1 });
    expect(read.body.assignees[0]).toMatchObject({ status: 'done', doneAt: done.body.at, overdue: false });
    expect(read.body.reports.map((r: { id: string }) => r.id)).toEqual([done.body.id, progress.body.id]);

    const twice = await cadre.post(`/dispatches/${d.id}/reports`, { status: 'done', note: '再次报告' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('ALREADY_DONE');
    const reopen = await cadre.post(`/dispatches/${d.id}/reports`, { status: 'in_progress', note: '补充' });
    expect(reopen.status).toBe(409);

    // A finished row leaves the open-rows index the overdue sweep reads.
    const row = await getItem(keys.dispatchAssignee(d.id, cadres.a, villages.v1));
    expect(row).not.toHaveProperty('GSI3PK');
    expect(row).not.toHaveProperty('GSI3SK');
    const audit = await listAuditForEntity('dispatch', d.id, 10);
    expect(audit.items.map((a) => a.action).sort()).toEqual(['create', 'report', 'report']);
  });

  it('lets only one of two concurrent completions of a row through', async () => {
    const d = await issue();
    const cadre = await t.as('cadre', cadres.a);
    const results = await Promise.all([
      cadre.post(`/dispatches/${d.id}/reports`, { status: 'done', note: '完成甲' }),
      cadre.post(`/dispatches/${d.id}/reports`, { status: 'done', note: '完成乙' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const read = await admin.get(`/dispatches/${d.id}`);
    expect(read.body.reports).toHaveLength(1);
    expect(read.body.doneCount).toBe(1);
  });

  it('refuses a report from a cadre who is not on the form (403)', async () => {
    const d = await issue();
    const other = await t.as('cadre', cadres.b);
    const res = await other.post(`/dispatches/${d.id}/reports`, { status: 'done', note: '冒报' });
    expect(res.status).toBe(403);
    expect((await admin.get(`/dispatches/${d.id}`)).body.assignees[0].status).toBe('pending');
  });

  it('refuses a report from an admin (reports are the cadre’s own)', async () => {
    const d = await issue();
    expect((await admin.post(`/dispatches/${d.id}/reports`, { status: 'done', note: '代报' })).status).toBe(
      403,
    );
  });

  it('needs the village from a cadre sent to several villages on one form', async () => {
    const d = await issue({
      assignees: [
        { cadreId: cadres.c, villageId: villages.v2 },
        { cadreId: cadres.c, villageId: villages.v3 },
      ],
    });
    const cadre = await t.as('cadre', cadres.c);
    const ambiguous = await cadre.post(`/dispatches/${d.id}/reports`, { status: 'done', note: '完成' });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error.fields[0]).toMatchObject({ path: 'body.villageId', code: 'REQUIRED' });

    const wrong = await cadre.post(`/dispatches/${d.id}/reports`, {
      status: 'done',
      note: '完成',
      villageId: villages.v1,
    });
    expect(wrong.status).toBe(403);

    const named = await cadre.post(`/dispatches/${d.id}/reports`, {
      status: 'done',
      note: '完成',
      villageId: villages.v3,
    });
    expect(named.status).toBe(201);
    expect(named.body.villageId).toBe(villages.v3);
    const read = await admin.get(`/dispatches/${d.id}`);
    expect(read.body.assignees.map((a: { status: string }) => a.status)).toEqual(['pending', 'done']);
    expect(read.body).toMatchObject({ status: 'open', doneCount: 1 });
  });

  it.each([
    ['an unknown status', { status: 'pending', note: 'x' }, 'body.status', 'INVALID_VALUE'],
    ['no note', { status: 'done' }, 'body.note', 'INVALID_TYPE'],
    ['an unknown field', { status: 'done', note: 'x', percent: 50 }, 'body.percent', 'UNKNOWN_FIELD'],
  ])('refuses a report with %s (400)', async (_case, body, path, code) => {
    const d = await issue();
    const cadre = await t.as('cadre', cadres.a);
    const res = await cadre.post(`/dispatches/${d.id}/reports`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.fields.find((f: { path: string }) => f.path === path)).toMatchObject({ code });
  });

  it('files a retried report (same Idempotency-Key) once', async () => {
    const d = await issue();
    const cadre = await t.as('cadre', cadres.a);
    const headers = { 'idempotency-key': `report-${uid('k')}` };
    const first = await cadre.post(`/dispatches/${d.id}/reports`, { status: 'done', note: '完成' }, headers);
    const again = await cadre.post(`/dispatches/${d.id}/reports`, { status: 'done', note: '完成' }, headers);
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body.id).toBe(first.body.id);
    expect((await admin.get(`/dispatches/${d.id}`)).body.reports).toHaveLength(1);
  });

  it('completes a report whose first attempt crashed after moving the row', async () => {
    const d = await issue();
    const cadre = await t.as('cadre', cadres.a);
    const key = `report-${uid('k')}`;
    const row = await dispatchStore.getAssignee(d.id, cadres.a, villages.v1);
    const reportId = derivedId(cadres.a, key, 'dispatch-report');
    const at = new Date().toISOString();
    // The crashed run moved the row to done, then died before filing the report.
    await dispatchStore.applyReport({ row: row!, next: 'done', reportId, at, note: '完成', late: false });

    const retry = await cadre.post(
      `/dispatches/${d.id}/reports`,
      { status: 'done', note: '完成' },
      { 'idempotency-key': key },
    );
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ id: reportId, at, status: 'done' });
    const read = await admin.get(`/dispatches/${d.id}`);
    expect(read.body.reports.map((r: { id: string }) => r.id)).toEqual([reportId]);
    expect(read.body).toMatchObject({ status: 'done', doneCount: 1 });
  });
});

describe('listing dispatch forms', () => {
  let forA: { id: string };
  let forB: { id: string };
  let doneForB: { id: string };

  beforeAll(async () => {
    forA = await issue({ assignees: [{ cadreId: cadres.a, villageId: villages.v1 }] });
    forB = await issue({ assignees: [{ cadreId: cadres.b, villageId: villages.v2 }], deadline: inDays(3) });
    doneForB = await issue({
      assignees: [{ cadreId: cadres.b, villageId: villages.v3 }],
      deadline: inDays(5),
    });
    const b = await t.as('cadre', cadres.b);
    expect(
      (await b.post(`/dispatches/${doneForB.id}/reports`, { status: 'done', note: '完成' })).status,
    ).toBe(201);
  });

  it('shows a cadre only the forms they are on, and not another cadre’s form', async () => {
    const b = await t.as('cadre', cadres.b);
    const list = await b.get('/dispatches?limit=100');
    expect(list.status).toBe(200);
    const ids = list.body.items.map((i: { id: string }) => i.id);
    expect(ids).toEqual(expect.arrayContaining([forB.id, doneForB.id]));
    expect(ids).not.toContain(forA.id);
    expect(list.body.items.every((i: { cadreId: string }) => i.cadreId === cadres.b)).toBe(true);
    expect((await b.get(`/dispatches/${forA.id}`)).status).toBe(403);
    expect((await b.get(`/dispatches?cadreId=${cadres.a}`)).status).toBe(403);
  });

  it('filters a cadre’s rows by status', async () => {
    const b = await t.as('cadre', cadres.b);
    const done = await b.get('/dispatches?status=done&limit=100');
    expect(done.body.items.map((i: { id: string }) => i.id)).toEqual([doneForB.id]);
    expect(done.body.items[0]).toMatchObject({
      status: 'done',
      assigneeStatus: 'done',
      villageId: villages.v3,
    });
    const open = await b.get('/dispatches?status=open&limit=100');
    const openIds = open.body.items.map((i: { id: string }) => i.id);
    expect(openIds).toContain(forB.id);
    expect(openIds).not.toContain(doneForB.id);
    expect(open.body.items.every((i: { status: string }) => i.status === 'open')).toBe(true);
    expect((await b.get('/dispatches?status=overdue')).body.items).toEqual([]);
  });

  it('lists one village’s rows and one cadre’s rows for HQ', async () => {
    const byVillage = await admin.get(`/dispatches?villageId=${villages.v2}&limit=100`);
    expect(byVillage.body.items.map((i: { id: string }) => i.id)).toContain(forB.id);
    expect(byVillage.body.items.every((i: { villageId: string }) => i.villageId === villages.v2)).toBe(true);
    const byCadre = await inspector.get(`/dispatches?cadreId=${cadres.b}&villageId=${villages.v3}&limit=100`);
    expect(byCadre.body.items.map((i: { id: string }) => i.id)).toEqual([doneForB.id]);
  });

  it('filters the HQ list by status and by Beijing issue date', async () => {
    const done = await admin.get('/dispatches?status=done&limit=100');
    const doneIds = done.body.items.map((i: { id: string }) => i.id);
    expect(doneIds).toContain(doneForB.id);
    expect(doneIds).not.toContain(forB.id);
    expect(done.body.items.every((i: { status: string }) => i.status === 'done')).toBe(true);

    const today = beijingDate(new Date());
    const tomorrow = beijingDate(new Date(Date.now() + DAY));
    const todays = await admin.get(`/dispatches?from=${today}&to=${today}&limit=100`);
    expect(todays.body.items.length).toBeGreaterThan(0);
    const later = await admin.get(`/dispatches?from=${tomorrow}`);
    expect(later.body.items).toEqual([]);
  });

  it('filters by township, in the HQ list and in a cadre’s rows', async () => {
    const hq = await admin.get(`/dispatches?townshipId=${township}&limit=100`);
    expect(hq.body.items.map((i: { id: string }) => i.id)).toEqual(
      expect.arrayContaining([forA.id, forB.id]),
    );
    expect((await admin.get('/dispatches?townshipId=ELSEWHERE')).body.items).toEqual([]);
    const b = await t.as('cadre', cadres.b);
    expect((await b.get(`/dispatches?townshipId=${township}&limit=100`)).body.items.length).toBeGreaterThan(
      0,
    );
    expect((await b.get('/dispatches?townshipId=ELSEWHERE')).body.items).toEqual([]);
  });

  it('pages a cadre’s rows with an opaque cursor', async () => {
    const b = await t.as('cadre', cadres.b);
    const first = await b.get('/dispatches?limit=1');
    expect(first.body.items).toHaveLength(1);
    expect(typeof first.body.next).toBe('string');
    const second = await b.get(`/dispatches?limit=1&next=${encodeURIComponent(first.body.next)}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });

  it('pages a cadre’s open rows although "now" moves between the pages', async () => {
    const another = await issue({
      assignees: [{ cadreId: cadres.b, villageId: villages.v2 }],
      deadline: inDays(7),
    });
    const b = await t.as('cadre', cadres.b);
    const first = await b.get('/dispatches?status=open&limit=1');
    expect(first.status).toBe(200);
    expect(typeof first.body.next).toBe('string');
    const second = await b.get(`/dispatches?status=open&limit=1&next=${encodeURIComponent(first.body.next)}`);
    expect(second.status).toBe(200);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    const all = await b.get('/dispatches?status=open&limit=100');
    expect(all.body.items.map((i: { id: string }) => i.id)).toEqual(
      expect.arrayContaining([forB.id, another.id]),
    );
    expect(second.body.items[0].status).toBe('open');
    // The cursor of the open list cannot be replayed on the overdue list.
    const other = await b.get(
      `/dispatches?status=overdue&limit=1&next=${encodeURIComponent(first.body.next)}`,
    );
    expect(other.status).toBe(400);
  });

  it.each([
    ['an unknown status', 'status=late', 'query.status'],
    ['a range that ends before it starts', 'from=2026-05-02&to=2026-05-01', 'query.to'],
    ['a limit past 100', 'limit=101', 'query.limit'],
    ['an unknown parameter', 'sort=asc', 'query.sort'],
  ])('refuses a list query with %s (400)', async (_case, qs, path) => {
    const res = await admin.get(`/dispatches?${qs}`);
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain(path);
  });
});
