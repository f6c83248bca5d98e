import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weekBounds } from '../../functions/core/rules/index.ts';
import { DEFAULT_RULE_SET } from '../../functions/core/rules/rule-set.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import { renderWeekDocuments } from '../../functions/jobs/render-week-documents.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/** Major failures (重大失误): intake, lists, and their way into the weekly evaluation and documents. */
let t: TestStack;
let admin: Caller;
let inspector: Caller;
const tid = uid('T');
const vid = uid('V');
const otherVid = uid('V');
const c1 = uid('C');
const c2 = uid('C');
const today = beijingDate(new Date());
// Two weeks ago: a finished week, evaluated before and after a late major failure.
const lateWeek = isoWeekOf(addDays(today, -14));
const lateDate = weekBounds(lateWeek).monday;

const valid = (over: Record<string, unknown> = {}) => ({
  type: 'drinking_water_loss',
  villageId: vid,
  cadreIds: [c1],
  date: today,
  description: '水池管道爆裂，全村停水两天未报告',
  ...over,
});

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  expect((await admin.post('/townships', { id: tid, name: '石门乡' })).status).toBe(201);
  for (const id of [vid, otherVid])
    expect(
      (await admin.post('/villages', { id, name: `村${id.slice(-3)}`, townshipId: tid, category: 'general' }))
        .status,
    ).toBe(201);
  for (const [id, name] of [
    [c1, '王明'],
    [c2, '李华'],
  ] as const)
    expect(
      (await admin.post('/cadres', { id, name, unit: '县水务局', rank: 'section', townshipId: tid })).status,
    ).toBe(201);
});
afterAll(async () => {
  await t.stop();
});

