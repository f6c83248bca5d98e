import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { OUTSIDE_SCOPE } from '../../functions/routes/scope.ts';
import { createAll } from '../support/county.ts';
import { runJobNow } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * The reach of the `township` and `leader` roles on the records beyond the roster and the board:
 * photos, inspections, visits, documents, self-criticism meetings, trainings and a cadre's profile.
 * Two townships, A and B, each with a cadre of three problems (one pictured; a talk notice issued
 * with approval off), a cadre of one problem (self-criticism tier) and a visit with a photo. A's
 * staff and A's county leader read A's records (200) and never B's (403 in plain Chinese); lists
 * are cut to A; a leader covering both must name one.
 */
process.env.PDF_RENDERER = 'off';

let t: TestStack;
let admin: Caller;
let inspector: Caller;
let staffA: Caller;
let leaderA: Caller;
let leaderAB: Caller;

const today = beijingDate(new Date());
const lastWeek = isoWeekOf(addDays(today, -7));
type Side = Record<string, string>;
const side = (tag: string): Side => ({
  township: uid(`T${tag}`),
  village: uid(`V${tag}`),
  cadre: uid(`C${tag}`),
  light: uid(`L${tag}`),
});
const A = side('A');
const B = side('B');
const LEADER_A = uid('LDA');
const LEADER_AB = uid('LDB');
const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((i) => i.id);

async function jpeg(): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a7' } })
    .jpeg()
    .toBuffer();
}

async function upload(who: Caller, purpose: 'problem' | 'visit'): Promise<string> {
  const bytes = await jpeg();
  const res = await who.post('/uploads', { purpose, contentType: 'image/jpeg', size: bytes.length });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const put = await fetch(new URL(res.body.uploadUrl, t.url), {
    method: 'PUT',
    headers: res.body.headers,
    body: bytes,
  });
  expect(put.status).toBe(200);
  return res.body.id;
}

