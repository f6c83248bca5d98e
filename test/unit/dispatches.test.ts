import { describe, expect, it } from 'vitest';
import {
  type AssigneeStatus,
  chooseRow,
  deadlineHasPassed,
  dispatchNumber,
  dispatchState,
  dispatchYear,
  duplicatePairs,
  isLate,
  overdue,
  type ReportStatus,
  rowState,
  sameDispatchRequest,
  transition,
} from '../../functions/core/dispatches.ts';
import {
  createDispatch,
  createReport,
  deadlineInput,
  dispatchListQuery,
} from '../../functions/schemas/dispatches.ts';

const DEADLINE = '2026-11-24T10:00:00.000Z';
const before = new Date('2026-11-24T09:59:59.999Z');
const at = new Date(DEADLINE);
const after = new Date('2026-11-24T10:00:00.001Z');

describe('assignee status transitions', () => {
  it.each<[AssigneeStatus, ReportStatus, AssigneeStatus]>([
    ['pending', 'in_progress', 'in_progress'],
    ['pending', 'done', 'done'],
    ['in_progress', 'in_progress', 'in_progress'],
    ['in_progress', 'done', 'done'],
  ])('moves a %s row to %s on a %s report', (current, reported, next) => {
    expect(transition(current, reported)).toEqual({ ok: true, next });
  });

  it.each<ReportStatus>(['in_progress', 'done'])(
    'refuses a %s report on a done row (done is final)',
    (reported) => {
      expect(transition('done', reported)).toEqual({ ok: false, reason: 'ALREADY_DONE' });
    },
  );
});

describe('overdue and late', () => {
  it.each<[string, Date, AssigneeStatus, boolean]>([
    ['before the deadline', before, 'pending', false],
    ['exactly at the deadline', at, 'in_progress', false],
    ['just after the deadline, pending', after, 'pending', true],
    ['after the deadline, in progress', after, 'in_progress', true],
    ['after the deadline but done', after, 'done', false],
  ])('overdue %s → %s', (_case, now, status, expected) => {
    expect(overdue(DEADLINE, now, status)).toBe(expected);
  });

  it('calls a report late only when made after the deadline', () => {
    expect(isLate(DEADLINE, before)).toBe(false);
    expect(isLate(DEADLINE, at)).toBe(false);
    expect(isLate(DEADLINE, after)).toBe(true);
  });

  it('refuses a deadline at or before the moment of issue', () => {
    expect(deadlineHasPassed(DEADLINE, before)).toBe(false);
    expect(deadlineHasPassed(DEADLINE, at)).toBe(true);
    expect(deadlineHasPassed(DEADLINE, after)).toBe(true);
  });

  it.each<[AssigneeStatus, Date, string]>([
    ['pending', before, 'open'],
    ['in_progress', after, 'overdue'],
    ['done', after, 'done'],
  ])('gives a %s row the list state it is filtered by', (status, now, state) => {
    expect(rowState(DEADLINE, now, status)).toBe(state);
  });

  it.each<[number, Date, string]>([
    [2, before, 'open'],
    [1, after, 'overdue'],
    [0, after, 'done'],
    [0, before, 'done'],
  ])('calls a dispatch with %i open rows %s → %s', (openCount, now, state) => {
    expect(dispatchState(DEADLINE, now, openCount)).toBe(state);
  });
});

describe('numbering', () => {
  it('numbers by the Beijing year of issue, which turns eight hours before UTC', () => {
    expect(dispatchYear(new Date('2026-12-31T15:59:59.999Z'))).toBe(2026);
    expect(dispatchYear(new Date('2026-12-31T16:00:00.000Z'))).toBe(2027);
  });

  it('formats the number with 六角括号 and no padding', () => {
    expect(dispatchNumber(2026, 12)).toBe('派〔2026〕12号');
    expect(dispatchNumber(2027, 1)).toBe('派〔2027〕1号');
  });
});

describe('choosing the reported row', () => {
  const rows = [{ villageId: 'V1' }, { villageId: 'V2' }];

  it('takes the only row when the cadre has one village on the form', () => {
    expect(chooseRow([{ villageId: 'V1' }])).toEqual({ kind: 'row', row: { villageId: 'V1' } });
  });
  it('needs the village when the cadre has several', () => {
    expect(chooseRow(rows)).toEqual({ kind: 'village_required', villageIds: ['V1', 'V2'] });
  });
  it('takes the named village', () => {
    expect(chooseRow(rows, 'V2')).toEqual({ kind: 'row', row: { villageId: 'V2' } });
  });
  it('refuses a village the cadre was not sent to', () => {
    expect(chooseRow(rows, 'V3')).toEqual({ kind: 'village_not_assigned' });
  });
  it('refuses a cadre with no row', () => {
    expect(chooseRow([], 'V1')).toEqual({ kind: 'not_assignee' });
  });
});

