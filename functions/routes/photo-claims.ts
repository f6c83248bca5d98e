/**
 * Claiming photos for a record (a problem, a rectification, a visit), for any route that takes
 * `photoIds`. Two steps, so a route can refuse everything before it writes anything:
 *
 *   const checked = await checkPhotos(ctx.actor, 'visit', [{ path: 'body.photoIds', ids: body.photoIds ?? [] }]);
 *   //   checked.issues: FieldIssue[] (path e.g. `body.photoIds.1`, code PHOTO_INVALID, PHOTO_NOT_YOURS, …)
 *   if (checked.issues.length) throw new ValidationError('请求内容有误，请按提示修改', { fields: [...yours, ...checked.issues] });
 *   const photos = await claimPhotos(checked, [{ ids: body.photoIds ?? [], claimRef: visitId,
 *     subject: { kind: 'visit', id: visitId, cadreId } }], ctx);   // 409 PHOTO_ALREADY_USED if another record won
 *   // store photoIds on your record; answer with `photos: await photoRefsFor(ids, ctx.now)` (or photos.refs(ids)).
 *
 * The claim is exclusive per photo and repeatable for the same claimRef (derive it from the
 * Idempotency-Key, as the routes derive record ids, so a retry after a crash claims again harmlessly).
 */

import * as store from '../adapters/dynamo/photos.ts';
import { type ProcessedPhoto, processPhoto } from '../adapters/photos/images.ts';
import { photoFiles, photoKeys } from '../adapters/photos/index.ts';
import { photoLink } from '../adapters/photos/links.ts';
import type { FieldIssue } from '../core/field-issue.ts';
import {
  decodedIssue,
  duplicatePhotoIssues,
  PHOTO_ISSUE_CODES,
  PHOTO_LINK_SECONDS,
  type PhotoPurpose,
  type PhotoSubject,
  type UploadRecord,
  uploadIssue,
} from '../core/photos.ts';
import { ConflictError } from '../errors.ts';
import type { Actor } from '../http/auth.ts';
import type { RequestContext } from '../http/route.ts';
import type { PhotoRef } from '../schemas/photos.ts';

/** Photos one request may carry in all (each is decoded and re-encoded while the caller waits). */
export const PHOTOS_PER_REQUEST = 36;

export interface PhotoGroup {
  /** Where the ids were sent, e.g. `body.findings.0.problems.1.photoIds`. */
  path: string;
  ids: readonly string[];
}

export interface CheckedPhotos {
  issues: FieldIssue[];
  owner: string;
  purpose: PhotoPurpose;
  uploads: Map<string, UploadRecord>;
  processed: Map<string, { photo: ProcessedPhoto; bytes: number }>;
}

