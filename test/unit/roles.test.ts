import { describe, expect, it } from 'vitest';
import { isRole, parseGroupsClaim, rolesFromGroups } from '../../functions/core/roles.ts';

describe('the cognito:groups claim', () => {
  it.each([
    ['API Gateway bracketed, space-separated', '[admin inspector]', ['admin', 'inspector']],
    ['bracketed, comma-separated', '[admin, inspector]', ['admin', 'inspector']],
    ['bracketed, comma without space', '[admin,inspector]', ['admin', 'inspector']],
    ['a JSON array in a string', '["admin","inspector"]', ['admin', 'inspector']],
    ['a JSON array with spaces', '[ "admin" , "inspector" ]', ['admin', 'inspector']],
    ['comma-separated', 'admin,inspector', ['admin', 'inspector']],
    ['space-separated', 'admin inspector', ['admin', 'inspector']],
    ['a single group', 'admin', ['admin']],
    ['a single bracketed group', '[cadre]', ['cadre']],
    ['surrounding white space', '  [admin inspector]  ', ['admin', 'inspector']],
    ['a real array', ['admin', 'inspector'], ['admin', 'inspector']],
    ['an empty bracket', '[]', []],
    ['an empty string', '', []],
  ])('reads the %s form', (_form, raw, groups) => {
    expect(parseGroupsClaim(raw)).toEqual(groups);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { admin: true }],
    ['a boolean', true],
  ])('reads %s as no groups', (_what, raw) => {
    expect(parseGroupsClaim(raw)).toEqual([]);
  });

  it.each([
    ['an unclosed bracket', '[admin'],
    ['an unknown group', '[superuser root]'],
    ['a look-alike group', 'Admin'],
    ['a JSON object', '{"admin":true}'],
    ['prototype names', '[__proto__ constructor]'],
  ])('grants no role for garbage: %s', (_what, raw) => {
    expect(rolesFromGroups(parseGroupsClaim(raw))).toEqual([]);
  });

  it('keeps only known roles from a mixed list', () => {
    expect(rolesFromGroups(parseGroupsClaim('[admin us-east-1_Pool_Google cadre]'))).toEqual([
      'admin',
      'cadre',
    ]);
  });

  it('knows the three roles and nothing else', () => {
    expect(['admin', 'inspector', 'cadre'].every(isRole)).toBe(true);
    expect(isRole('toString')).toBe(false);
    expect(isRole('')).toBe(false);
  });
});