describe('assignee pairs', () => {
  it('reports each repeat of a (cadre, village) pair, not the first occurrence', () => {
    const list = [
      { cadreId: 'C1', villageId: 'V1' },
      { cadreId: 'C1', villageId: 'V2' },
      { cadreId: 'C1', villageId: 'V1' },
      { cadreId: 'C2', villageId: 'V1' },
      { cadreId: 'C1', villageId: 'V1' },
    ];
    expect(duplicatePairs(list)).toEqual([2, 4]);
  });

  it('tells a re-run of the same create from a different form', () => {
    const form = {
      title: 't',
      category: 'c',
      description: 'd',
      deadline: DEADLINE,
      assignees: [{ cadreId: 'C1', villageId: 'V1' }],
    };
    expect(sameDispatchRequest(form, { ...form, assignees: [{ cadreId: 'C1', villageId: 'V1' }] })).toBe(
      true,
    );
    expect(sameDispatchRequest(form, { ...form, title: 'u' })).toBe(false);
    expect(sameDispatchRequest(form, { ...form, assignees: [{ cadreId: 'C1', villageId: 'V2' }] })).toBe(
      false,
    );
  });
});

describe('deadline input', () => {
  it.each([
    ['an instant in Beijing time', '2026-12-01T18:00:00+08:00', '2026-12-01T10:00:00.000Z'],
    ['an instant in UTC', '2026-12-01T10:00:00Z', '2026-12-01T10:00:00.000Z'],
    ['a date, meaning the end of that Beijing day', '2026-12-01', '2026-12-01T15:59:59.999Z'],
  ])('accepts %s and stores UTC', (_case, input, stored) => {
    expect(deadlineInput.parse(input)).toBe(stored);
  });

  it.each([
    ['no offset', '2026-12-01T10:00:00', 'INVALID_FORMAT'],
    ['a day that does not exist', '2026-02-30', 'INVALID_DATE'],
    ['an instant on a day that does not exist', '2026-02-30T10:00:00+08:00', 'INVALID_DATE'],
    ['free text', '下周五', 'INVALID_FORMAT'],
  ])('refuses %s with a Chinese message', (_case, input, code) => {
    const result = deadlineInput.safeParse(input);
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect((issue as { params?: { code?: string } }).params?.code).toBe(code);
    expect(issue?.message).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('request schemas', () => {
  const valid = {
    title: '  抗旱保苗  ',
    category: '防汛抗旱',
    description: '组织群众抗旱保苗',
    deadline: '2026-12-01',
    assignees: [{ cadreId: 'C1', villageId: 'V1' }],
  };

  it('trims the title', () => {
    expect(createDispatch.parse(valid).title).toBe('抗旱保苗');
  });

  it('accepts up to 500 distinct assignees', () => {
    const assignees = Array.from({ length: 500 }, (_, i) => ({ cadreId: `C${i}`, villageId: 'V1' }));
    expect(createDispatch.parse({ ...valid, assignees }).assignees).toHaveLength(500);
  });

  it.each([
    ['a category past 30 characters', { category: '类'.repeat(31) }, 'category'],
    ['a title past 120 characters', { title: '长'.repeat(121) }, 'title'],
    ['no assignees', { assignees: [] }, 'assignees'],
    [
      '501 assignees',
      { assignees: Array.from({ length: 501 }, (_, i) => ({ cadreId: `C${i}`, villageId: 'V1' })) },
      'assignees',
    ],
    ['a duplicate pair', { assignees: [valid.assignees[0], valid.assignees[0]] }, 'assignees.1'],
    [
      'an unknown field on an assignee',
      { assignees: [{ cadreId: 'C1', villageId: 'V1', role: 'x' }] },
      'assignees.0',
    ],
  ])('refuses %s', (_case, patch, path) => {
    const result = createDispatch.safeParse({ ...valid, ...patch });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('accepts a report without a village and refuses an unknown status', () => {
    expect(createReport.parse({ status: 'done', note: '已完成' })).toEqual({
      status: 'done',
      note: '已完成',
    });
    expect(createReport.safeParse({ status: 'pending', note: 'x' }).success).toBe(false);
  });

  it('refuses a list range that ends before it starts', () => {
    const result = dispatchListQuery.safeParse({ from: '2026-05-02', to: '2026-05-01' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['to']);
  });
});
