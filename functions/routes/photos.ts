import * as store from '../adapters/dynamo/photos.ts';
import { getProblem } from '../adapters/dynamo/problems.ts';
import { type PhotoVariant, photoFiles, photoKeys } from '../adapters/photos/index.ts';
import { photoLink, uploadTarget } from '../adapters/photos/links.ts';
import { derivedId, newId } from '../core/ids.ts';
import {
  mayUploadFor,
  PHOTO_LINK_SECONDS,
  type PhotoSubject,
  UPLOAD_URL_SECONDS,
  type UploadRecord,
} from '../core/photos.ts';
import { type Scope, townshipInScope } from '../core/roles.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { type Actor, isStaff } from '../http/auth.ts';
import { created, defineRoute, type RawResponse, type RequestContext } from '../http/route.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import { createUpload, uploadTicket } from '../schemas/photos.ts';
import { byTownship, cadreInScope, OUTSIDE_SCOPE, scopeOf } from './scope.ts';

/**
 * Photos: ask for an upload URL, then read a photo as its record's readers may. The bytes go straight
 * to storage (S3 on AWS, the local gateway on the county server), never through these routes; they
 * are checked, re-encoded and claimed by the record that names them (photo-claims.ts).
 */
const TAGS = ['photos'];

/**
 * Who may see a photo: its record's readers (the cadre concerned, inspectors, admins; a township's
 * staff and county leaders when the record lies in their townships); before it is claimed, its uploader.
 */
async function readable(
  upload: UploadRecord,
  ctx: RequestContext,
): Promise<'yes' | 'forbidden' | 'outside' | 'hidden'> {
  const actor = ctx.actor;
  if (upload.status !== 'claimed' || !upload.subject) return upload.owner === actor.sub ? 'yes' : 'hidden';
  if (isStaff(actor) || upload.subject.cadreId === actor.cadreId) return 'yes';
  const scope = await scopeOf(actor, ctx.now);
  if (!byTownship(scope)) return 'forbidden';
  return (await subjectInScope(upload.subject, scope, actor, ctx.now)) ? 'yes' : 'outside';
}

/** A problem's photos by the problem's township; a visit's by its village's (older claims: by its cadre). */
async function subjectInScope(
  subject: PhotoSubject,
  scope: Scope,
  actor: Actor,
  now: Date,
): Promise<boolean> {
  if (subject.kind === 'visit') {
    return subject.townshipId
      ? townshipInScope(scope, subject.townshipId)
      : cadreInScope(scope, actor, subject.cadreId, now);
  }
  const problem = await getProblem(subject.problemId ?? subject.id);
  return townshipInScope(scope, problem?.townshipId);
}

async function servePhoto(id: string, variant: PhotoVariant, ctx: RequestContext): Promise<RawResponse> {
  const upload = await store.getUpload(id);
  const access = upload ? await readable(upload, ctx) : 'hidden';
  if (!upload || access === 'hidden') throw new NotFoundError('照片不存在');
  if (access === 'forbidden') throw new ForbiddenError('只能查看本人相关记录的照片');
  if (access === 'outside') throw new ForbiddenError(OUTSIDE_SCOPE);
  if (upload.status !== 'claimed') throw new NotFoundError('照片尚未随记录提交，暂不能查看');
  if (process.env.DOCUMENTS_BUCKET) {
    const expiresAt = new Date(ctx.now.getTime() + PHOTO_LINK_SECONDS * 1000);
    return {
      raw: true,
      statusCode: 302,
      headers: { location: await photoLink(id, variant, expiresAt, ctx.now), 'cache-control': 'no-store' },
      body: '',
    };
  }
  const files = await photoFiles();
  const body = await files.get(variant === 'full' ? photoKeys.full(id) : photoKeys.thumbnail(id));
  if (!body) throw new NotFoundError('照片文件不存在');
  return {
    raw: true,
    statusCode: 200,
    headers: {
      'content-type': 'image/jpeg',
      'content-length': String(body.length),
      'cache-control': 'private, max-age=300',
      'x-content-type-options': 'nosniff',
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

const photoResponses = {
  200: { description: '照片（JPEG；县服务器上直接返回）' },
  302: { description: '跳转到短时有效的照片地址（AWS）' },
  403: errorBody,
  404: errorBody,
} as const;

export const photosRoutes = [
  defineRoute({
    method: 'POST',
    path: '/uploads',
    summary:
      '申请上传一张照片（问题照片：督查组；整改、走访照片：干部）：返回上传地址，用 PUT 原样发送照片后，把 id 填入记录的 photoIds',
    tags: TAGS,
    roles: ['admin', 'inspector', 'cadre'],
    body: createUpload,
    responses: { 201: uploadTicket, 400: errorBody, 403: errorBody },
    async handle({ body }, ctx) {
      if (!mayUploadFor(ctx.actor.roles, body.purpose)) {
        throw new ForbiddenError(
          body.purpose === 'problem' ? '只有督查组可以上传问题照片' : '只有包村干部可以上传整改和走访照片',
        );
      }
      const id =
        ctx.idempotencyKey === undefined
          ? newId(ctx.now)
          : derivedId(ctx.actor.sub, ctx.idempotencyKey, 'upload');
      const urlExpiresAt = new Date(ctx.now.getTime() + UPLOAD_URL_SECONDS * 1000);
      const upload: UploadRecord = {
        id,
        owner: ctx.actor.sub,
        purpose: body.purpose,
        contentType: body.contentType,
        size: body.size,
        status: 'pending',
        createdAt: ctx.now.toISOString(),
        urlExpiresAt: urlExpiresAt.toISOString(),
      };
      const fresh = await store.putUpload(upload);
      if (fresh || !ctx.firstAttempt) {
        await ctx.audit({
          entityType: 'photo',
          entityId: id,
          action: 'upload',
          changes: {
            before: null,
            after: { purpose: body.purpose, contentType: body.contentType, size: body.size },
          },
        });
      }
      const target = await uploadTarget(upload, urlExpiresAt, ctx.now);
      return created({ id, ...target, expiresAt: upload.urlExpiresAt });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/photos/{id}',
    summary: '查看照片（与所属记录同样授权：相关干部本人、督查组、指挥部；乡镇和县级领导看所辖乡镇记录的）',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader', 'cadre'],
    params: idParams,
    responses: photoResponses,
    handle: ({ params }, ctx) => servePhoto(params.id, 'full', ctx),
  }),
  defineRoute({
    method: 'GET',
    path: '/photos/{id}/thumbnail',
    summary: '查看照片缩略图（长边 320 像素；授权同照片）',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader', 'cadre'],
    params: idParams,
    responses: photoResponses,
    handle: ({ params }, ctx) => servePhoto(params.id, 'thumbnail', ctx),
  }),
];
