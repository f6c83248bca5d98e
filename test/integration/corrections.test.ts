import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import {
  type ApiResponse,
  type Caller,
  startTestStack,
  type TestStack,
  uid,
} from '../support/local-stack.ts';
import { signInPages } from '../support/pages.ts';

/**
 * Corrections to the roster (PATCH /townships|villages|cadres/{id}) with If-Match: versions and
 * ETags on reads, 428 without If-Match, 412 when stale (concurrent corrections: exactly one wins),
 * before and after in the audit trail, and a rename showing in the lists and on HQ's board.
 */
let t: TestStack;
let admin: Caller;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
});
afterAll(async () => {
  await t.stop();
});

function patch(who: Caller, path: string, body: unknown, ifMatch?: string): Promise<ApiResponse> {
  return who.send('PATCH', path, JSON.stringify(body), {
    'content-type': 'application/json',
    ...(ifMatch !== undefined ? { 'if-match': ifMatch } : {}),
  });
}

async function county() {
  const tid = uid('T');
  const vid = uid('V');
  const cid = uid('C');
  expect((await admin.post('/townships', { id: tid, name: '东山乡' })).status).toBe(201);
  expect(
    (await admin.post('/villages', { id: vid, name: '青石村', townshipId: tid, category: 'deep' })).status,
  ).toBe(201);
  expect(
    (
      await admin.post('/cadres', {
        id: cid,
        name: '赵红',
        unit: '县水务局',
        rank: 'section',
        townshipId: tid,
        phone: '13800000000',
      })
    ).status,
  ).toBe(201);
  return { tid, vid, cid };
}

describe('versions on reads', () => {
  it('answers version 1 and ETag "1" for a new record, in the record and the lists', async () => {
    const { tid, vid, cid } = await county();
    for (const path of [`/townships/${tid}`, `/villages/${vid}`, `/cadres/${cid}`]) {
      const res = await admin.get(path);
      expect(res.body.version, path).toBe(1);
      expect(res.headers.get('etag'), path).toBe('"1"');
    }
    const list = await admin.get(`/villages?townshipId=${tid}`);
    expect(list.body.items[0].version).toBe(1);
  });
});