describe('POST /major-failures', () => {
  it('records a major failure with the consequence the rule set in force gives it', async () => {
    const res = await inspector.post('/major-failures', valid({ cadreIds: [c1, c2, c1] }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      type: 'drinking_water_loss',
      typeName: '人畜饮水中断',
      consequence: 'notice_of_criticism',
      consequenceLabel: '通报批评',
      ruleSetVersion: 1,
      villageId: vid,
      townshipId: tid,
      cadreIds: [c1, c2],
      date: today,
      week: isoWeekOf(today),
      serious: false,
      createdBy: inspector.sub,
    });
    expect((await admin.get(`/major-failures/${res.body.id}`)).body).toEqual(res.body);
    const audit = await admin.get(`/audit?entityType=majorFailure&entityId=${res.body.id}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ action: 'create', actor: inspector.sub });
  });

  it('escalates a serious one to the type’s serious consequence (纪律处分建议)', async () => {
    const res = await admin.post('/major-failures', valid({ type: 'water_dispute', serious: true }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ consequence: 'disciplinary_recommendation', serious: true });
  });

  it('stores one record for a retried request with the same Idempotency-Key', async () => {
    const key = uid('k');
    const first = await admin.post('/major-failures', valid({ villageId: otherVid }), {
      'idempotency-key': key,
    });
    const second = await admin.post('/major-failures', valid({ villageId: otherVid }), {
      'idempotency-key': key,
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    const list = await admin.get(`/major-failures?villageId=${otherVid}`);
    expect(list.body.items).toHaveLength(1);
  });

  it('refuses an unknown type and lists the types the rules define', async () => {
    const res = await admin.post('/major-failures', valid({ type: 'road_collapse' }));
    expect(res.status).toBe(400);
    const field = res.body.error.fields.find((f: { path: string }) => f.path === 'body.type');
    expect(field.code).toBe('UNKNOWN_TYPE');
    // People read the names the rule set gives, never its codes.
    for (const t of DEFAULT_RULE_SET.majorFailures) {
      expect(field.message).toContain(t.name);
      expect(field.message).not.toContain(t.code);
    }
  });

  it.each([
    ['a future date', { date: addDays(today, 1) }, 'body.date', 'FUTURE_DATE'],
    ['a date that does not exist', { date: '2026-02-30' }, 'body.date', 'INVALID_DATE'],
    ['no responsible cadre', { cadreIds: [] }, 'body.cadreIds', 'TOO_SMALL'],
    ['an unknown cadre', { cadreIds: [c1, 'NOBODY'] }, 'body.cadreIds.1', 'UNKNOWN_REFERENCE'],
    ['an unknown village', { villageId: 'NOWHERE' }, 'body.villageId', 'UNKNOWN_REFERENCE'],
    ['an empty description', { description: '  ' }, 'body.description', 'TOO_SMALL'],
    ['an unknown field', { severity: 'major' }, 'body.severity', 'UNKNOWN_FIELD'],
    ['serious as text', { serious: 'yes' }, 'body.serious', 'INVALID_TYPE'],
  ])('refuses %s (400)', async (_what, over, path, code) => {
    const res = await admin.post('/major-failures', valid(over));
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toContainEqual(expect.objectContaining({ path, code }));
  });

  it('is for admins and inspectors: a cadre gets 403', async () => {
    const cadre = await t.as('cadre', c1);
    expect((await cadre.post('/major-failures', valid())).status).toBe(403);
    expect((await cadre.get('/major-failures')).status).toBe(403);
  });
});

describe('GET /major-failures', () => {
  it('filters by village, cadre, type and dates, newest first, in pages', async () => {
    const earlier = addDays(today, -3);
    const old = await admin.post(
      '/major-failures',
      valid({ villageId: otherVid, cadreIds: [c2], type: 'avoidable_crop_failure', date: earlier }),
    );
    expect(old.status).toBe(201);
    const ids = async (query: string) =>
      ((await admin.get(`/major-failures?${query}`)).body.items as { id: string }[]).map((m) => m.id);

    expect(await ids(`cadreId=${c2}&type=avoidable_crop_failure`)).toEqual([old.body.id]);
    expect(await ids(`villageId=${otherVid}&from=${earlier}&to=${earlier}`)).toEqual([old.body.id]);
    expect(await ids(`cadreId=${c2}&villageId=${otherVid}`)).toEqual([old.body.id]);
    expect(await ids(`villageId=${vid}&to=${addDays(today, -1)}`)).toEqual([]);
    const byCadre1 = await ids(`cadreId=${c1}`);
    expect(byCadre1.length).toBeGreaterThanOrEqual(3);

    const first = await admin.get('/major-failures?limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.next).toBeTruthy();
    const dates = first.body.items.map((m: { date: string }) => m.date);
    expect([...dates].sort().reverse()).toEqual(dates);
    const second = await admin.get(`/major-failures?limit=2&next=${encodeURIComponent(first.body.next)}`);
    expect(second.status).toBe(200);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });

  it.each([
    ['an inverted range', `from=${today}&to=${addDays(today, -1)}`, 'INVALID_RANGE'],
    ['a limit over 100', 'limit=101', 'TOO_BIG'],
    ['an unknown filter', 'severity=major', 'UNKNOWN_FIELD'],
  ])('refuses %s (400)', async (_what, query, code) => {
    const res = await admin.get(`/major-failures?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { code: string }) => f.code)).toContain(code);
  });

  it('answers 404 for an id that does not exist', async () => {
    expect((await inspector.get('/major-failures/NOPE')).status).toBe(404);
  });
});

describe('major failures in the weekly evaluation', () => {
  it('a late major failure inside a finished week revises it, lists it with its consequence, and gets a notice of criticism', async () => {
    const before = await evaluateAndStoreWeek(lateWeek, { now: new Date() });
    expect(before.evaluation.majorFailures).toEqual([]);

    const res = await inspector.post(
      '/major-failures',
      valid({
        type: 'water_dispute',
        date: lateDate,
        cadreIds: [c2],
        description: '灌溉水源纠纷引发群体冲突',
      }),
    );
    expect(res.status).toBe(201);

    const after = await evaluateAndStoreWeek(lateWeek, { now: new Date() });
    expect(after).toMatchObject({ week: lateWeek, revision: before.revision + 1, revised: true });
    expect(after.evaluation.majorFailures).toEqual([
      expect.objectContaining({
        id: res.body.id,
        type: 'water_dispute',
        consequence: 'notice_of_criticism',
        consequenceLabel: '通报批评',
        occurredOn: lateDate,
        cadreIds: [c2],
        summary: '灌溉水源纠纷引发群体冲突',
      }),
    ]);
    expect(after.evaluation.cadres.find((c) => c.cadreId === c2)?.majorFailureIds).toEqual([res.body.id]);

    const { notices } = await renderWeekDocuments(after, { now: new Date(), pdf: null });
    expect(notices.filter((n) => n.kind === 'criticismNotice')).toHaveLength(1);
    const listed = await admin.get(`/notices?week=${lateWeek}&kind=criticismNotice`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({ kind: 'criticismNotice', cadreId: c2 });
  });
});