/** Whether the record can take these photos: every check, every decode; writes nothing. */
export async function checkPhotos(
  actor: Actor,
  purpose: PhotoPurpose,
  groups: readonly PhotoGroup[],
  claimRefs?: ReadonlyMap<string, string>,
): Promise<CheckedPhotos> {
  const issues: FieldIssue[] = [];
  const all = groups.flatMap((g) => g.ids);
  const result: CheckedPhotos = {
    issues,
    owner: actor.sub,
    purpose,
    uploads: new Map(),
    processed: new Map(),
  };
  if (all.length === 0) return result;
  for (const g of groups) issues.push(...duplicatePhotoIssues(g.path, g.ids));
  // The same photo on two records of one request.
  const firstPlace = new Map<string, string>();
  for (const g of groups) {
    g.ids.forEach((id, i) => {
      const seenAt = firstPlace.get(id);
      if (seenAt !== undefined && seenAt !== g.path) {
        issues.push({
          path: `${g.path}.${i}`,
          code: PHOTO_ISSUE_CODES.duplicate,
          message: '同一张照片只能用于一条记录',
        });
      }
      if (seenAt === undefined) firstPlace.set(id, g.path);
    });
  }
  if (all.length > PHOTOS_PER_REQUEST) {
    issues.push({
      path: groups[0]?.path ?? 'body',
      code: 'TOO_MANY_PHOTOS',
      message: `一次提交最多 ${PHOTOS_PER_REQUEST} 张照片，请分次提交`,
    });
    return result;
  }
  const uploads = await store.getUploads([...new Set(all)]);
  result.uploads = uploads;
  const files = await photoFiles();
  const checked = new Set<string>();
  for (const g of groups) {
    for (const [i, id] of g.ids.entries()) {
      if (checked.has(id)) continue;
      checked.add(id);
      const path = `${g.path}.${i}`;
      const upload = uploads.get(id);
      const claimRef = claimRefs?.get(id) ?? '';
      const early = uploadIssue(path, upload, actor.sub, purpose, claimRef);
      if (early) {
        issues.push(early);
        continue;
      }
      // Claimed for this very record already (a retry): its files exist, nothing to decode.
      if (upload?.status === 'claimed') continue;
      const raw = await files.get(photoKeys.raw(id));
      let issue: FieldIssue | undefined;
      let outcome: Awaited<ReturnType<typeof processPhoto>> | undefined;
      if (raw !== undefined && upload && raw.length > upload.size) {
        // S3 holds the signed Content-Length and the local PUT the declared size; this is the last guard.
        issue = {
          path,
          code: PHOTO_ISSUE_CODES.tooLarge,
          message: '照片大小与申请上传时声明的不符，请重新上传',
        };
      } else if (raw === undefined) {
        issue = decodedIssue(path, undefined, undefined);
      } else {
        outcome = await processPhoto(raw);
        if (outcome.kind === 'refused')
          issue = decodedIssue(path, raw.length, outcome.decoded) ?? {
            path,
            code: PHOTO_ISSUE_CODES.invalid,
            message: '照片无法识别：只能上传完整的 JPEG、PNG 或 WebP 图片',
          };
      }
      if (issue) {
        issues.push(issue);
        continue;
      }
      if (outcome?.kind === 'photo' && raw)
        result.processed.set(id, { photo: outcome.photo, bytes: raw.length });
    }
  }
  return result;
}

export interface ClaimAssignment {
  ids: readonly string[];
  claimRef: string;
  subject: PhotoSubject;
}

/**
 * Stores the processed photos and claims each for its record, then drops the raw bytes. A photo
 * another record claimed in between: every claim of this call is given back and the request is
 * refused (409), so the caller writes nothing.
 */
export async function claimPhotos(
  checked: CheckedPhotos,
  assignments: readonly ClaimAssignment[],
  ctx: Pick<RequestContext, 'now' | 'audit'>,
): Promise<void> {
  const files = await photoFiles();
  const at = ctx.now.toISOString();
  const done: { id: string; claimRef: string; before: UploadRecord }[] = [];
  for (const a of assignments) {
    for (const id of a.ids) {
      const upload = checked.uploads.get(id);
      if (!upload) throw new Error(`claimPhotos: ${id} was not checked`);
      const processed = checked.processed.get(id);
      if (upload.status === 'claimed' && upload.claimRef === a.claimRef) continue;
      if (!processed) throw new Error(`claimPhotos: ${id} was not processed`);
      const p = processed.photo;
      await Promise.all([
        files.put(photoKeys.full(id), p.photo, 'image/jpeg'),
        files.put(photoKeys.thumbnail(id), p.thumbnail, 'image/jpeg'),
      ]);
      const claimed = await store.claimUpload({
        id,
        owner: checked.owner,
        claimRef: a.claimRef,
        subject: a.subject,
        at,
        receivedBytes: processed.bytes,
        width: p.width,
        height: p.height,
        thumbnailWidth: p.thumbnailWidth,
        thumbnailHeight: p.thumbnailHeight,
        ...(p.takenAt ? { takenAt: p.takenAt } : {}),
        ...(p.location ? { location: p.location } : {}),
      });
      if (!claimed) {
        await Promise.all(
          done.map((d) =>
            store.releaseClaim(d.id, d.claimRef, d.before.status === 'pending' ? 'pending' : 'uploaded'),
          ),
        );
        throw new ConflictError(PHOTO_ISSUE_CODES.taken, '有照片刚被用于另一条记录，请重新上传后再提交', {
          fields: [
            {
              path: 'photoIds',
              code: PHOTO_ISSUE_CODES.taken,
              message: '这张照片已用于另一条记录，请重新上传',
            },
          ],
        });
      }
      done.push({ id, claimRef: a.claimRef, before: upload });
      await ctx.audit({
        entityType: 'photo',
        entityId: id,
        action: 'claim',
        changes: {
          before: { status: upload.status },
          after: {
            status: 'claimed',
            claimRef: a.claimRef,
            subject: a.subject,
            bytes: processed.bytes,
            width: p.width,
            height: p.height,
            ...(p.takenAt ? { takenAt: p.takenAt } : {}),
            ...(p.location ? { location: p.location } : {}),
          },
        },
      });
    }
  }
  // The raw bytes (with their full EXIF) are not kept once the clean copy exists.
  await Promise.all(done.map((d) => files.delete(photoKeys.raw(d.id))));
}

