import { BadRequestError, PayloadTooLargeError } from '../errors.ts';

/**
 * Turns a raw request body into a plain JSON value, refusing everything that could hurt us later:
 * oversized bodies, invalid UTF-8, lone surrogates, deep nesting, prototype-polluting keys.
 */
export const MAX_DEPTH = 12;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function parseJsonBody(
  raw: string | undefined,
  isBase64Encoded: boolean | undefined,
  contentType: string | undefined,
  maxBytes: number,
): unknown {
  if (raw === undefined || raw === '') return undefined;
  const bytes = isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBytes) {
    throw new PayloadTooLargeError(`请求内容过大（上限 ${Math.floor(maxBytes / 1024)} KB）`);
  }
  // Content-Type is not enforced: field clients and curl often omit or mislabel it; the body must
  // still parse as JSON, and multipart uploads are refused because they will not.
  void contentType;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequestError('INVALID_ENCODING', '请求内容不是有效的 UTF-8 文本');
  }
  if (!text.isWellFormed()) throw new BadRequestError('INVALID_TEXT', '请求内容含有无效字符（孤立代理项）');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequestError('INVALID_JSON', '请求内容不是有效的 JSON');
  }
  check(value, 0, '');
  return value;
}

function check(value: unknown, depth: number, path: string): void {
  if (depth > MAX_DEPTH) {
    throw new BadRequestError('TOO_DEEP', `请求内容嵌套过深（上限 ${MAX_DEPTH} 层）`, {
      fields: [{ path, code: 'TOO_DEEP', message: '嵌套过深' }],
    });
  }
  if (typeof value === 'string') {
    // JSON escapes such as "\ud800" produce lone surrogates after parsing.
    if (!value.isWellFormed()) {
      throw new BadRequestError('INVALID_TEXT', '文本含有无效字符', {
        fields: [{ path, code: 'INVALID_TEXT', message: '文本含有无效字符' }],
      });
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      check(v, depth + 1, path ? `${path}.${i}` : String(i));
    });
    return;
  }
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const here = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) {
        throw new BadRequestError('FORBIDDEN_KEY', `不允许的字段名：${key}`, {
          fields: [{ path: here, code: 'FORBIDDEN_KEY', message: '不允许的字段名' }],
        });
      }
      if (!key.isWellFormed()) throw new BadRequestError('INVALID_TEXT', '字段名含有无效字符');
      check(v, depth + 1, here);
    }
  }
}
