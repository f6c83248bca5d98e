import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as store from '../../functions/adapters/dynamo/direct-reports.ts';
import { keys } from '../../functions/adapters/dynamo/keys.ts';
import { queryAll } from '../../functions/adapters/dynamo/table.ts';
import { addDays, beijingDate, isoWeekOfInstant } from '../../functions/core/time.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

let t: TestStack;
let admin: Caller;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
});
afterAll(async () => {
  await t.stop();
});

interface Post {
  tid: string;
  vid: string;
  cid: string;
  cadre: Caller;
  assignmentId: string;
}

/** A township, a village and a cadre assigned to it (as a member unless told otherwise). */
async function post(role: 'chief' | 'member' = 'member', from?: string): Promise<Post> {
  const tid = uid('T');
  const vid = uid('V');
  const cid = uid('C');
  expect((await admin.post('/townships', { id: tid, name: '直报乡' })).status).toBe(201);
  expect(
    (await admin.post('/villages', { id: vid, name: '直报村', townshipId: tid, category: 'deep' })).status,
  ).toBe(201);
  expect(
    (await admin.post('/cadres', { id: cid, name: '王直报', unit: '县水务局', rank: 'staff' })).status,
  ).toBe(201);
  const assignment = await admin.post('/assignments', {
    cadreId: cid,
    villageId: vid,
    role,
    ...(from ? { from } : {}),
  });
  expect(assignment.status).toBe(201);
  return { tid, vid, cid, cadre: await t.as('cadre', cid), assignmentId: assignment.body.id };
}

const report = (villageId: string, extra: Record<string, unknown> = {}) => ({
  villageId,
  kind: 'resource_request',
  summary: '三组水窖见底，需要送水车',
  ...extra,
});

async function auditOf(id: string) {
  const res = await admin.get(`/audit?entityType=directReport&entityId=${id}`);
  expect(res.status).toBe(200);
  return res.body.items as {
    action: string;
    actor: string;
    routeKey: string;
    changes: Record<string, unknown>;
  }[];
}

const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((r) => r.id);

