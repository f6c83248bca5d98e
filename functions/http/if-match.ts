import { BadRequestError, PreconditionRequiredError, VersionConflictError } from '../errors.ts';
import type { RequestContext } from './route.ts';

/**
 * Optimistic concurrency for versioned records (the roster's townships, villages and cadres). A read
 * answers the record's `version` and an `ETag: "<version>"`; a correction sends it back as
 * `If-Match`. Accepted forms: `"3"` (the ETag as read), `3`, and the weak `W/"3"` (some proxies weaken
 * ETags). `*` and lists are refused: a correction must say which version it corrects.
 */
export function etag(version: number): string {
  return `"${version}"`;
}

/** The ETag header of an answer carrying a versioned record. */
export function versionHeaders(version: number): Record<string, string> {
  return { etag: etag(version) };
}

const IF_MATCH = /^(?:W\/)?"?([1-9]\d{0,8})"?$/;

/** The version the caller read, from If-Match: 428 without it, 400 when it is no version. */
export function expectedVersion(ctx: Pick<RequestContext, 'ifMatch'>): number {
  const value = ctx.ifMatch?.trim();
  if (!value) {
    throw new PreconditionRequiredError('修改须带上读取时的版本号（If-Match 请求头），以免覆盖他人的修改', {
      fields: [{ path: 'headers.if-match', code: 'PRECONDITION_REQUIRED', message: '缺少版本号' }],
    });
  }
  const match = IF_MATCH.exec(value);
  if (!match) {
    throw new BadRequestError('INVALID_IF_MATCH', 'If-Match 须为读取时的版本号，例如 "3"', {
      fields: [{ path: 'headers.if-match', code: 'INVALID_IF_MATCH', message: '版本号格式无效' }],
    });
  }
  return Number(match[1]);
}

/** 412: the record moved on since the caller read it; the message names the current version. */
export function versionConflict(what: string, current: number): VersionConflictError {
  return new VersionConflictError(
    current,
    `该${what}已被他人修改（当前为第 ${current} 版），请查看最新内容后重新修改`,
    {
      fields: [
        {
          path: 'headers.if-match',
          code: 'VERSION_CONFLICT',
          message: `已被他人修改，当前为第 ${current} 版`,
        },
      ],
    },
  );
}
