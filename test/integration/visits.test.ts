import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamo/keys.ts';
import { queryAll } from '../../functions/adapters/dynamo/table.ts';
import { readWorkbook } from '../../functions/background/xlsx.ts';
import { addDays, beijingDate, isoWeekOfInstant } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import { download, waitForTask } from '../support/background.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { signInPages } from '../support/pages.ts';

let t: TestStack;
let admin: Caller;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
});
afterAll(async () => {
  await t.stop();
});

/** The village's office, and a point about 10 km north of it. */
const HERE = { lat: 34.5, lng: 105.7 };
const FAR_AWAY = { lat: 34.59, lng: 105.7 };

interface Post {
  tid: string;
  vid: string;
  cid: string;
  cadre: Caller;
}

async function post(options: { location?: boolean; from?: string } = {}): Promise<Post> {
  const tid = uid('T');
  const vid = uid('V');
  const cid = uid('C');
  expect((await admin.post('/townships', { id: tid, name: '驻村乡' })).status).toBe(201);
  const village = await admin.post('/villages', {
    id: vid,
    name: '驻村村',
    townshipId: tid,
    category: 'deep',
    ...(options.location === false ? {} : { location: HERE }),
  });
  expect(village.status).toBe(201);
  expect(
    (
      await admin.post('/cadres', {
        id: cid,
        name: '李驻村',
        unit: '县农业农村局',
        rank: 'staff',
        townshipId: tid,
      })
    ).status,
  ).toBe(201);
  const assignment = await admin.post('/assignments', {
    cadreId: cid,
    villageId: vid,
    role: 'member',
    from: options.from ?? addDays(beijingDate(new Date()), -30),
  });
  expect(assignment.status).toBe(201);
  return { tid, vid, cid, cadre: await t.as('cadre', cid) };
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

async function visitsStored(vid: string) {
  return queryAll({ partition: keys.villageVisits(vid) });
}

describe('village location', () => {
  it('is kept on POST /villages and answered by GET', async () => {
    const p = await post();
    const res = await admin.get(`/villages/${p.vid}`);
    expect(res.status).toBe(200);
    expect(res.body.location).toEqual(HERE);
  });

  it.each([
    [{ lat: 91, lng: 100 }, 'body.location.lat', '纬度须在 -90 到 90 度之间'],
    [{ lat: 30, lng: -181 }, 'body.location.lng', '经度须在 -180 到 180 度之间'],
    [{ lat: '30', lng: 100 }, 'body.location.lat', '纬度须为数字'],
  ])('refuses %j with a Chinese field message and writes nothing', async (location, path, message) => {
    const tid = uid('T');
    expect((await admin.post('/townships', { id: tid, name: '坐标乡' })).status).toBe(201);
    const vid = uid('V');
    const res = await admin.post('/villages', {
      id: vid,
      name: '坐标村',
      townshipId: tid,
      category: 'non',
      location,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ path, message })]),
    );
    expect((await admin.get(`/villages/${vid}`)).status).toBe(404);
  });
});