async function seedSide(s: Side, name: string) {
  await createAll(admin, [
    ['/townships', { id: s.township, name: `${name}乡` }],
    ['/villages', { id: s.village, name: `${name}村`, townshipId: s.township, category: 'general' }],
    ['/cadres', { id: s.cadre, name: `${name}甲`, unit: '县水务局', rank: 'staff', townshipId: s.township }],
    ['/cadres', { id: s.light, name: `${name}乙`, unit: '县交通局', rank: 'staff', townshipId: s.township }],
    ['/assignments', { cadreId: s.cadre, villageId: s.village, role: 'chief', from: addDays(today, -30) }],
    ['/assignments', { cadreId: s.light, villageId: s.village, role: 'member', from: addDays(today, -30) }],
  ]);
  s.problemPhoto = await upload(inspector, 'problem');
  const inspection = await inspector.post('/inspections', {
    villageId: s.village,
    date: weekBounds(lastWeek).monday,
    mode: 'open',
    findings: [
      {
        cadreId: s.cadre,
        present: true,
        problems: [
          { description: `${name}台账缺失`, severity: 'minor', photoIds: [s.problemPhoto] },
          { description: `${name}村道垃圾`, severity: 'minor' },
          { description: `${name}公示栏过期`, severity: 'minor' },
        ],
      },
      { cadreId: s.light, present: true, problems: [{ description: `${name}记录不全`, severity: 'minor' }] },
    ],
  });
  expect(inspection.status, JSON.stringify(inspection.body)).toBe(201);
  s.inspection = inspection.body.id;
  const cadre = await t.as('cadre', s.cadre);
  s.visitPhoto = await upload(cadre, 'visit');
  const visit = await cadre.post('/visits', {
    villageId: s.village,
    at: new Date(Date.now() - 3_600_000).toISOString(),
    photoIds: [s.visitPhoto],
  });
  expect(visit.status, JSON.stringify(visit.body)).toBe(201);
  s.visit = visit.body.id;
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  await seedSide(A, '甲');
  await seedSide(B, '乙');
  await createAll(admin, [
    ['/cadres', { id: LEADER_A, name: '钱县长', unit: '县政府', rank: 'county', townshipId: A.township }],
    ['/cadres', { id: LEADER_AB, name: '孙县长', unit: '县政府', rank: 'county', townshipId: A.township }],
    [`/townships/${A.township}/leaders`, { cadreId: LEADER_A, from: addDays(today, -30) }],
    [`/townships/${A.township}/leaders`, { cadreId: LEADER_AB, from: addDays(today, -30) }],
    [`/townships/${B.township}/leaders`, { cadreId: LEADER_AB, from: addDays(today, -30) }],
  ]);
  // Approval off: the weekly job issues the talk notices at once (documents about A's and B's cadres).
  const setting = await admin.send(
    'PUT',
    '/settings/talks',
    JSON.stringify({ approvalRequired: false, holdWithinDays: 7 }),
    { 'content-type': 'application/json' },
  );
  expect(setting.status, JSON.stringify(setting.body)).toBe(200);
  expect(await runJobNow(admin, 'weekly-bulletin', { week: lastWeek })).toMatchObject({
    status: 'succeeded',
  });
  for (const s of [A, B]) {
    const notices = await admin.get(`/notices?cadreId=${s.cadre}`);
    expect(notices.body.items.length, JSON.stringify(notices.body)).toBeGreaterThan(0);
    s.notice = notices.body.items[0].id;
  }
  const meeting = await admin.post('/self-criticism-meetings', {
    date: today,
    week: lastWeek,
    attendeeIds: [],
    speakerIds: [A.light, B.light],
  });
  expect(meeting.status, JSON.stringify(meeting.body)).toBe(201);
  A.meeting = meeting.body.id;
  const training = await admin.post('/trainings', { title: '干部营养餐第一期', date: today, week: lastWeek });
  expect(training.status, JSON.stringify(training.body)).toBe(201);
  A.training = training.body.id;
  for (const cadreId of [A.light, B.light]) {
    const mark = await admin.post(`/trainings/${A.training}/attendance`, {
      cadreId,
      attended: true,
      completed: true,
    });
    expect(mark.status, JSON.stringify(mark.body)).toBe(200);
  }
  staffA = await t.as('township', 'staff-a', { townshipId: A.township });
  leaderA = await t.as('leader', LEADER_A);
  leaderAB = await t.as('leader', LEADER_AB);
}, 180_000);
afterAll(async () => {
  await t.stop();
});

const READERS = ['township staff', 'county leader'] as const;
const reader = (who: (typeof READERS)[number]) => (who === 'township staff' ? staffA : leaderA);

