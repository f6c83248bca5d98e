import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJobNow } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/** Appointment letters (任命书): rendered off the request path by the daily sweep, once per chief. */
let t: TestStack;
let admin: Caller;
const tid = uid('T');
const vid = uid('V');
const chief = uid('C');
const member = uid('C');

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  expect((await admin.post('/townships', { id: tid, name: '龙潭乡' })).status).toBe(201);
  expect(
    (await admin.post('/villages', { id: vid, name: '岩脚村', townshipId: tid, category: 'general' })).status,
  ).toBe(201);
  for (const [id, name] of [
    [chief, '赵刚'],
    [member, '钱芳'],
  ] as const)
    expect(
      (await admin.post('/cadres', { id, name, unit: '县交通局', rank: 'section', townshipId: tid })).status,
    ).toBe(201);
});
afterAll(async () => {
  await t.stop();
});

describe('appointment letters in the daily sweep', () => {
  it('renders one letter for a new chief, none for a member, and nothing more on a second sweep', async () => {
    const key = uid('k');
    const assignment = await admin.post(
      '/assignments',
      { cadreId: chief, villageId: vid, role: 'chief' },
      { 'idempotency-key': key },
    );
    expect(assignment.status).toBe(201);
    // A retried create does not ask for a second letter.
    expect(
      (
        await admin.post(
          '/assignments',
          { cadreId: chief, villageId: vid, role: 'chief' },
          { 'idempotency-key': key },
        )
      ).body.id,
    ).toBe(assignment.body.id);
    expect(
      (await admin.post('/assignments', { cadreId: member, villageId: vid, role: 'member' })).status,
    ).toBe(201);
    // Nothing is rendered on the request path.
    expect((await admin.get('/notices?kind=appointmentLetter')).body.items).toEqual([]);

    const first = await runJobNow(admin, 'daily-sweep');
    expect(first.summary.appointmentLetters).toEqual({ rendered: 1, existing: 0, failed: 0 });
    const letters = await admin.get('/notices?kind=appointmentLetter');
    expect(letters.body.items).toHaveLength(1);
    expect(letters.body.items[0]).toMatchObject({
      kind: 'appointmentLetter',
      cadreId: chief,
      subjectId: assignment.body.id,
    });
    expect(letters.body.items[0].title).toContain('赵刚');

    const pdf = await admin.get(`/notices/${letters.body.items[0].id}/download?format=pdf`);
    expect(pdf.status).toBe(200);

    const second = await runJobNow(admin, 'daily-sweep');
    expect(second.summary.appointmentLetters).toEqual({ rendered: 0, existing: 0, failed: 0 });
    expect((await admin.get('/notices?kind=appointmentLetter')).body.items).toHaveLength(1);
  }, 120_000);
});
