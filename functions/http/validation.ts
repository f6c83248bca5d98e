import '../schemas/locale.ts';
import type { $ZodError, $ZodType, output } from 'zod/v4/core';
import { safeParse } from 'zod/v4/core';
import type { FieldIssue } from '../errors.ts';
import { ValidationError } from '../errors.ts';

/** zod issues → field-level errors: a path, a stable code for programs, a Chinese message for people. */
export function fieldIssues(error: $ZodError, prefix: string): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    const base = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: base ? `${base}.${key}` : key, code: 'UNKNOWN_FIELD', message: '不认识的字段' });
      }
      continue;
    }
    const code = (
      issue.code === 'custom' && typeof issue.params?.code === 'string' ? issue.params.code : issue.code
    ).toUpperCase();
    out.push({ path: base, code, message: issue.message });
  }
  return out;
}

export function parseOrThrow<T extends $ZodType>(schema: T, value: unknown, prefix: string): output<T> {
  const result = safeParse(schema, value);
  if (result.success) return result.data;
  throw new ValidationError('请求内容有误，请按提示修改', { fields: fieldIssues(result.error, prefix) });
}