describe('POST /visits', () => {
  it('records a visit near the village: 201 with the distance, not far', async () => {
    const p = await post();
    const at = hoursAgo(2);
    const res = await p.cadre.post('/visits', {
      villageId: p.vid,
      at,
      overnight: true,
      location: { lat: 34.501, lng: 105.701, accuracy: 30 },
      note: '  走访三组困难户  ',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      cadreId: p.cid,
      villageId: p.vid,
      townshipId: p.tid,
      at,
      date: beijingDate(new Date(at)),
      week: isoWeekOfInstant(new Date(at)),
      overnight: true,
      far: false,
      note: '走访三组困难户',
      photoIds: [],
    });
    expect(res.body.distanceMeters).toBeGreaterThan(100);
    expect(res.body.distanceMeters).toBeLessThan(200);
  });

  it('flags a visit recorded far from the village (beyond 3 km plus the accuracy)', async () => {
    const p = await post();
    const res = await p.cadre.post('/visits', {
      villageId: p.vid,
      at: hoursAgo(1),
      location: { ...FAR_AWAY, accuracy: 50 },
    });
    expect(res.status).toBe(201);
    expect(res.body.far).toBe(true);
    expect(res.body.distanceMeters).toBeGreaterThan(9000);
    expect(res.body.overnight).toBe(false);
  });

  it('gives a coarse fix the benefit of the doubt', async () => {
    const p = await post();
    const res = await p.cadre.post('/visits', {
      villageId: p.vid,
      at: hoursAgo(1),
      location: { ...FAR_AWAY, accuracy: 8000 },
    });
    expect(res.status).toBe(201);
    expect(res.body.far).toBe(false);
  });

  it('records without location, or for a village with no point: no distance, not far', async () => {
    const p = await post({ location: false });
    const located = await p.cadre.post('/visits', {
      villageId: p.vid,
      at: hoursAgo(3),
      location: { ...FAR_AWAY, accuracy: 10 },
    });
    expect(located.status).toBe(201);
    expect(located.body).toMatchObject({ distanceMeters: null, far: false });
    const bare = await p.cadre.post('/visits', { villageId: p.vid, at: hoursAgo(2) });
    expect(bare.status).toBe(201);
    expect(bare.body).toMatchObject({ location: null, distanceMeters: null, far: false });
  });

  it.each([
    [
      'in the future',
      () => new Date(Date.now() + 3_600_000).toISOString(),
      'VISIT_IN_FUTURE',
      '到村时间不能晚于现在',
    ],
    ['older than 7 days', () => hoursAgo(8 * 24), 'VISIT_TOO_OLD', '只能补记 7 天以内的驻村记录'],
  ])('refuses a time %s with a Chinese field message, writing nothing', async (_what, at, code, message) => {
    const p = await post();
    const res = await p.cadre.post('/visits', { villageId: p.vid, at: at() });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([{ path: 'body.at', code, message }]);
    expect(await visitsStored(p.vid)).toHaveLength(0);
  });

  it.each([
    [{ accuracy: -1 }, 'body.location.accuracy', '定位精度不能为负数'],
    [{ lat: 120 }, 'body.location.lat', '纬度须在 -90 到 90 度之间'],
  ])('refuses a bad location %j', async (change, path, message) => {
    const p = await post();
    const res = await p.cadre.post('/visits', {
      villageId: p.vid,
      at: hoursAgo(1),
      location: { lat: 34.5, lng: 105.7, accuracy: 20, ...change },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ path, message })]),
    );
    expect(JSON.stringify(res.body.error)).not.toMatch(/too_small|too_big|invalid_type/);
  });

  it('refuses an unknown village with 400 and a field message', async () => {
    const p = await post();
    const res = await p.cadre.post('/visits', { villageId: uid('V'), at: hoursAgo(1) });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([
      { path: 'body.villageId', code: 'UNKNOWN_REFERENCE', message: '村不存在' },
    ]);
  });

  it("refuses another cadre's village with 403 and writes nothing", async () => {
    const p = await post();
    const q = await post();
    const res = await q.cadre.post('/visits', { villageId: p.vid, at: hoursAgo(1) });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('只能记录本人当日在包的村');
    expect(await visitsStored(p.vid)).toHaveLength(0);
  });

  it('refuses a day before the assignment began (responsible on the day of the visit)', async () => {
    const today = beijingDate(new Date());
    const p = await post({ from: today });
    const res = await p.cadre.post('/visits', { villageId: p.vid, at: hoursAgo(48) });
    expect(res.status).toBe(403);
  });

  it.each(['admin', 'inspector'] as const)(
    'refuses the %s role with 403: only the cadre records',
    async (role) => {
      const p = await post();
      const other = await t.as(role);
      const res = await other.post('/visits', { villageId: p.vid, at: hoursAgo(1) });
      expect(res.status).toBe(403);
    },
  );

  it('stores one visit for a repeated Idempotency-Key and audits it without coordinates', async () => {
    const p = await post();
    const body = { villageId: p.vid, at: hoursAgo(1), location: { ...HERE, accuracy: 15 } };
    const key = `visit-${uid('k')}`;
    const first = await p.cadre.post('/visits', body, { 'Idempotency-Key': key });
    const again = await p.cadre.post('/visits', body, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(await visitsStored(p.vid)).toHaveLength(1);
    const audit = await admin.get(`/audit?entityType=visit&entityId=${first.body.id}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      action: 'create',
      changes: { villageId: p.vid, located: true, far: false, overnight: false },
    });
    expect(JSON.stringify(audit.body.items[0].changes)).not.toContain('34.5');
  });
});

describe('GET /visits and /visits/summary', () => {
  it('lists by cadre, village and township, newest first, with paging; a cadre only their own', async () => {
    const p = await post();
    const q = await post();
    for (const h of [5, 4, 3])
      expect((await p.cadre.post('/visits', { villageId: p.vid, at: hoursAgo(h) })).status).toBe(201);
    expect(
      (await q.cadre.post('/visits', { villageId: q.vid, at: hoursAgo(2), overnight: true })).status,
    ).toBe(201);

    const first = await admin.get(`/visits?cadreId=${p.cid}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0].at > first.body.items[1].at).toBe(true);
    const second = await admin.get(
      `/visits?cadreId=${p.cid}&limit=2&next=${encodeURIComponent(first.body.next)}`,
    );
    expect(second.body.items).toHaveLength(1);
    expect(second.body.next).toBeUndefined();

    expect(
      (await admin.get(`/visits?villageId=${q.vid}`)).body.items.map((v: { cadreId: string }) => v.cadreId),
    ).toEqual([q.cid]);
    expect((await admin.get(`/visits?townshipId=${p.tid}`)).body.items).toHaveLength(3);
    const inspector = await t.as('inspector');
    expect((await inspector.get(`/visits?villageId=${p.vid}`)).body.items).toHaveLength(3);

    const own = await p.cadre.get('/visits');
    expect(own.status).toBe(200);
    expect(own.body.items.every((v: { cadreId: string }) => v.cadreId === p.cid)).toBe(true);
    expect((await p.cadre.get(`/visits?cadreId=${q.cid}`)).status).toBe(403);
  });

  it('filters by Beijing dates', async () => {
    const p = await post();
    const old = hoursAgo(24 * 3);
    expect((await p.cadre.post('/visits', { villageId: p.vid, at: old })).status).toBe(201);
    expect((await p.cadre.post('/visits', { villageId: p.vid, at: hoursAgo(1) })).status).toBe(201);
    const day = beijingDate(new Date(old));
    const res = await admin.get(`/visits?villageId=${p.vid}&from=${day}&to=${day}`);
    expect(res.body.items.map((v: { at: string }) => v.at)).toEqual([old]);
    const bad = await admin.get(`/visits?from=${addDays(day, 1)}&to=${day}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].message).toBe('起始日期不能晚于结束日期');
  });

  it('sums visits and nights per cadre and per township', async () => {
    const p = await post();
    expect(
      (await p.cadre.post('/visits', { villageId: p.vid, at: hoursAgo(30), overnight: true })).status,
    ).toBe(201);
    expect((await p.cadre.post('/visits', { villageId: p.vid, at: hoursAgo(5) })).status).toBe(201);
    expect(
      (
        await p.cadre.post('/visits', {
          villageId: p.vid,
          at: hoursAgo(2),
          location: { ...FAR_AWAY, accuracy: 20 },
        })
      ).status,
    ).toBe(201);
    const own = await p.cadre.get('/visits/summary');
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      visits: 3,
      nights: 1,
      far: 1,
      villages: 1,
      cadres: 1,
      cadresWithNight: 1,
    });
    expect(own.body.to).toBe(beijingDate(new Date()));
    const township = await admin.get(`/visits/summary?townshipId=${p.tid}`);
    expect(township.body).toMatchObject({ visits: 3, nights: 1 });
    expect((await p.cadre.get(`/visits/summary?townshipId=${p.tid}`)).status).toBe(403);
    const q = await post();
    expect((await q.cadre.get(`/visits/summary?cadreId=${p.cid}`)).status).toBe(403);
    const long = await admin.get(`/visits/summary?cadreId=${p.cid}&from=2026-01-01&to=2026-06-30`);
    expect(long.status).toBe(400);
    expect(long.body.error.fields[0]).toMatchObject({ code: 'RANGE_TOO_LONG' });
  });
});

describe('visits in the pages and exports', () => {
  it('exports the visits list (filtered by township) with the far flag, and the cadre standing shows the totals', async () => {
    const p = await post();
    expect(
      (
        await p.cadre.post('/visits', {
          villageId: p.vid,
          at: hoursAgo(4),
          overnight: true,
          note: '夜宿村委会',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await p.cadre.post('/visits', {
          villageId: p.vid,
          at: hoursAgo(2),
          location: { ...FAR_AWAY, accuracy: 20 },
        })
      ).status,
    ).toBe(201);

    const hq = await signInPages(t.url, 'hq-admin', 'admin');
    const res = await hq.post('/app/admin/exports', { list: 'visits', townshipId: p.tid });
    expect(res.status, res.text.slice(0, 300)).toBe(303);
    const task = await waitForTask(hq, res.location!);
    expect(task.status).toBe('succeeded');
    const file = await download(t.url, hq, `${res.location}/download`);
    const [sheet] = await readWorkbook(file.bytes);
    expect(sheet!.name).toBe('驻村记录');
    expect(sheet!.rows[0]!.cells).toEqual([
      '到村时间',
      '干部编号',
      '干部姓名',
      '乡镇',
      '村',
      '在村住宿',
      '距本村（米）',
      '定位精度（米）',
      '远离本村',
      '备注',
      '记录时间',
    ]);
    const rows = sheet!.rows.slice(1).map((r) => r.cells);
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => [r[1], r[2], r[3], r[4], r[5], r[8], r[9]])).toEqual([
      [p.cid, '李驻村', '驻村乡', '驻村村', '否', '是', ''],
      [p.cid, '李驻村', '驻村乡', '驻村村', '是', '', '夜宿村委会'],
    ]);

    const cadrePages = await signInPages(t.url, p.cid, 'cadre');
    const standing = await cadrePages.get('/app/cadre/standing');
    expect(standing.status).toBe(200);
    expect(standing.text).toMatch(/data-standing-visits>2</);
    expect(standing.text).toMatch(/data-standing-nights>1</);
  });
});

describe('visits in the weekly evaluation', () => {
  it("reads the week's visits (GSI4) into the township's effectiveness figures", async () => {
    const p = await post();
    const now = new Date();
    const at = new Date(now.getTime() - 60_000).toISOString();
    expect((await p.cadre.post('/visits', { villageId: p.vid, at, overnight: true })).status).toBe(201);
    const week = isoWeekOfInstant(new Date(at));
    const run = await evaluateAndStoreWeek(week, { now });
    const township = run.evaluation.effectiveness.townships.find((x) => x.townshipId === p.tid);
    expect(township?.current.visits).toMatchObject({
      count: 1,
      nights: 1,
      cadres: 1,
      cadresWithNight: 1,
      nightShare: 1,
    });
    expect(run.evaluation.effectiveness.county.current.visits?.count).toBeGreaterThanOrEqual(1);
    // Rule set version 1 sets no weekly minimum: no cadre is short.
    expect(run.evaluation.cadres.flatMap((c) => c.reasons).some((r) => r.kind === 'visitShortfall')).toBe(
      false,
    );
  });
});

describe('photos on visits', () => {
  async function uploadPhoto(who: Caller, purpose: 'visit' | 'rectification') {
    const bytes = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a7' } })
      .jpeg()
      .toBuffer();
    const res = await who.post('/uploads', { purpose, contentType: 'image/jpeg', size: bytes.length });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const put = await fetch(new URL(res.body.uploadUrl, t.url), {
      method: 'PUT',
      headers: res.body.headers,
      body: bytes,
    });
    expect(put.status).toBe(200);
    return res.body.id as string;
  }

  it('claims the uploaded photos for the visit, once', async () => {
    const p = await post();
    const photo = await uploadPhoto(p.cadre, 'visit');
    const body = { villageId: p.vid, at: hoursAgo(1), photoIds: [photo] };
    const key = `visit-photo-${uid('k')}`;
    const first = await p.cadre.post('/visits', body, { 'Idempotency-Key': key });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.photoIds).toEqual([photo]);
    // The same photo on another visit is refused, and nothing is written.
    const again = await p.cadre.post('/visits', { ...body, at: hoursAgo(2) });
    expect(again.status).toBe(400);
    expect(await visitsStored(p.vid)).toHaveLength(1);
  });

  it("refuses another cadre's photo or a photo for another purpose, writing nothing", async () => {
    const p = await post();
    const q = await post();
    const theirs = await uploadPhoto(q.cadre, 'visit');
    const wrongPurpose = await uploadPhoto(p.cadre, 'rectification');
    const res = await p.cadre.post('/visits', {
      villageId: p.vid,
      at: hoursAgo(1),
      photoIds: [theirs, wrongPurpose],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toEqual([
      'body.photoIds.0',
      'body.photoIds.1',
    ]);
    for (const f of res.body.error.fields) expect(f.message).toMatch(/[\u4e00-\u9fff]/);
    expect(await visitsStored(p.vid)).toHaveLength(0);
  });
});