describe('records of their own township: 200; another township’s: 403 in plain Chinese', () => {
  const own = (s: Side) => [
    `/photos/${s.problemPhoto}`,
    `/photos/${s.problemPhoto}/thumbnail`,
    `/photos/${s.visitPhoto}`,
    `/photos/${s.visitPhoto}/thumbnail`,
    `/inspections/${s.inspection}`,
    `/notices/${s.notice}/download?format=html`,
    `/notices?cadreId=${s.cadre}`,
    `/visits/summary?cadreId=${s.cadre}`,
    `/trainings?cadreId=${s.light}`,
    `/self-criticism-meetings?cadreId=${s.light}`,
    `/cadres/${s.cadre}/profile`,
  ];

  it.each(READERS)('%s reads their township’s photos, inspections, documents, visits', async (who) => {
    for (const path of own(A)) {
      const res = await reader(who).get(path);
      expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(200);
    }
  });

  it.each(READERS)('%s is refused the other township’s', async (who) => {
    for (const path of own(B)) {
      const res = await reader(who).get(path);
      expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(403);
      if (res.body?.error) {
        expect(res.body.error.code).toBe('FORBIDDEN');
        expect(res.body.error.message).toMatch(/[\u4e00-\u9fff]/);
        expect(res.body.error.message).not.toMatch(/[A-Za-z_]{4,}/);
      }
    }
    const photo = await reader(who).get(`/photos/${B.problemPhoto}`);
    expect(photo.body.error.message).toBe(OUTSIDE_SCOPE);
  });

  it('serves the photo itself to the township reader (a JPEG)', async () => {
    const res = await staffA.send('GET', `/photos/${A.problemPhoto}/thumbnail`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
  });
});

describe('lists are cut to the reader’s township', () => {
  it('inspections and visits: only A’s; naming B or a village of B is 403', async () => {
    for (const who of READERS) {
      expect(ids(await reader(who).get('/inspections'))).toEqual([A.inspection]);
      expect(ids(await reader(who).get('/visits'))).toEqual([A.visit]);
      expect(ids(await reader(who).get(`/visits?cadreId=${B.cadre}`))).toEqual([]);
      for (const path of [
        `/inspections?townshipId=${B.township}`,
        `/inspections?villageId=${B.village}`,
        `/visits?townshipId=${B.township}`,
        `/visits?villageId=${B.village}`,
        `/visits/summary?townshipId=${B.township}`,
      ]) {
        const res = await reader(who).get(path);
        expect(res.status, path).toBe(403);
        expect(res.body.error.message).toBe(OUTSIDE_SCOPE);
      }
    }
    const summary = await staffA.get('/visits/summary');
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({ visits: 1, cadres: 1 });
  });

  it('documents are read cadre by cadre: without a cadre a 400 naming the field', async () => {
    const res = await staffA.get('/notices');
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([
      expect.objectContaining({
        path: 'query.cadreId',
        code: 'CADRE_REQUIRED',
        message: '请选择所辖乡镇的干部后查看文书',
      }),
    ]);
    const own = await staffA.get(`/notices?cadreId=${A.cadre}`);
    expect(ids(own)).toContain(A.notice);
  });

  it('a meeting and a training show only the reader’s township’s cadres', async () => {
    const meetings = await staffA.get('/self-criticism-meetings');
    expect(meetings.status).toBe(200);
    expect(meetings.body.items).toHaveLength(1);
    expect(meetings.body.items[0].attendeeIds).toEqual([A.light]);
    expect(meetings.body.items[0].speakerIds).toEqual([A.light]);
    const meeting = await staffA.get(`/self-criticism-meetings/${A.meeting}`);
    expect(meeting.status).toBe(200);
    expect(meeting.body.attendees.map((p: { cadreId: string }) => p.cadreId)).toEqual([A.light]);
    const full = await admin.get(`/self-criticism-meetings/${A.meeting}`);
    expect(full.body.attendeeIds.sort()).toEqual([A.light, B.light].sort());

    const training = await leaderA.get(`/trainings/${A.training}`);
    expect(training.status).toBe(200);
    const roster = training.body.roster.map((r: { cadreId: string }) => r.cadreId);
    expect(roster).toContain(A.light);
    expect(roster).not.toContain(B.light);
    expect(roster).not.toContain(B.cadre);
    expect(training.body.counts.roster).toBe(roster.length);
    expect(ids(await staffA.get('/trainings'))).toEqual([A.training]);
  });

  it('a cadre’s profile read by the township shows only its township’s work', async () => {
    // B's cadre, assigned in A as well: the profile shows the A side only.
    const extra = await admin.post('/assignments', {
      cadreId: B.light,
      villageId: A.village,
      role: 'member',
      from: addDays(today, -2),
    });
    expect(extra.status, JSON.stringify(extra.body)).toBe(201);
    const res = await staffA.get(`/cadres/${B.light}/profile`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.assignments.map((a: { villageId: string }) => a.villageId)).toEqual([A.village]);
    expect(res.body.problems).toEqual([]);
    const hq = await admin.get(`/cadres/${B.light}/profile`);
    expect(hq.body.assignments).toHaveLength(2);
    expect(hq.body.problems).toHaveLength(1);
  });

  it('a leader covering two townships names one; either is theirs', async () => {
    for (const path of ['/inspections', '/visits']) {
      const res = await leaderAB.get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.fields[0]).toMatchObject({ path: 'query.townshipId', code: 'TOWNSHIP_REQUIRED' });
    }
    expect(ids(await leaderAB.get(`/inspections?townshipId=${B.township}`))).toEqual([B.inspection]);
    expect((await leaderAB.get(`/photos/${B.visitPhoto}`)).status).toBe(200);
    expect((await leaderAB.get(`/photos/${A.problemPhoto}`)).status).toBe(200);
  });
});
