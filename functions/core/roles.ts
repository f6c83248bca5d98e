export const ROLES = ['admin', 'inspector', 'cadre'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * `cognito:groups` reaches a Lambda behind an HTTP API JWT authorizer as a string, in more than one
 * form depending on how the token was issued and forwarded: "[admin inspector]", "[admin, inspector]",
 * '["admin","inspector"]', "admin,inspector", "admin", or (from other callers) a real array.
 */
export function parseGroupsClaim(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String).filter(Boolean);
  if (typeof raw !== 'string') return [];
  const text = raw.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(String).filter(Boolean);
    } catch {
      // not JSON: the bracketed, space- or comma-separated form AWS renders
    }
    return text
      .slice(1, -1)
      .split(/[\s,]+/)
      .map((s) => s.replace(/^"|"$/g, ''))
      .filter(Boolean);
  }
  return text.split(/[\s,]+/).filter(Boolean);
}

export function rolesFromGroups(groups: string[]): Role[] {
  return groups.filter(isRole);
}
