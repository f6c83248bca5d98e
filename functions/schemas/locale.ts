/**
 * Chinese messages for every zod schema, configured once. Imported for its side effect by
 * schemas/common.ts and http/validation.ts. Schemas use zod/mini (`import * as z from 'zod/mini'`),
 * imported directly in each module: classic zod attaches dozens of methods to every schema instance
 * (~26 ms of Lambda cold start), and re-exporting the namespace from a shared module defeats
 * tree-shaking (+360 KB a bundle).
 *
 * The messages are our own rather than zod's zh-CN locale: that one names types and values the way
 * a programmer reads them ("期望 object，实际接收 string", "期望以下之一 \"open\"|\"closed\""), and people
 * read these messages beside form fields. Nothing here names a type, an enum value or a pattern; a
 * field whose values a person picks says which in its own schema ("请选择…").
 */
import { config } from 'zod/mini';
import type { $ZodRawIssue } from 'zod/v4/core';

const TYPE_NAMES: Record<string, string> = {
  string: '文字',
  number: '数字',
  int: '整数',
  bigint: '整数',
  boolean: '“是”或“否”',
  array: '一组值',
  object: '一组字段',
  date: '日期',
};

const FORMAT_NAMES: Record<string, string> = {
  email: '电子邮箱',
  url: '网址',
  datetime: '时间',
  date: '日期',
  time: '时刻',
  duration: '时长',
};

function sizeMessage(origin: string | undefined, bound: string, big: boolean): string {
  switch (origin) {
    case 'string':
      return big ? `不能超过 ${bound} 个字符` : `至少 ${bound} 个字符`;
    case 'array':
    case 'set':
    case 'map':
      return big ? `最多 ${bound} 项` : `至少 ${bound} 项`;
    case 'file':
      return big ? `文件不能超过 ${bound} 字节` : `文件至少 ${bound} 字节`;
    default:
      return big ? `不能大于 ${bound}` : `不能小于 ${bound}`;
  }
}

/** One plain Chinese message per kind of issue, for any schema that does not say its own. */
export function plainMessage(issue: $ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return '请填写此项';
      return `须为${TYPE_NAMES[issue.expected] ?? '正确的格式'}`;
    case 'invalid_value':
      return issue.values.length === 1 ? '填写的值不正确' : '请从列出的选项中选择一项';
    case 'too_big':
      return sizeMessage(issue.origin, String(issue.maximum), true);
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return '不能为空';
      return sizeMessage(issue.origin, String(issue.minimum), false);
    case 'invalid_format':
      return `${FORMAT_NAMES[issue.format] ?? ''}格式不正确`;
    case 'not_multiple_of':
      return `须为 ${String(issue.divisor)} 的倍数`;
    case 'unrecognized_keys':
      return '不认识的字段';
    default:
      return '填写的内容不正确';
  }
}

config({ localeError: plainMessage });
