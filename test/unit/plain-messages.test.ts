import { describe, expect, it } from 'vitest';
import { safeParse } from 'zod/v4/core';
import '../../functions/schemas/locale.ts';
import { allRoutes } from '../../functions/routes/index.ts';
import { orList } from '../../functions/schemas/common.ts';
import { plainMessage } from '../../functions/schemas/locale.ts';
import { createCadre } from '../../functions/schemas/roster.ts';
import { adminForms } from '../../functions/web/forms/admin.ts';
import { cadreForms } from '../../functions/web/forms/cadre.ts';
import { inspectorForms } from '../../functions/web/forms/inspector.ts';

/**
 * Every message a person can read beside a field is plain Chinese: no type names (object, string),
 * no enum values (open, awaiting_verification), no patterns. The test walks every request schema of
 * every route and every web form, feeds each part wrong values of every kind and reads the messages.
 */

// File formats and size units people know by these names.
const ALLOWED_WORDS = new Set(['KB', 'MB', 'PDF', 'CSV', 'JPEG', 'PNG', 'WebP', 'Excel']);

/** Latin words (two letters or more) a message holds, apart from the allowed ones. */
function codeWords(message: string): string[] {
  return (message.match(/[A-Za-z_][A-Za-z_]+/g) ?? []).filter((w) => !ALLOWED_WORDS.has(w));
}

const WRONG: unknown[] = [
  undefined,
  null,
  12345,
  -1,
  1.5,
  1e12,
  'zzz',
  '',
  ' ',
  'x'.repeat(5000),
  true,
  'maybe',
  [],
  [1],
  [{}],
  {},
  { unexpected: 1 },
  '2026-13-45',
  '2026-W99',
  '0026-01-01',
  'a b/c',
  '\u0001',
];

interface Schemaish {
  _zod: { def: Record<string, unknown> };
}
const isSchema = (v: unknown): v is Schemaish =>
  typeof v === 'object' && v !== null && '_zod' in v && typeof (v as Schemaish)._zod === 'object';

/** Every message the schema and its parts give for wrong values, with where it came from. */
function messagesOf(schema: unknown, where: string, out: Map<string, string>, depth = 0): void {
  if (!isSchema(schema) || depth > 12) return;
  for (const value of WRONG) {
    let result: ReturnType<typeof safeParse>;
    try {
      result = safeParse(schema as never, value);
    } catch {
      continue; // a part that expects its input already transformed (the out side of a pipe)
    }
    if (result.success) continue;
    for (const issue of result.error.issues) if (!out.has(issue.message)) out.set(issue.message, where);
  }
  const def = schema._zod.def;
  // Request schemas are declared lazily (built on first use): walk the schema a lazy one wraps.
  if (def.type === 'lazy')
    messagesOf((schema._zod as { innerType?: unknown }).innerType, where, out, depth + 1);
  if (def.shape && typeof def.shape === 'object') {
    for (const [key, part] of Object.entries(def.shape)) messagesOf(part, `${where}.${key}`, out, depth + 1);
  }
  for (const key of ['innerType', 'in', 'element', 'valueType', 'left', 'right']) {
    messagesOf(def[key], where, out, depth + 1);
  }
  if (Array.isArray(def.options)) for (const option of def.options) messagesOf(option, where, out, depth + 1);
}

function everyMessage(): Map<string, string> {
  const out = new Map<string, string>();
  for (const route of allRoutes()) {
    for (const part of ['body', 'query', 'params'] as const) {
      messagesOf(route[part], `${route.method} ${route.path} ${part}`, out);
    }
  }
  for (const [name, form] of Object.entries({ ...adminForms, ...cadreForms, ...inspectorForms })) {
    messagesOf(form.schema, `form ${name}`, out);
  }
  return out;
}

describe('validation messages people read', () => {
  const messages = everyMessage();

  it('are gathered from every route and form (the walk reaches the schemas)', () => {
    expect(messages.size).toBeGreaterThan(80);
  });

  it('hold no type names, enum values or other code words', () => {
    const offending = [...messages]
      .filter(([message]) => codeWords(message).length > 0)
      .map(([message, where]) => `${where}: ${message}`);
    expect(offending).toEqual([]);
  });

  it('are Chinese sentences, never empty, never doubled full stops', () => {
    for (const [message, where] of messages) {
      expect(message, where).toMatch(/[\u4e00-\u9fff]/);
      expect(message, where).not.toContain('。。');
    }
  });

  it.each([
    [{ code: 'invalid_type', expected: 'object', input: 'x' }, '须为一组字段'],
    [{ code: 'invalid_type', expected: 'string', input: undefined }, '请填写此项'],
    [{ code: 'invalid_value', values: ['open', 'closed'], input: 'x' }, '请从列出的选项中选择一项'],
    [{ code: 'too_big', origin: 'string', maximum: 20, inclusive: true, input: '' }, '不能超过 20 个字符'],
    [{ code: 'too_small', origin: 'array', minimum: 2, inclusive: true, input: [] }, '至少 2 项'],
    [{ code: 'too_small', origin: 'number', minimum: 0, inclusive: true, input: -1 }, '不能小于 0'],
    [{ code: 'invalid_format', format: 'email', input: 'x' }, '电子邮箱格式不正确'],
    [{ code: 'invalid_format', format: 'regex', input: 'x' }, '格式不正确'],
  ])('the fallback for %o says %s', (issue, message) => {
    expect(plainMessage(issue as never)).toBe(message);
  });

  it('lists choices the way people write them', () => {
    expect(orList(['明查', '暗访', '抽查'])).toBe('明查、暗访或抽查');
    expect(orList(['全县', '乡镇'])).toBe('全县或乡镇');
    expect(orList(['一项'])).toBe('一项');
  });
});

describe('cadre ranks', () => {
  const base = { id: 'C900', name: '王五', unit: '县水务局' };

  it.each([
    ['副科级', 'section'],
    ['正科级', 'section'],
    ['一级主任科员', 'section'],
    ['四级主任科员', 'section'],
    ['科员', 'general'],
    ['办事员', 'general'],
    ['一级科员', 'general'],
    ['副县级', 'county'],
    ['二级调研员', 'county'],
    ['副股级', 'staff'],
    ['科级', 'section'],
    ['一般干部', 'general'],
    ['section', 'section'],
  ])('%s is accepted as %s', (rank, code) => {
    const result = safeParse(createCadre, { ...base, rank });
    expect(result.success && result.data.rank).toBe(code);
  });

  it('an unknown rank is refused with the groups to choose from, in Chinese', () => {
    const result = safeParse(createCadre, { ...base, rank: '大队长' });
    expect(result.success).toBe(false);
    const message = result.error?.issues[0]?.message ?? '';
    expect(message).toBe('请选择职级：县级领导、科级、股级或一般干部');
  });
});
