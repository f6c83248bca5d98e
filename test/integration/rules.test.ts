import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SET, weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';

let t: TestStack;
let admin: Caller;
let inspector: Caller;
let cadre: Caller;

const today = beijingDate(new Date());
const thisMonday = weekBounds(isoWeekOf(today)).monday;
const nextMonday = addDays(thisMonday, 7);

/** The default rules as an admin would send them (the server assigns the version). */
function input(overrides: Record<string, unknown> = {}) {
  const { version: _v, ...rest } = DEFAULT_RULE_SET;
  return { ...structuredClone(rest), effectiveFrom: nextMonday, note: '试行新规则', ...overrides };
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  cadre = await t.as('cadre', 'C-RULES');
});
afterAll(async () => {
  await t.stop();
});

describe('rules API', () => {
  it('ships the default rule set as version 1, in force now, readable by every role', async () => {
    for (const caller of [admin, inspector, cadre]) {
      const res = await caller.get('/rules');
      expect(res.status).toBe(200);
      expect(res.body.current).toMatchObject({ version: 1, effectiveFrom: DEFAULT_RULE_SET.effectiveFrom });
      expect(res.body.current.tiers).toEqual(DEFAULT_RULE_SET.tiers);
      expect(res.body.upcoming).toBeNull();
    }
    const one = await cadre.get('/rules/1');
    expect(one.status).toBe(200);
    expect(one.body.absenceIsProblem).toEqual({ enabled: true, severity: 'minor' });
  });

  it('answers 404 for a version that does not exist and 400 for one that is not a number', async () => {
    expect((await admin.get('/rules/99')).status).toBe(404);
    const bad = await admin.get('/rules/abc');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toContain('version');
  });

  it('refuses a new rule set from anyone but an admin', async () => {
    expect((await inspector.post('/rules', input())).status).toBe(403);
    expect((await cadre.post('/rules', input())).status).toBe(403);
  });

  it.each([
    [
      'a date that is not a Monday',
      { effectiveFrom: addDays(nextMonday, 1) },
      'body.effectiveFrom',
      'NOT_MONDAY',
    ],
    ['the current week', { effectiveFrom: thisMonday }, 'body.effectiveFrom', 'EFFECTIVE_IN_PAST'],
    ['a past week', { effectiveFrom: addDays(thisMonday, -70) }, 'body.effectiveFrom', 'EFFECTIVE_IN_PAST'],
    ['an unknown field', { version: 5 }, 'body.version', 'UNKNOWN_FIELD'],
    [
      'bands that do not follow each other',
      {
        tiers: {
          selfCriticism: { min: 1, max: 2 },
          reminderTalk: { min: 4, max: 5 },
          admonishmentTalk: { min: 6 },
        },
      },
      'body.tiers.reminderTalk.min',
      'TIERS_NOT_CONTIGUOUS',
    ],
    ['a missing field', { falseRectificationWeight: undefined }, 'body.falseRectificationWeight', undefined],
  ])('refuses %s with a field error', async (_what, overrides, path, code) => {
    const res = await admin.post('/rules', input(overrides));
    expect(res.status).toBe(400);
    const field = res.body.error.fields.find((f: { path: string }) => f.path === path);
    expect(field).toBeDefined();
    if (code) expect(field.code).toBe(code);
  });

  it('publishes version 2 from next Monday: listed as upcoming, while this week stays under version 1', async () => {
    const res = await admin.post(
      '/rules',
      input({
        tiers: {
          selfCriticism: { min: 1, max: 1 },
          reminderTalk: { min: 2, max: 3 },
          admonishmentTalk: { min: 4 },
        },
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ version: 2, effectiveFrom: nextMonday });

    const index = await cadre.get('/rules');
    expect(index.body.current.version).toBe(1);
    expect(index.body.upcoming).toMatchObject({ version: 2, effectiveFrom: nextMonday });
    expect(index.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect((await admin.get('/rules/2')).body.tiers.admonishmentTalk).toEqual({ min: 4 });

    const week = await evaluateAndStoreWeek(isoWeekOf(today), { now: new Date() });
    expect(week.ruleSetVersion).toBe(1);

    const audit = await admin.get('/audit?entityType=ruleSet&entityId=2');
    expect(audit.status).toBe(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ action: 'create' });
  });

  it('answers a retried publish with the same Idempotency-Key once, and numbers the next one 3', async () => {
    const headers = { 'idempotency-key': 'rules-retry-1' };
    const body = input({ effectiveFrom: addDays(nextMonday, 7) });
    const first = await admin.post('/rules', body, headers);
    const again = await admin.post('/rules', body, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.version).toBe(first.body.version);
    expect(first.body.version).toBe(3);
    expect((await admin.get('/rules')).body.versions).toHaveLength(3);
  });
});