describe('POST /direct-reports', () => {
  it('files a report for a village the cadre is assigned to and answers 201 with the report', async () => {
    const p = await post();
    const res = await p.cadre.post(
      '/direct-reports',
      report(p.vid, {
        summary: '  三组水窖见底，需要送水车  ',
        details: '约 40 户、200 头牲畜饮水困难。',
        skipLevels: true,
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      cadreId: p.cid,
      villageId: p.vid,
      townshipId: p.tid,
      kind: 'resource_request',
      summary: '三组水窖见底，需要送水车',
      details: '约 40 户、200 头牲畜饮水困难。',
      skipLevels: true,
      status: 'new',
    });
    expect(res.body.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);

    const read = await p.cadre.get(`/direct-reports/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);

    const audit = await auditOf(res.body.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'create', actor: p.cid, routeKey: 'POST /direct-reports' });
  });

  it('defaults skipLevels to false and details to null', async () => {
    const p = await post('chief');
    const res = await p.cadre.post('/direct-reports', report(p.vid, { kind: 'emergency' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'emergency', skipLevels: false, details: null });
  });

  it('files the report under the ISO week it was made in, for the weekly evaluation', async () => {
    const p = await post();
    const res = await p.cadre.post('/direct-reports', report(p.vid));
    const week = isoWeekOfInstant(new Date(res.body.createdAt));
    const items = await queryAll({
      index: 'GSI4',
      partition: keys.week(week),
      sort: { beginsWith: 'DIRECT#' },
    });
    expect(items.map((i) => i.id)).toContain(res.body.id);
  });

  it('refuses (403) a village the cadre is not assigned to, and writes nothing', async () => {
    const p = await post();
    const other = await post();
    const res = await p.cadre.post('/direct-reports', report(other.vid));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect(ids(await admin.get(`/direct-reports?villageId=${other.vid}`))).toEqual([]);
  });

  it('refuses (403) a village whose assignment has ended', async () => {
    const p = await post();
    expect((await admin.post(`/assignments/${p.assignmentId}/end`, {})).status).toBe(200);
    expect((await p.cadre.post('/direct-reports', report(p.vid))).status).toBe(403);
  });

  it('refuses (403) a village whose assignment only starts later', async () => {
    const p = await post('member', addDays(beijingDate(new Date()), 7));
    expect((await p.cadre.post('/direct-reports', report(p.vid))).status).toBe(403);
  });

  it('refuses (400 UNKNOWN_REFERENCE) a village that does not exist', async () => {
    const p = await post();
    const res = await p.cadre.post('/direct-reports', report('NO-SUCH-VILLAGE'));
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([
      expect.objectContaining({ path: 'body.villageId', code: 'UNKNOWN_REFERENCE' }),
    ]);
  });

  it.each([
    ['missing summary', { summary: undefined }, 'body.summary', 'INVALID_TYPE'],
    ['blank summary', { summary: '   ' }, 'body.summary', 'TOO_SMALL'],
    ['summary past 200 characters', { summary: '水'.repeat(201) }, 'body.summary', 'TOO_BIG'],
    ['details past 2000 characters', { details: '水'.repeat(2001) }, 'body.details', 'TOO_BIG'],
    ['unknown kind', { kind: 'gossip' }, 'body.kind', 'INVALID_VALUE'],
    ['skipLevels as text', { skipLevels: 'yes' }, 'body.skipLevels', 'INVALID_TYPE'],
    ['unknown field', { priority: 'high' }, 'body.priority', 'UNKNOWN_FIELD'],
    ['bad village id', { villageId: 'a#b' }, 'body.villageId', 'INVALID_FORMAT'],
  ])('refuses a report with %s (400 with a Chinese field message)', async (_case, change, path, code) => {
    const p = await post();
    const res = await p.cadre.post('/direct-reports', report(p.vid, change));
    expect(res.status).toBe(400);
    const field = res.body.error.fields.find((f: { path: string }) => f.path === path);
    expect(field).toMatchObject({ code });
    expect(field.message).toMatch(/[\u4e00-\u9fff]/);
    expect(ids(await p.cadre.get('/direct-reports'))).toEqual([]);
  });

  it.each(['admin', 'inspector'] as const)(
    'refuses a %s (403): only cadres file direct reports',
    async (role) => {
      const p = await post();
      const caller = await t.as(role);
      expect((await caller.post('/direct-reports', report(p.vid))).status).toBe(403);
    },
  );

  it('files one report for a retried request with the same Idempotency-Key', async () => {
    const p = await post();
    const headers = { 'idempotency-key': uid('dr-key-') };
    const first = await p.cadre.post('/direct-reports', report(p.vid), headers);
    const again = await p.cadre.post('/direct-reports', report(p.vid), headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(ids(await p.cadre.get('/direct-reports'))).toEqual([first.body.id]);
  });
});

describe('POST /direct-reports/{id}/acknowledge', () => {
  it('records HQ’s acknowledgement and response time, once', async () => {
    const p = await post();
    const filed = await p.cadre.post('/direct-reports', report(p.vid));
    const res = await admin.post(`/direct-reports/${filed.body.id}/acknowledge`, {
      note: '  已安排送水车  ',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: filed.body.id,
      status: 'acknowledged',
      acknowledgedBy: admin.sub,
      acknowledgementNote: '已安排送水车',
      summary: filed.body.summary,
    });
    expect(Date.parse(res.body.acknowledgedAt)).toBeGreaterThanOrEqual(Date.parse(filed.body.createdAt));
    expect(Number.isInteger(res.body.responseMinutes)).toBe(true);
    expect(res.body.responseMinutes).toBeGreaterThanOrEqual(0);
    expect((await p.cadre.get(`/direct-reports/${filed.body.id}`)).body).toEqual(res.body);

    const second = await admin.post(`/direct-reports/${filed.body.id}/acknowledge`, {});
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('ALREADY_ACKNOWLEDGED');

    const audit = await auditOf(filed.body.id);
    expect(audit.map((a) => a.action)).toEqual(['acknowledge', 'create']);
    expect(audit[0]).toMatchObject({ actor: admin.sub, changes: { status: 'acknowledged' } });
  });

  it('accepts an acknowledgement without a body', async () => {
    const p = await post();
    const filed = await p.cadre.post('/direct-reports', report(p.vid));
    const res = await admin.send('POST', `/direct-reports/${filed.body.id}/acknowledge`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'acknowledged', acknowledgementNote: null });
  });

  it('lets only one of several concurrent acknowledgements through', async () => {
    const p = await post();
    const filed = await p.cadre.post('/direct-reports', report(p.vid));
    const admins = await Promise.all(Array.from({ length: 6 }, () => t.as('admin')));
    const results = await Promise.all(
      admins.map((a) => a.post(`/direct-reports/${filed.body.id}/acknowledge`, {})),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    expect((await auditOf(filed.body.id)).filter((a) => a.action === 'acknowledge')).toHaveLength(1);
  });

  it('files the acknowledgement under the ISO week it happened in', async () => {
    const p = await post();
    const filed = await p.cadre.post('/direct-reports', report(p.vid));
    const ack = await admin.post(`/direct-reports/${filed.body.id}/acknowledge`, {});
    const week = isoWeekOfInstant(new Date(ack.body.acknowledgedAt));
    const items = await queryAll({
      index: 'GSI4',
      partition: keys.week(week),
      sort: { beginsWith: 'DIRECTACK#' },
    });
    const event = items.find((i) => i.directReportId === filed.body.id);
    expect(event).toMatchObject({
      cadreId: p.cid,
      villageId: p.vid,
      townshipId: p.tid,
      acknowledgedAt: ack.body.acknowledgedAt,
      responseMinutes: ack.body.responseMinutes,
    });
  });

  it('answers 404 for a report that does not exist', async () => {
    const res = await admin.post('/direct-reports/NO-SUCH-REPORT/acknowledge', {});
    expect(res.status).toBe(404);
  });

  it('refuses a cadre (403), even for their own report', async () => {
    const p = await post();
    const filed = await p.cadre.post('/direct-reports', report(p.vid));
    expect((await p.cadre.post(`/direct-reports/${filed.body.id}/acknowledge`, {})).status).toBe(403);
    expect((await p.cadre.get(`/direct-reports/${filed.body.id}`)).body.status).toBe('new');
  });

  it('refuses a note past 2000 characters or an unknown field (400) and leaves the report new', async () => {
    const p = await post();
    const filed = await p.cadre.post('/direct-reports', report(p.vid));
    const long = await admin.post(`/direct-reports/${filed.body.id}/acknowledge`, {
      note: '好'.repeat(2001),
    });
    expect(long.status).toBe(400);
    expect(long.body.error.fields[0]).toMatchObject({ path: 'body.note', code: 'TOO_BIG' });
    const unknown = await admin.post(`/direct-reports/${filed.body.id}/acknowledge`, {
      status: 'acknowledged',
    });
    expect(unknown.status).toBe(400);
    expect((await admin.get(`/direct-reports/${filed.body.id}`)).body.status).toBe('new');
  });
});

describe('GET /direct-reports', () => {
  it('shows a cadre only their own reports, and refuses another cadre’s (403)', async () => {
    const a = await post();
    const b = await post();
    const mine = await a.cadre.post('/direct-reports', report(a.vid));
    const theirs = await b.cadre.post('/direct-reports', report(b.vid));

    expect(ids(await a.cadre.get('/direct-reports'))).toEqual([mine.body.id]);
    expect(ids(await a.cadre.get(`/direct-reports?cadreId=${a.cid}`))).toEqual([mine.body.id]);
    expect(ids(await a.cadre.get(`/direct-reports?villageId=${b.vid}`))).toEqual([]);
    expect((await a.cadre.get(`/direct-reports?cadreId=${b.cid}`)).status).toBe(403);
    expect((await a.cadre.get(`/direct-reports/${theirs.body.id}`)).status).toBe(403);
  });

  it('shows an admin everyone’s reports, newest first', async () => {
    const a = await post();
    const b = await post();
    const first = await a.cadre.post('/direct-reports', report(a.vid));
    const second = await b.cadre.post('/direct-reports', report(b.vid));
    const all = ids(await admin.get('/direct-reports?limit=100'));
    expect(all).toContain(first.body.id);
    expect(all.indexOf(second.body.id)).toBeLessThan(all.indexOf(first.body.id));
  });

  it('filters by kind, status, village, cadre and Beijing date range', async () => {
    const a = await post();
    const b = await post();
    const situation = await a.cadre.post('/direct-reports', report(a.vid, { kind: 'situation' }));
    const violation = await a.cadre.post('/direct-reports', report(a.vid, { kind: 'violation' }));
    const elsewhere = await b.cadre.post('/direct-reports', report(b.vid, { kind: 'violation' }));
    await admin.post(`/direct-reports/${violation.body.id}/acknowledge`, {});
    const today = beijingDate(new Date(situation.body.createdAt));

    const list = async (query: string) => {
      const res = await admin.get(`/direct-reports?${query}`);
      expect(res.status).toBe(200);
      return ids(res);
    };
    expect(await list(`villageId=${a.vid}`)).toEqual([violation.body.id, situation.body.id]);
    expect(await list(`cadreId=${a.cid}&kind=situation`)).toEqual([situation.body.id]);
    expect(await list(`villageId=${a.vid}&status=acknowledged`)).toEqual([violation.body.id]);
    expect(await list(`villageId=${a.vid}&status=new`)).toEqual([situation.body.id]);
    expect(await list(`cadreId=${b.cid}&villageId=${b.vid}&kind=violation`)).toEqual([elsewhere.body.id]);
    expect(await list(`cadreId=${b.cid}&villageId=${a.vid}`)).toEqual([]);
    expect(await list(`villageId=${a.vid}&from=${today}&to=${today}`)).toHaveLength(2);
    expect(await list(`villageId=${a.vid}&from=${today}`)).toHaveLength(2);
    expect(await list(`villageId=${a.vid}&to=${today}`)).toHaveLength(2);
    expect(await list(`villageId=${a.vid}&to=${addDays(today, -1)}`)).toEqual([]);
    expect(await list(`villageId=${a.vid}&from=${addDays(today, 1)}`)).toEqual([]);
  });

  it('pages with an opaque cursor', async () => {
    const p = await post();
    const filed: string[] = [];
    for (let i = 0; i < 5; i++)
      filed.push((await p.cadre.post('/direct-reports', report(p.vid, { summary: `第${i}条` }))).body.id);
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const res = await p.cadre.get(
        `/direct-reports?limit=2${next ? `&next=${encodeURIComponent(next)}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...ids(res));
      next = res.body.next;
    } while (next);
    expect(seen).toEqual([...filed].reverse());
  });

  it.each([
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['kind=gossip', 'query.kind'],
    ['status=done', 'query.status'],
    ['from=2026-02-30', 'query.from'],
    ['to=2026-11-24T00:00:00Z', 'query.to'],
    ['from=2026-11-25&to=2026-11-24', 'query.from'],
    ['colour=red', 'query.colour'],
  ])('refuses the query %s (400)', async (query, path) => {
    const res = await admin.get(`/direct-reports?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain(path);
  });

  it('refuses a forged cursor (400 INVALID_CURSOR)', async () => {
    const res = await admin.get('/direct-reports?next=bm90LWEtY3Vyc29y');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_CURSOR');
  });

  it('shows an inspector violation reports only, to verify them (another kind is 403; docs/quotas.md)', async () => {
    const inspector = await t.as('inspector');
    expect((await inspector.get('/direct-reports?kind=situation')).status).toBe(403);
    const res = await inspector.get('/direct-reports');
    expect(res.status).toBe(200);
    expect(res.body.items.filter((r: { kind: string }) => r.kind !== 'violation')).toEqual([]);
  });
});

describe('GET /direct-reports/{id}', () => {
  it('answers 404 for a report that does not exist', async () => {
    expect((await admin.get('/direct-reports/NO-SUCH-REPORT')).status).toBe(404);
  });

  it('lets an admin read any report', async () => {
    const p = await post();
    const filed = await p.cadre.post('/direct-reports', report(p.vid));
    expect((await admin.get(`/direct-reports/${filed.body.id}`)).body).toEqual(filed.body);
  });
});

describe('retries after a crash (data-access level)', () => {
  it('lands a repeated create with the same id on the stored report', async () => {
    const p = await post();
    const filed = await p.cadre.post('/direct-reports', report(p.vid));
    const retry = await store.createDirectReport({
      ...filed.body,
      createdAt: new Date().toISOString(),
      summary: '重试',
    });
    expect(retry).toEqual({ created: false, item: filed.body });
  });

  it('recognises its own stored acknowledgement by token, and anyone else’s as a conflict', async () => {
    const p = await post();
    const filed = await p.cadre.post('/direct-reports', report(p.vid));
    const ack = {
      at: new Date().toISOString(),
      by: 'hq',
      note: null,
      responseMinutes: 3,
      token: 'attempt-1',
    };
    expect((await store.acknowledgeDirectReport(filed.body.id, ack)).kind).toBe('acknowledged');
    const again = await store.acknowledgeDirectReport(filed.body.id, {
      ...ack,
      at: new Date().toISOString(),
    });
    expect(again).toMatchObject({ kind: 'repeat', item: { acknowledgedAt: ack.at, responseMinutes: 3 } });
    expect((await store.acknowledgeDirectReport(filed.body.id, { ...ack, token: 'attempt-2' })).kind).toBe(
      'already',
    );
    expect((await store.acknowledgeDirectReport(filed.body.id, { ...ack, token: undefined })).kind).toBe(
      'already',
    );
    expect((await store.acknowledgeDirectReport('NO-SUCH-REPORT', ack)).kind).toBe('missing');
  });

  it('keeps the internal retry token out of what the API returns', async () => {
    const p = await post();
    const filed = await p.cadre.post('/direct-reports', report(p.vid));
    const res = await admin.post(
      `/direct-reports/${filed.body.id}/acknowledge`,
      {},
      { 'idempotency-key': uid('ack-key-') },
    );
    expect(res.status).toBe(200);
    expect(res.body.ackToken).toBeUndefined();
    expect((await admin.get(`/direct-reports/${filed.body.id}`)).body.ackToken).toBeUndefined();
  });
});