describe('PATCH with If-Match', () => {
  it('renames a village: 200 with version 2 and the new ETag; the old version is then stale (412)', async () => {
    const { vid } = await county();
    const res = await patch(
      admin,
      `/villages/${vid}`,
      { name: '  青石新村 ', category: '一般贫困村' },
      '"1"',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: vid,
      name: '青石新村',
      category: 'general',
      categoryLabel: '一般贫困村',
      version: 2,
    });
    expect(res.headers.get('etag')).toBe('"2"');
    expect((await admin.get(`/villages/${vid}`)).body).toMatchObject({ name: '青石新村', version: 2 });

    const stale = await patch(admin, `/villages/${vid}`, { name: '旧版本' }, '"1"');
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
    expect(stale.body.error.message).toContain('已被他人修改');
    expect(stale.body.error.message).toContain('第 2 版');
    expect((await admin.get(`/villages/${vid}`)).body.name).toBe('青石新村');
  });

  it.each([
    ['"1"', 200],
    ['1', 200],
    ['W/"1"', 200],
  ])('accepts If-Match %s', async (ifMatch, status) => {
    const { tid } = await county();
    expect((await patch(admin, `/townships/${tid}`, { name: '西河镇' }, ifMatch)).status).toBe(status);
  });

  it('refuses a correction without If-Match with 428 PRECONDITION_REQUIRED and writes nothing', async () => {
    const { tid } = await county();
    const res = await patch(admin, `/townships/${tid}`, { name: '西河镇' });
    expect(res.status).toBe(428);
    expect(res.body.error.code).toBe('PRECONDITION_REQUIRED');
    expect(res.body.error.message).toMatch(/版本/);
    expect((await admin.get(`/townships/${tid}`)).body).toMatchObject({ name: '东山乡', version: 1 });
  });

  it.each(['*', '"abc"', '"1", "2"', '0'])(
    'refuses If-Match %s with 400 INVALID_IF_MATCH',
    async (ifMatch) => {
      const { tid } = await county();
      const res = await patch(admin, `/townships/${tid}`, { name: '西河镇' }, ifMatch);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_IF_MATCH');
    },
  );

  it('refuses an empty correction (400 EMPTY_PATCH) and bad fields with Chinese field messages', async () => {
    const { vid, cid } = await county();
    const empty = await patch(admin, `/villages/${vid}`, {}, '"1"');
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields[0]).toMatchObject({ path: 'body', code: 'EMPTY_PATCH' });

    const bad = await patch(admin, `/cadres/${cid}`, { name: '', phone: '123', email: 'x' }, '"1"');
    expect(bad.status).toBe(400);
    const byPath = Object.fromEntries(
      bad.body.error.fields.map((f: { path: string; message: string }) => [f.path, f.message]),
    );
    expect(byPath['body.name']).toBe('不能为空');
    expect(byPath['body.phone']).toMatch(/电话号码格式不正确/);
    expect(byPath['body.email']).toMatch(/电子邮箱格式不正确/);
    for (const message of Object.values(byPath)) expect(message).not.toMatch(/[A-Za-z_]{4,}/);

    const township = await patch(admin, `/villages/${vid}`, { townshipId: 'T-OTHER' }, '"1"');
    expect(township.status).toBe(400);
    expect(township.body.error.fields[0].path).toBe('body.townshipId');

    const unknown = await patch(admin, `/cadres/${cid}`, { townshipId: 'NO-SUCH-TOWNSHIP' }, '"1"');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields[0]).toMatchObject({
      path: 'body.townshipId',
      code: 'UNKNOWN_REFERENCE',
    });
    expect((await admin.get(`/cadres/${cid}`)).body.version).toBe(1);
  });

  it('answers 404 for an unknown record', async () => {
    expect((await patch(admin, '/villages/NO-SUCH-VILLAGE', { name: '某村' }, '"1"')).status).toBe(404);
  });

  it('corrects a cadre: rank by its Chinese label, contact details set and cleared with null', async () => {
    const { cid } = await county();
    const res = await patch(
      admin,
      `/cadres/${cid}`,
      { rank: '股级', phone: null, email: 'zhao@example.cn', townshipId: null },
      '"1"',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      rank: 'staff',
      rankLabel: '股级',
      email: 'zhao@example.cn',
      version: 2,
    });
    expect(res.body.phone).toBeUndefined();
    expect(res.body.townshipId).toBeUndefined();
  });

  it('sets a village’s location and clears it with null; its profile is replaced as a whole', async () => {
    const { vid } = await county();
    const set = await patch(
      admin,
      `/villages/${vid}`,
      { location: { lat: 26.58, lng: 106.72 }, profile: { households: 300 } },
      '"1"',
    );
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ location: { lat: 26.58, lng: 106.72 }, profile: { households: 300 } });
    const cleared = await patch(admin, `/villages/${vid}`, { location: null }, '"2"');
    expect(cleared.status).toBe(200);
    expect(cleared.body.location).toBeUndefined();
    expect(cleared.body.version).toBe(3);
    const bad = await patch(admin, `/villages/${vid}`, { location: { lat: 91, lng: 0 } }, '"3"');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('body.location.lat');
  });

  it('answers a correction that changes nothing with the record as it is: no new version, no audit entry', async () => {
    const { tid } = await county();
    const res = await patch(admin, `/townships/${tid}`, { name: '东山乡' }, '"1"');
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(1);
    const audit = await admin.get(`/audit?entityType=township&entityId=${tid}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['create']);
  });

  it('lets exactly one of several concurrent corrections from the same version win', async () => {
    const { vid } = await county();
    const names = ['甲村', '乙村', '丙村', '丁村', '戊村'];
    const answers = await Promise.all(names.map((name) => patch(admin, `/villages/${vid}`, { name }, '"1"')));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 412, 412, 412, 412]);
    const winner = answers.find((a) => a.status === 200)?.body;
    const stored = (await admin.get(`/villages/${vid}`)).body;
    expect(stored).toMatchObject({ name: winner.name, version: 2 });
    const audit = await admin.get(`/audit?entityType=village&entityId=${vid}`);
    expect(audit.body.items.filter((e: { action: string }) => e.action === 'update')).toHaveLength(1);
  });

  it('audits who, when, and before and after of the changed fields (contact details redacted)', async () => {
    const { cid } = await county();
    expect(
      (await patch(admin, `/cadres/${cid}`, { name: '赵宏', phone: '13900000000', unit: '县水务局' }, '"1"'))
        .status,
    ).toBe(200);
    const audit = await admin.get(`/audit?entityType=cadre&entityId=${cid}`);
    const update = audit.body.items.find((e: { action: string }) => e.action === 'update');
    expect(update).toMatchObject({
      actor: admin.sub,
      routeKey: 'PATCH /cadres/{id}',
      changes: {
        before: { name: '赵红', phone: '[set]' },
        after: { name: '赵宏', phone: '[set]' },
        version: 2,
      },
    });
    expect(update.changes.before.unit).toBeUndefined();
    expect(typeof update.at).toBe('string');
    expect(JSON.stringify(update)).not.toContain('13900000000');
  });

  it.each(['inspector', 'cadre'] as const)('refuses a %s (403) and writes nothing', async (role) => {
    const { vid } = await county();
    const who = await t.as(role);
    const res = await patch(who, `/villages/${vid}`, { name: '冒名村' }, '"1"');
    expect(res.status).toBe(403);
    expect((await admin.get(`/villages/${vid}`)).body).toMatchObject({ name: '青石村', version: 1 });
  });

  it('replays a retried correction with the same Idempotency-Key instead of answering 412', async () => {
    const { tid } = await county();
    const send = () =>
      admin.send('PATCH', `/townships/${tid}`, JSON.stringify({ name: '南岭乡' }), {
        'content-type': 'application/json',
        'if-match': '"1"',
        'idempotency-key': `fix-${tid}`,
      });
    const first = await send();
    const again = await send();
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual(first.body);
    expect((await admin.get(`/townships/${tid}`)).body.version).toBe(2);
  });
});

describe('a rename shows everywhere names are read', () => {
  it('shows the new village and cadre names in the lists and on the board', async () => {
    const { tid, vid, cid } = await county();
    const inspector = await t.as('inspector');
    expect((await admin.post('/assignments', { cadreId: cid, villageId: vid, role: 'chief' })).status).toBe(
      201,
    );
    const inspection = await inspector.post('/inspections', {
      villageId: vid,
      date: beijingDate(new Date()),
      mode: 'open',
      findings: [
        {
          cadreId: cid,
          present: true,
          problems: [{ description: '水窖未清淤', severity: 'severe', rectifyBy: beijingDate(new Date()) }],
        },
      ],
    });
    expect(inspection.status).toBe(201);
    await evaluateAndStoreWeek(isoWeekOf(beijingDate(new Date())), { now: new Date() });

    const pages = await signInPages(t.url, admin.sub, 'admin');
    const before = await pages.get(`/app/admin/board?townshipId=${tid}`);
    expect(before.status).toBe(200);
    expect(before.text).toContain('青石村');

    const village = await admin.get(`/villages/${vid}`);
    expect(
      (await patch(admin, `/villages/${vid}`, { name: '青石新村' }, village.headers.get('etag') ?? ''))
        .status,
    ).toBe(200);
    expect((await patch(admin, `/cadres/${cid}`, { name: '赵宏' }, '"1"')).status).toBe(200);
    expect((await patch(admin, `/townships/${tid}`, { name: '东山镇' }, '"1"')).status).toBe(200);

    const list = await admin.get(`/villages?townshipId=${tid}`);
    expect(list.body.items.map((v: { name: string }) => v.name)).toEqual(['青石新村']);
    const board = await pages.get(`/app/admin/board?townshipId=${tid}`);
    expect(board.text).toContain('青石新村');
    expect(board.text).toContain('赵宏');
    expect(board.text).toContain('东山镇');
    expect(board.text).not.toContain('青石村<');
  });
});
