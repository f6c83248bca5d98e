import { describe, expect, it } from 'vitest';
import { BadRequestError, PayloadTooLargeError } from '../../functions/errors.ts';
import { MAX_DEPTH, parseJsonBody } from '../../functions/http/body.ts';

const MAX = 1024;
const parse = (raw: string | undefined, base64 = false) =>
  parseJsonBody(raw, base64, 'application/json', MAX);
const base64 = (bytes: number[] | Buffer) => Buffer.from(bytes as number[]).toString('base64');

function refusal(run: () => unknown): { status: number; code: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof BadRequestError || error instanceof PayloadTooLargeError) {
      return { status: error.status, code: error.code };
    }
    throw error;
  }
  throw new Error('expected the body to be refused');
}

const arrays = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('parseJsonBody', () => {
  it.each([
    ['an object', '{"name":"桶井乡","n":1}', { name: '桶井乡', n: 1 }],
    ['an array', '[1,"二",null]', [1, '二', null]],
    ['null', 'null', null],
    ['a string with a proper surrogate pair', '"\\ud83d\\ude00"', '😀'],
    ['surrounding white space', '  {"a":1}\n', { a: 1 }],
  ])('returns the value of %s', (_case, raw, value) => {
    expect(parse(raw)).toEqual(value);
  });

  it('decodes a base64-encoded body', () => {
    expect(parse(Buffer.from('{"name":"郑家村"}').toString('base64'), true)).toEqual({ name: '郑家村' });
  });

  it.each([
    ['undefined', undefined],
    ['an empty string', ''],
  ])('returns undefined for %s (the caller decides whether a body is required)', (_case, raw) => {
    expect(parse(raw)).toBeUndefined();
  });

  it('accepts a body of exactly the maximum size and refuses one byte more (413)', () => {
    const fits = `"${'a'.repeat(MAX - 2)}"`;
    expect(parse(fits)).toHaveLength(MAX - 2);
    expect(refusal(() => parse(`"${'a'.repeat(MAX - 1)}"`))).toEqual({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
  });

  it('measures the size in bytes, not characters', () => {
    // 400 Chinese characters are 1,200 UTF-8 bytes.
    expect(refusal(() => parse(`"${'乡'.repeat(400)}"`))).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it.each([
    ['truncated JSON', '{"a":', 'INVALID_JSON'],
    ['trailing garbage', '{"a":1} x', 'INVALID_JSON'],
    ['single quotes', "{'a':1}", 'INVALID_JSON'],
    ['a trailing comma', '{"a":1,}', 'INVALID_JSON'],
    ['white space only', '   ', 'INVALID_JSON'],
    ['NaN', 'NaN', 'INVALID_JSON'],
    ['a lone high surrogate', '{"a":"x\\ud800"}', 'INVALID_TEXT'],
    ['a lone low surrogate', '["\\udc00"]', 'INVALID_TEXT'],
    ['reversed surrogates', '"\\ude00\\ud83d"', 'INVALID_TEXT'],
    ['a lone surrogate in a key', '{"\\ud800":1}', 'INVALID_TEXT'],
    ['a __proto__ key', '{"__proto__":{"polluted":true}}', 'FORBIDDEN_KEY'],
    ['a constructor key', '{"constructor":{"prototype":{}}}', 'FORBIDDEN_KEY'],
    ['a prototype key', '{"prototype":1}', 'FORBIDDEN_KEY'],
    ['a nested __proto__ key', '{"a":[{"b":{"__proto__":1}}]}', 'FORBIDDEN_KEY'],
    [`${MAX_DEPTH + 1} nested arrays`, arrays(MAX_DEPTH + 1), 'TOO_DEEP'],
    [`${MAX_DEPTH + 1} nested objects`, objects(MAX_DEPTH + 1), 'TOO_DEEP'],
    ['50 nested arrays', arrays(50), 'TOO_DEEP'],
  ])('refuses %s (400 %s)', (_case, raw, code) => {
    expect(refusal(() => parse(raw))).toEqual({ status: 400, code });
  });

  it(`accepts nesting up to ${MAX_DEPTH} levels`, () => {
    expect(parse(arrays(MAX_DEPTH))).toBeDefined();
    expect(parse(objects(MAX_DEPTH))).toBeDefined();
  });

  it('keeps a refused __proto__ key from polluting Object.prototype', () => {
    refusal(() => parse('{"__proto__":{"polluted":true}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['a stray continuation byte', [0x22, 0x80, 0x22]],
    ['an invalid byte', [0x22, 0xff, 0x22]],
    ['an overlong encoding of "/"', [0x22, 0xc0, 0xaf, 0x22]],
    ['a truncated sequence', [0x22, 0xe4, 0xb9, 0x22]],
    ['an encoded surrogate', [0x22, 0xed, 0xa0, 0x80, 0x22]],
  ])('refuses invalid UTF-8: %s (400 INVALID_ENCODING)', (_case, bytes) => {
    expect(refusal(() => parse(base64(bytes), true))).toEqual({ status: 400, code: 'INVALID_ENCODING' });
  });

  it('names the path of the offending value', () => {
    try {
      parse('{"findings":[{"problems":[{"description":"\\ud800"}]}]}');
      expect.unreachable();
    } catch (error) {
      expect((error as BadRequestError).fields?.[0]?.path).toBe('findings.0.problems.0.description');
    }
  });

  it('gives its messages in Chinese', () => {
    for (const raw of ['{', '"\\ud800"', '{"__proto__":1}', arrays(50)]) {
      try {
        parse(raw);
        expect.unreachable();
      } catch (error) {
        expect((error as Error).message).toMatch(/[\u4e00-\u9fff]/);
      }
    }
  });
});
