import { putIssuerSettings } from '../adapters/dynamo/issuer-settings.ts';
import { BadRequestError, PreconditionRequiredError } from '../errors.ts';
import { versionConflict, versionHeaders } from '../http/if-match.ts';
import { defineRoute, ok, type RequestContext } from '../http/route.ts';
import { currentIssuer } from '../jobs/issuer.ts';
import { errorBody } from '../schemas/common.ts';
import { issuerSettings, issuerSettingsView } from '../schemas/issuer-settings.ts';

/**
 * Who signs the county's documents (docs/documents.md#issuer): the county, the issuing body (one name
 * on every document, email body and sender), the 机关代字 before every document number, the cc line,
 * the signer's title and the rules document the notices cite. Everyone at HQ, township or county level
 * may read it; only an admin changes it, with the version read (If-Match; "0" before the first save),
 * audited with what it was before.
 */
const TAGS = ['rules'];
const FIELDS = ['countyName', 'issuingBody', 'agencyCode', 'cc', 'signerTitle', 'rulesDocumentName'] as const;

/** The version the caller read: "0" too, the defaults before anyone saved. */
function readVersion(ctx: Pick<RequestContext, 'ifMatch'>): number {
  const value = ctx.ifMatch?.trim();
  if (!value) {
    throw new PreconditionRequiredError('修改须带上读取时的版本号（If-Match 请求头），以免覆盖他人的修改', {
      fields: [{ path: 'headers.if-match', code: 'PRECONDITION_REQUIRED', message: '缺少版本号' }],
    });
  }
  const match = /^(?:W\/)?"?(0|[1-9]\d{0,8})"?$/.exec(value);
  if (!match) {
    throw new BadRequestError('INVALID_IF_MATCH', 'If-Match 须为读取时的版本号，例如 "3"', {
      fields: [{ path: 'headers.if-match', code: 'INVALID_IF_MATCH', message: '版本号格式无效' }],
    });
  }
  return Number(match[1]);
}

const pick = (s: Record<(typeof FIELDS)[number], string>) =>
  Object.fromEntries(FIELDS.map((f) => [f, s[f]])) as Record<(typeof FIELDS)[number], string>;

export const issuerSettingsRoutes = [
  defineRoute({
    method: 'GET',
    path: '/settings/issuer',
    summary: '发文设置：县名、发文机关、机关代字、抄送、签发人职务、问责规则文件名称',
    tags: TAGS,
    roles: ['admin', 'township', 'leader'],
    responses: { 200: issuerSettingsView },
    async handle() {
      const current = await currentIssuer();
      return { ...ok(current), headers: versionHeaders(current.version) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/settings/issuer',
    summary: '修改发文设置（If-Match 带读取时的版本号，首次保存为 "0"）：此后印发的文书即用新设置',
    tags: TAGS,
    roles: ['admin'],
    ifMatch: true,
    body: issuerSettings,
    responses: { 200: issuerSettingsView, 400: errorBody, 412: errorBody, 428: errorBody },
    async handle({ body }, ctx) {
      const expected = readVersion(ctx);
      const before = await currentIssuer();
      const same = FIELDS.every((f) => before[f] === body[f]);
      // A retry of a save that went through answers what it saved, rather than a conflict.
      if (same && (before.version === expected || before.version === expected + 1))
        return { ...ok(before), headers: versionHeaders(before.version) };
      if (before.version !== expected) throw versionConflict('发文设置', before.version);
      const after = {
        ...pick(body),
        version: expected + 1,
        updatedAt: ctx.now.toISOString(),
        updatedBy: ctx.actor.sub,
      };
      const saved = await putIssuerSettings(after, expected);
      if (saved.kind === 'stale') throw versionConflict('发文设置', saved.current);
      await ctx.audit({
        entityType: 'settings',
        entityId: 'issuer',
        action: 'update',
        changes: { before: pick(before), after: pick(after), version: after.version },
      });
      return { ...ok(after), headers: versionHeaders(after.version) };
    },
  }),
];
