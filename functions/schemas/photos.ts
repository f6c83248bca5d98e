import * as z from 'zod/mini';
import { PHOTO_CONTENT_TYPES, PHOTO_MAX_BYTES, PHOTO_PURPOSES, PHOTOS_PER_RECORD } from '../core/photos.ts';
import { entityId } from './common.ts';

/**
 * Photos (佐证照片): ask for an upload URL (`POST /uploads`), PUT the bytes there, then name the
 * upload's id in `photoIds` on the record it belongs to (problems in `POST /inspections`,
 * `POST /problems/{id}/rectifications`, `POST /visits`). See docs/photos.md.
 */
export const photoPurpose = z.enum(PHOTO_PURPOSES, {
  message: '请选择照片用途：问题照片、整改照片或走访照片',
});

export const createUpload = z.lazy(() =>
  z.strictObject({
    purpose: photoPurpose,
    contentType: z.enum(PHOTO_CONTENT_TYPES, { message: '只能上传 JPEG、PNG 或 WebP 格式的照片' }),
    size: z
      .number({ message: '照片大小须为数字（字节数）' })
      .check(
        z.int('照片大小须为整数（字节数）'),
        z.gte(1, '照片不能是空文件'),
        z.lte(PHOTO_MAX_BYTES, '照片不能超过 10 MB'),
        z.describe('照片的字节数（不超过 10 MB）'),
      ),
  }),
);

export const uploadTicket = z.lazy(() =>
  z.object({
    id: z.string().check(z.describe('上传编号：上传完成后填入记录的 photoIds')),
    uploadUrl: z
      .string()
      .check(
        z.describe(
          '用 PUT 把照片原样发送到这里（AWS 上为 S3 预签名地址；县服务器上为本机地址，可能是以 / 开头的相对地址）',
        ),
      ),
    headers: z.record(z.string(), z.string()).check(z.describe('PUT 时必须带上的请求头（Content-Type 等）')),
    expiresAt: z.string().check(z.describe('上传地址失效时间（UTC）')),
  }),
);

/** `photoIds` on a record: at most nine, each an upload id; repeats are refused by the claim. */
export const photoIds = z.lazy(() =>
  z
    .array(entityId)
    .check(
      z.maxLength(PHOTOS_PER_RECORD, `每条记录最多 ${PHOTOS_PER_RECORD} 张照片`),
      z.describe('已上传照片的编号（POST /uploads 返回的 id）'),
    ),
);

/** A photo as records list it, with short-lived links to the picture and its thumbnail. */
export const photoRef = z.lazy(() =>
  z.object({
    id: z.string(),
    url: z.string().check(z.describe('照片地址（短时有效）')),
    thumbnailUrl: z.string().check(z.describe('缩略图地址（短时有效）')),
    width: z.optional(z.number().check(z.int())),
    height: z.optional(z.number().check(z.int())),
    takenAt: z.optional(z.string().check(z.describe('拍摄时间（照片 EXIF 记录的相机时间，无时区）'))),
    location: z.optional(
      z.object({ lat: z.number(), lng: z.number() }).check(z.describe('拍摄地点（照片 EXIF 的 GPS）')),
    ),
    expiresAt: z.string().check(z.describe('链接失效时间（UTC）')),
  }),
);

export const photoVariantParams = z.lazy(() => z.strictObject({ id: entityId }));

export type CreateUpload = z.output<typeof createUpload>;
export type UploadTicket = z.output<typeof uploadTicket>;
export type PhotoRef = z.output<typeof photoRef>;
