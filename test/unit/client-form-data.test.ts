import { describe, expect, it } from 'vitest';
import { safeParse } from 'zod/v4/core';
import { fieldMessages, formToBody, issuesOf } from '../../functions/client/form-data.ts';
import { createDirectReport } from '../../functions/schemas/direct-reports.ts';
import { createReport } from '../../functions/schemas/dispatches.ts';
import { createInspection } from '../../functions/schemas/inspections.ts';
import { createVillage } from '../../functions/schemas/roster.ts';

/**
 * Form fields → API bodies, guided by the API's zod schemas; and API messages → form fields. The same
 * functions run in the browser for inline validation, so what is tested here is what people see.
 */
describe('formToBody', () => {
  it('keeps required text even when empty, so the schema says 不能为空 rather than a type error', () => {
    const { body } = formToBody(createReport, [
      ['_key', 'k-12345678'],
      ['status', 'done'],
      ['note', ''],
    ]);
    expect(body).toEqual({ status: 'done', note: '' });
    const result = safeParse(createReport, body);
    expect(result.success).toBe(false);
    expect(issuesOf(result.error!)).toEqual([{ path: 'body.note', code: 'TOO_SMALL', message: '不能为空' }]);
  });

  it('leaves out empty optional fields and never sends page-only fields', () => {
    const { body } = formToBody(createDirectReport, [
      ['_key', 'k-12345678'],
      ['villageId', 'V1'],
      ['kind', 'situation'],
      ['summary', '水源地水位下降'],
      ['details', '   '],
      ['skipLevels', 'false'],
      ['skipLevels', 'true'],
    ]);
    expect(body).toEqual({ villageId: 'V1', kind: 'situation', summary: '水源地水位下降', skipLevels: true });
  });

  it('reads an unticked checkbox from its hidden false field', () => {
    const { body } = formToBody(createDirectReport, [
      ['villageId', 'V1'],
      ['kind', 'emergency'],
      ['summary', 's'],
      ['skipLevels', 'false'],
    ]);
    expect(body.skipLevels).toBe(false);
  });

  it('turns numeric text into numbers where the schema wants numbers, and keeps junk for the schema to refuse', () => {
    const { body } = formToBody(createVillage, [
      ['id', 'V9'],
      ['name', '红旗村'],
      ['townshipId', 'T1'],
      ['category', '深度贫困村'],
      ['profile.households', '312'],
      ['profile.population', ''],
      ['profile.partyMembers', '三十'],
    ]);
    expect(body).toEqual({
      id: 'V9',
      name: '红旗村',
      townshipId: 'T1',
      category: '深度贫困村',
      profile: { households: 312, partyMembers: '三十' },
    });
    const result = safeParse(createVillage, body);
    expect(result.success).toBe(false);
    expect(issuesOf(result.error!).map((i) => i.path)).toEqual(['body.profile.partyMembers']);
  });

  it('leaves out an optional nested object whose fields are all empty', () => {
    const { body } = formToBody(createVillage, [
      ['id', 'V9'],
      ['name', '红旗村'],
      ['townshipId', 'T1'],
      ['category', 'deep'],
      ['profile.households', ''],
    ]);
    expect(body).not.toHaveProperty('profile');
  });

  it('drops blank spare rows, renumbers the rest and maps body paths back to the fields typed into', () => {
    const entries: Array<[string, string]> = [
      ['villageId', 'V1'],
      ['date', '2026-11-24'],
      ['mode', 'open'],
      ['findings.0.cadreId', 'C1'],
      ['findings.0.present', 'false'],
      ['findings.0.present', 'true'],
      ['findings.0.commend', 'false'],
      ['findings.0.problems.0.description', ''],
      ['findings.0.problems.0.severity', ''],
      ['findings.0.problems.0.rectifyBy', ''],
      ['findings.0.problems.1.description', '台账不全'],
      ['findings.0.problems.1.severity', 'major'],
      ['findings.0.problems.1.rectifyBy', '2026-11-20'],
      ['findings.1.cadreId', 'C2'],
      ['findings.1.present', 'false'],
      ['findings.1.commend', 'false'],
      ['findings.1.commend', 'true'],
    ];
    const { body, paths } = formToBody(createInspection, entries);
    expect(body).toEqual({
      villageId: 'V1',
      date: '2026-11-24',
      mode: 'open',
      findings: [
        {
          cadreId: 'C1',
          present: true,
          commend: false,
          problems: [{ description: '台账不全', severity: 'major', rectifyBy: '2026-11-20' }],
        },
        { cadreId: 'C2', present: false, commend: true },
      ],
    });
    const result = safeParse(createInspection, body);
    expect(result.success).toBe(false);
    const messages = fieldMessages(issuesOf(result.error!), paths);
    expect(messages).toEqual([
      {
        name: 'findings.0.problems.1.rectifyBy',
        code: 'BEFORE_INSPECTION_DATE',
        message: '整改期限不能早于督查日期',
      },
    ]);
  });
});

describe('fieldMessages', () => {
  it('puts an API message on the nearest field the form has, else on the form itself', () => {
    const paths = new Map([
      ['', ''],
      ['assignees', 'assignees'],
      ['note', 'note'],
    ]);
    expect(
      fieldMessages(
        [
          { path: 'body.note', code: 'TOO_SMALL', message: '不能为空' },
          { path: 'body.assignees.3.cadreId', code: 'NOT_FOUND', message: '干部不存在' },
          { path: 'params.id', code: 'INVALID', message: '编号无效' },
        ],
        paths,
      ),
    ).toEqual([
      { name: 'note', code: 'TOO_SMALL', message: '不能为空' },
      { name: 'assignees', code: 'NOT_FOUND', message: '干部不存在' },
      { name: '', code: 'INVALID', message: '编号无效' },
    ]);
  });

  it('names each unknown field the schema refused', () => {
    const result = safeParse(createReport, { status: 'done', note: 'x', colour: 'red' });
    expect(issuesOf(result.error!)).toEqual([
      { path: 'body.colour', code: 'UNKNOWN_FIELD', message: '不认识的字段' },
    ]);
  });
});

describe('a field the form did not send', () => {
  it('still gets its message beside it (a radio group with nothing chosen)', () => {
    const { body, paths } = formToBody(createReport, [['note', '已完成']]);
    const result = safeParse(createReport, body);
    expect(fieldMessages(issuesOf(result.error!), paths).map((m) => m.name)).toEqual(['status']);
  });
});

describe('an empty deadline', () => {
  it('is asked for in plain words, not with the ISO format rule', async () => {
    const { createDispatch } = await import('../../functions/schemas/dispatches.ts');
    const result = safeParse(createDispatch, {
      title: '抗旱',
      category: '防汛抗旱',
      description: '逐户核实',
      deadline: '',
      assignees: [{ cadreId: 'C1', villageId: 'V1' }],
    });
    expect(issuesOf(result.error!)).toEqual([
      { path: 'body.deadline', code: 'REQUIRED', message: '请填写截止时间' },
    ]);
  });
});
