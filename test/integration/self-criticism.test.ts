import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamo/keys.ts';
import { queryAll } from '../../functions/adapters/dynamo/table.ts';
import { weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import { createAll } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * 检讨发言会: HQ records the meeting for last week's self-criticism tier. Speakers must have been in
 * that tier in the week the meeting answers for; bad input is refused field by field, nothing
 * written; retries with the same key record one meeting; cadres read only the meetings they attended.
 */
let t: TestStack;
let admin: Caller;
let inspector: Caller;

const today = beijingDate(new Date());
const lastWeek = isoWeekOf(addDays(today, -7));
const township = uid('T');
const village = uid('V');
const light = uid('C'); // one problem last week: self-criticism
const heavy = uid('C'); // three problems: reminder talk
const clean = uid('C'); // nothing
let lightCaller: Caller;
let cleanCaller: Caller;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  await createAll(admin, [
    ['/townships', { id: township, name: '检讨乡' }],
    ['/villages', { id: village, name: '检讨村', townshipId: township, category: 'general' }],
    ['/cadres', { id: light, name: '赵轻', unit: '县林业局', rank: 'staff', townshipId: township }],
    ['/cadres', { id: heavy, name: '钱重', unit: '县水务局', rank: 'section', townshipId: township }],
    ['/cadres', { id: clean, name: '孙净', unit: '县教育局', rank: 'general', townshipId: township }],
    ['/assignments', { cadreId: heavy, villageId: village, role: 'chief', from: addDays(today, -30) }],
    ['/assignments', { cadreId: light, villageId: village, role: 'member', from: addDays(today, -30) }],
    ['/assignments', { cadreId: clean, villageId: village, role: 'member', from: addDays(today, -30) }],
  ]);
  const problems = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ description: `水窖未清理${i + 1}`, severity: 'minor' }));
  const inspection = await inspector.post('/inspections', {
    villageId: village,
    date: addDays(weekBounds(lastWeek).monday, 1),
    mode: 'open',
    findings: [
      { cadreId: light, presence: 'present', problems: problems(1) },
      { cadreId: heavy, presence: 'present', problems: problems(3) },
      { cadreId: clean, presence: 'present', problems: [] },
    ],
  });
  expect(inspection.status).toBe(201);
  await evaluateAndStoreWeek(lastWeek, { now: new Date() });
  lightCaller = await t.as('cadre', light);
  cleanCaller = await t.as('cadre', clean);
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('POST /self-criticism-meetings', () => {
  let meetingId = '';
  /** Last week's meeting: the same request each time, under one Idempotency-Key. */
  const recordMeeting = () =>
    admin.post(
      '/self-criticism-meetings',
      {
        date: today,
        place: '乡政府三楼会议室',
        attendeeIds: [heavy],
        speakerIds: [light],
        notes: '逐一表态',
      },
      { 'Idempotency-Key': `scm-${light}` },
    );

  it('records a meeting of last week’s self-criticism tier, speakers counted as attendees, audited', async () => {
    const res = await recordMeeting();
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      date: today,
      week: lastWeek,
      place: '乡政府三楼会议室',
      attendeeIds: [heavy, light],
      speakerIds: [light],
      notes: '逐一表态',
    });
    expect(res.body.attendees).toEqual([
      { cadreId: heavy, name: '钱重', spoke: false },
      { cadreId: light, name: '赵轻', spoke: true },
    ]);
    meetingId = res.body.id;
    const audit = await admin.get(`/audit?entityType=selfCriticismMeeting&entityId=${meetingId}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        action: 'create',
        actor: admin.sub,
        changes: expect.objectContaining({ speakerIds: [light], week: lastWeek }),
      }),
    ]);
  });

  it('a retry with the same Idempotency-Key records nothing more', async () => {
    const again = await recordMeeting();
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(meetingId);
    const links = await queryAll({ index: 'GSI2', partition: keys.cadreSelfCriticismMeetings(light) });
    expect(links).toHaveLength(1);
  });

  it.each([
    [
      'a speaker in another tier',
      () => ({ speakerIds: [heavy] }),
      'body.speakerIds.0',
      'NOT_IN_SELF_CRITICISM_TIER',
      '提醒谈话',
    ],
    [
      'a speaker with no tier',
      () => ({ speakerIds: [clean] }),
      'body.speakerIds.0',
      'NOT_IN_SELF_CRITICISM_TIER',
      '不是检讨发言',
    ],
    [
      'an unknown attendee',
      () => ({ attendeeIds: ['NOBODY1'] }),
      'body.attendeeIds.0',
      'UNKNOWN_REFERENCE',
      '干部不存在',
    ],
    ['no speaker', () => ({ speakerIds: [] }), 'body.speakerIds', 'too_small', '发言人'],
    ['a speaker twice', () => ({ speakerIds: [light, light] }), 'body.speakerIds', 'DUPLICATE', '重复'],
    [
      'a week not before the meeting',
      () => ({ week: isoWeekOf(today) }),
      'body.week',
      'WEEK_NOT_BEFORE_MEETING',
      '之后召开',
    ],
    [
      'a date before any evaluated week',
      () => ({ date: addDays(today, -60) }),
      'body.date',
      'NO_EVALUATED_WEEK',
      '还没有已考评的周',
    ],
  ])(
    'refuses %s with a field message in Chinese, writing nothing',
    async (_what, change, path, code, words) => {
      const before = await queryAll({ index: 'GSI1', partition: keys.selfCriticismMeetingList() });
      const res = await admin.post('/self-criticism-meetings', {
        date: today,
        attendeeIds: [],
        speakerIds: [light],
        ...change(),
      });
      expect(res.status).toBe(400);
      const field = res.body.error.fields.find((f: { path: string }) => f.path === path);
      expect(field, JSON.stringify(res.body)).toBeDefined();
      if (code !== 'too_small') expect(field.code).toBe(code);
      expect(field.message).toContain(words);
      expect(field.message).not.toMatch(/selfCriticism|reminderTalk|[A-Z_]{6,}/);
      const after = await queryAll({ index: 'GSI1', partition: keys.selfCriticismMeetingList() });
      expect(after).toHaveLength(before.length);
    },
  );

  it.each([
    ['inspector', () => inspector],
    ['cadre', () => lightCaller],
  ])('is HQ’s alone: a %s gets 403', async (_role, who) => {
    const res = await who().post('/self-criticism-meetings', {
      date: today,
      attendeeIds: [],
      speakerIds: [light],
    });
    expect(res.status).toBe(403);
  });
});

describe('GET /self-criticism-meetings', () => {
  it('lists by cadre and by week, newest first', async () => {
    const byCadre = await admin.get(`/self-criticism-meetings?cadreId=${heavy}`);
    expect(byCadre.status).toBe(200);
    expect(byCadre.body.items.map((m: { speakerIds: string[] }) => m.speakerIds)).toEqual([[light]]);
    const byWeek = await admin.get(`/self-criticism-meetings?week=${lastWeek}`);
    expect(byWeek.body.items).toHaveLength(1);
    const otherWeek = await admin.get(`/self-criticism-meetings?week=${isoWeekOf(addDays(today, -21))}`);
    expect(otherWeek.body.items).toHaveLength(0);
  });

  it('a cadre reads their own meetings and no one else’s', async () => {
    const mine = await lightCaller.get('/self-criticism-meetings');
    expect(mine.status).toBe(200);
    expect(mine.body.items).toHaveLength(1);
    const id = mine.body.items[0].id;
    expect((await lightCaller.get(`/self-criticism-meetings/${id}`)).status).toBe(200);
    expect((await lightCaller.get(`/self-criticism-meetings?cadreId=${heavy}`)).status).toBe(403);
    // Not an attendee: the meeting is not theirs to read.
    expect((await cleanCaller.get(`/self-criticism-meetings/${id}`)).status).toBe(403);
    expect((await cleanCaller.get('/self-criticism-meetings')).body.items).toHaveLength(0);
    expect((await admin.get('/self-criticism-meetings/NOSUCH1')).status).toBe(404);
  });
});
