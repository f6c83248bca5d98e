import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { getUpload, markUploaded } from '../../functions/adapters/dynamo/photos.ts';
import {
  LOCAL_PHOTO_PATH,
  LOCAL_UPLOAD_PATH,
  verifyLocalLink,
  verifyLocalUpload,
} from '../../functions/adapters/photos/links.ts';
import { localPhotoFiles } from '../../functions/adapters/photos/local.ts';
import { photoKeys } from '../../functions/adapters/photos/port.ts';
import { PHOTO_MAX_BYTES } from '../../functions/core/photos.ts';
import type { ApiEvent, ApiResult } from '../../functions/http/api-handler.ts';
import type { GatewayRoute, LambdaHandler } from './gateway.ts';

/**
 * The county server's stand-in for the bucket's presigned URLs (functions/adapters/photos/links.ts):
 * `PUT /local/photos/uploads/{id}?size&type&exp&sig` takes an upload's bytes, and
 * `GET /local/photos/files/{id}/{variant}?exp&sig` serves a claimed photo. Neither takes a token: the
 * HMAC signature in the URL is the permission, as on S3. The body limit is the size the URL was signed
 * for (at most 10 MB), enforced by the gateway while the body streams; an unsigned or expired URL may
 * send no body at all.
 */
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

function answer(statusCode: number, code: string, message: string): ApiResult {
  return {
    statusCode,
    headers: JSON_HEADERS,
    body: JSON.stringify({ error: { code, message }, requestId: randomUUID() }),
  };
}

function query(event: ApiEvent): URLSearchParams {
  return new URLSearchParams(event.rawQueryString ?? '');
}

/** The largest body a PUT may send, decided before it is read: the signed size, or nothing. */
function uploadLimit(req: IncomingMessage, url: URL): number {
  const id = decodeURIComponent(url.pathname.slice(LOCAL_UPLOAD_PATH.length));
  const grant = verifyLocalUpload(id, url.searchParams, new Date());
  void req;
  return grant ? Math.min(grant.size, PHOTO_MAX_BYTES) : 0;
}

const putUpload: LambdaHandler = async (event) => {
  const id = event.pathParameters?.id ?? '';
  const now = new Date();
  const grant = verifyLocalUpload(id, query(event), now);
  if (!grant) return answer(403, 'UPLOAD_URL_INVALID', '上传地址无效或已过期，请重新申请上传');
  const type = (event.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== grant.contentType) {
    return answer(400, 'CONTENT_TYPE_MISMATCH', '照片格式与申请上传时声明的不一致，请重新申请上传');
  }
  const body =
    event.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (body.length !== grant.size) {
    return answer(400, 'SIZE_MISMATCH', '照片大小与申请上传时声明的不一致，请重新申请上传');
  }
  const upload = await getUpload(id);
  if (!upload) return answer(404, 'NOT_FOUND', '上传记录不存在');
  if (upload.status === 'claimed')
    return answer(409, 'PHOTO_ALREADY_USED', '这张照片已随记录提交，不能再覆盖');
  await localPhotoFiles().put(photoKeys.raw(id), body);
  if (!(await markUploaded(id, body.length, now.toISOString()))) {
    await localPhotoFiles().delete(photoKeys.raw(id));
    return answer(409, 'UPLOAD_CLOSED', '上传地址已过期或照片已提交，请重新申请上传');
  }
  return { statusCode: 200, headers: { 'cache-control': 'no-store' }, body: '' };
};

const getPhoto: LambdaHandler = async (event) => {
  const id = event.pathParameters?.id ?? '';
  const variant = event.pathParameters?.variant ?? '';
  if (!verifyLocalLink(id, variant, query(event), new Date())) {
    return answer(403, 'PHOTO_LINK_INVALID', '照片链接无效或已过期，请刷新页面');
  }
  const body = await localPhotoFiles().get(variant === 'full' ? photoKeys.full(id) : photoKeys.thumbnail(id));
  if (!body) return answer(404, 'NOT_FOUND', '照片不存在');
  return {
    statusCode: 200,
    headers: {
      'content-type': 'image/jpeg',
      'content-length': String(body.length),
      // The link itself expires; a browser may keep the picture for the page's life.
      'cache-control': 'private, max-age=600',
      'x-content-type-options': 'nosniff',
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
};

/** The gateway routes; `gated` passes writes through the backup's write gate like every other write. */
export function localPhotoRoutes(gated: (handler: LambdaHandler) => LambdaHandler): GatewayRoute[] {
  return [
    {
      method: 'PUT',
      path: `${LOCAL_UPLOAD_PATH}{id}`,
      authorized: false,
      functionName: 'baocun-local-photos',
      handler: gated(putUpload),
      maxBodyBytes: uploadLimit,
      tooLarge: (limit) =>
        limit === 0
          ? {
              error: { code: 'UPLOAD_URL_INVALID', message: '上传地址无效或已过期，请重新申请上传' },
              requestId: randomUUID(),
            }
          : {
              error: { code: 'PHOTO_TOO_LARGE', message: '照片大小超过申请上传时声明的大小（上限 10 MB）' },
              requestId: randomUUID(),
            },
    },
    {
      method: 'GET',
      path: `${LOCAL_PHOTO_PATH}{id}/{variant}`,
      authorized: false,
      functionName: 'baocun-local-photos',
      handler: getPhoto,
      maxBodyBytes: 0,
    },
  ];
}