/** A claimed photo as records list it, with links valid for PHOTO_LINK_SECONDS. */
export async function photoRef(upload: UploadRecord, now: Date): Promise<PhotoRef> {
  const expiresAt = new Date(now.getTime() + PHOTO_LINK_SECONDS * 1000);
  const [url, thumbnailUrl] = await Promise.all([
    photoLink(upload.id, 'full', expiresAt, now),
    photoLink(upload.id, 'thumbnail', expiresAt, now),
  ]);
  return {
    id: upload.id,
    url,
    thumbnailUrl,
    ...(upload.width ? { width: upload.width } : {}),
    ...(upload.height ? { height: upload.height } : {}),
    ...(upload.takenAt ? { takenAt: upload.takenAt } : {}),
    ...(upload.location ? { location: upload.location } : {}),
    expiresAt: expiresAt.toISOString(),
  };
}

/** The photos of a record, in the order it lists them (ids not claimed are left out). */
export async function photoRefsFor(ids: readonly string[] | undefined, now: Date): Promise<PhotoRef[]> {
  if (!ids?.length) return [];
  const uploads = await store.getUploads(ids);
  const refs = await Promise.all(
    ids.map((id) => {
      const u = uploads.get(id);
      return u && u.status === 'claimed' ? photoRef(u, now) : undefined;
    }),
  );
  return refs.filter((r): r is PhotoRef => r !== undefined);
}

/** Gives back every claim `checked` made for `claimRef` (the record write that followed failed). */
export async function releasePhotos(checked: CheckedPhotos, claimRef: string): Promise<void> {
  await Promise.all(
    [...checked.uploads.values()]
      .filter((u) => u.status !== 'claimed')
      .map((u) => store.releaseClaim(u.id, claimRef, u.status === 'pending' ? 'pending' : 'uploaded')),
  );
}

/** A problem's own photos and each event's, with links, from one read of their records. */
export async function problemPhotos<E extends { photoIds?: string[] | undefined }>(
  problem: { photoIds?: string[] | undefined },
  events: readonly E[],
  now: Date,
): Promise<{ photos: PhotoRef[]; events: (E & { photos?: PhotoRef[] })[] }> {
  const all = [...(problem.photoIds ?? []), ...events.flatMap((e) => e.photoIds ?? [])];
  if (all.length === 0) return { photos: [], events: [...events] };
  const refs = new Map((await photoRefsFor(all, now)).map((r) => [r.id, r]));
  const pick = (ids: readonly string[] | undefined) => (ids ?? []).flatMap((id) => refs.get(id) ?? []);
  return {
    photos: pick(problem.photoIds),
    events: events.map((e) => (e.photoIds?.length ? { ...e, photos: pick(e.photoIds) } : e)),
  };
}
