import type { FieldIssue } from './field-issue.ts';
import type { Role } from './roles.ts';

/**
 * Photos as evidence (佐证照片): the limits, who may upload for what, and the checks a claimed upload
 * must pass. Pure: the stores, the image decoder and the links arrive from the callers.
 */
export const PHOTO_PURPOSES = ['problem', 'rectification', 'visit'] as const;
export type PhotoPurpose = (typeof PHOTO_PURPOSES)[number];

export const PHOTO_PURPOSE_LABELS: Record<PhotoPurpose, string> = {
  problem: '问题照片',
  rectification: '整改照片',
  visit: '走访照片',
};

export const PHOTO_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoContentType = (typeof PHOTO_CONTENT_TYPES)[number];

/** 10 MB: a phone's full-size photo fits; the browser shrinks to 1600 px before sending anyway. */
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
/** Photos one record (a problem, a rectification, a visit) may carry. */
export const PHOTOS_PER_RECORD = 9;
/** How long an upload URL may be used, and how long an unclaimed upload is kept (the bucket's lifecycle: a day). */
export const UPLOAD_URL_SECONDS = 15 * 60;
export const UPLOAD_KEEP_SECONDS = 24 * 3600;
/** Longest side of the stored photo and of its thumbnail, in pixels. */
export const PHOTO_MAX_SIDE = 2048;
export const THUMBNAIL_SIDE = 320;
/** How long a photo link in an answer works (a page opened now shows its pictures). */
export const PHOTO_LINK_SECONDS = 15 * 60;

/** Who uploads for what: inspectors record problems, cadres rectify and visit; admins may do any. */
const PURPOSES_BY_ROLE: Record<Role, readonly PhotoPurpose[]> = {
  admin: PHOTO_PURPOSES,
  inspector: ['problem'],
  township: [],
  leader: [],
  cadre: ['rectification', 'visit'],
};

export function mayUploadFor(roles: readonly Role[], purpose: PhotoPurpose): boolean {
  return roles.some((r) => PURPOSES_BY_ROLE[r].includes(purpose));
}

/** Where a claimed photo belongs: it is read by whoever may read that record. */
export interface PhotoSubject {
  kind: PhotoPurpose;
  /** The problem, the rectification event or the visit. */
  id: string;
  /** The problem for a rectification (its page links there). */
  problemId?: string;
  /** The cadre concerned: the problem's or the visit's cadre. */
  cadreId: string;
  /**
   * The township of a visit's village (readers by township check it; a problem's photos are checked
   * against the problem's township). Absent on visit photos claimed before it was recorded.
   */
  townshipId?: string;
}

export type UploadStatus = 'pending' | 'uploaded' | 'claimed';

/** An upload as the claim sees it (the stored record, without keys). */
export interface UploadRecord {
  id: string;
  owner: string;
  purpose: PhotoPurpose;
  contentType: PhotoContentType;
  /** Declared by the client when it asked for the URL. */
  size: number;
  status: UploadStatus;
  createdAt: string;
  /** When the upload URL stops working (the item's TTL attribute `expiresAt` is a day later). */
  urlExpiresAt: string;
  /** Bytes received (known on the county server at once; on AWS when claimed). */
  receivedBytes?: number;
  /** Set once claimed: which record holds it. */
  claimRef?: string;
  subject?: PhotoSubject;
  width?: number;
  height?: number;
  thumbnailWidth?: number;
  thumbnailHeight?: number;
  /** Capture time from the EXIF DateTimeOriginal, as written by the camera (its local time, no zone). */
  takenAt?: string;
  location?: { lat: number; lng: number };
  claimedAt?: string;
}

/** What the decoder found in the uploaded bytes. */
export interface DecodedImage {
  format: string;
  width: number;
  height: number;
}

export const PHOTO_ISSUE_CODES = {
  missing: 'PHOTO_NOT_FOUND',
  notYours: 'PHOTO_NOT_YOURS',
  purpose: 'PHOTO_WRONG_PURPOSE',
  notUploaded: 'PHOTO_NOT_UPLOADED',
  tooLarge: 'PHOTO_TOO_LARGE',
  invalid: 'PHOTO_INVALID',
  taken: 'PHOTO_ALREADY_USED',
  duplicate: 'DUPLICATE',
} as const;

const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp']);

/**
 * Whether an upload may be claimed for `claimRef` by `owner` for `purpose`, before its bytes are
 * looked at. An upload already claimed for this very record (a retry) passes.
 */
export function uploadIssue(
  path: string,
  upload: UploadRecord | undefined,
  owner: string,
  purpose: PhotoPurpose,
  claimRef: string,
): FieldIssue | undefined {
  const issue = (code: string, message: string): FieldIssue => ({ path, code, message });
  if (!upload) return issue(PHOTO_ISSUE_CODES.missing, '照片不存在或已过期，请重新上传');
  if (upload.owner !== owner) return issue(PHOTO_ISSUE_CODES.notYours, '只能使用本人上传的照片');
  if (upload.purpose !== purpose) {
    return issue(
      PHOTO_ISSUE_CODES.purpose,
      `这张照片是作为${PHOTO_PURPOSE_LABELS[upload.purpose]}上传的，不能用作${PHOTO_PURPOSE_LABELS[purpose]}`,
    );
  }
  if (upload.status === 'claimed' && upload.claimRef !== claimRef) {
    return issue(PHOTO_ISSUE_CODES.taken, '这张照片已用于另一条记录，请重新上传');
  }
  if (upload.size > PHOTO_MAX_BYTES || (upload.receivedBytes ?? 0) > PHOTO_MAX_BYTES) {
    return issue(PHOTO_ISSUE_CODES.tooLarge, '照片不能超过 10 MB');
  }
  return undefined;
}

/** Whether the decoded bytes are an accepted photo (the decoder read the whole image). */
export function decodedIssue(
  path: string,
  bytes: number | undefined,
  decoded: DecodedImage | undefined,
): FieldIssue | undefined {
  if (bytes === undefined) {
    return { path, code: PHOTO_ISSUE_CODES.notUploaded, message: '照片尚未上传完成，请重新上传' };
  }
  if (bytes > PHOTO_MAX_BYTES) {
    return { path, code: PHOTO_ISSUE_CODES.tooLarge, message: '照片不能超过 10 MB' };
  }
  if (!decoded || !ACCEPTED_FORMATS.has(decoded.format) || decoded.width < 1 || decoded.height < 1) {
    return {
      path,
      code: PHOTO_ISSUE_CODES.invalid,
      message: '照片无法识别：只能上传完整的 JPEG、PNG 或 WebP 图片',
    };
  }
  return undefined;
}

/** Repeated ids in one list: each repeat after the first is an issue. */
export function duplicatePhotoIssues(basePath: string, ids: readonly string[]): FieldIssue[] {
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  ids.forEach((id, i) => {
    if (seen.has(id)) {
      issues.push({
        path: `${basePath}.${i}`,
        code: PHOTO_ISSUE_CODES.duplicate,
        message: '同一张照片只能添加一次',
      });
    }
    seen.add(id);
  });
  return issues;
}

/** EXIF DateTimeOriginal as `YYYY-MM-DDTHH:mm:ss` (the camera's clock; EXIF often has no zone). */
export function exifDateTime(value: unknown): string | undefined {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 19);
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}` : undefined;
}

/** A GPS position that is a place on Earth (0,0 is what broken cameras write). */
export function plausibleLocation(lat: unknown, lng: unknown): { lat: number; lng: number } | undefined {
  if (typeof lat !== 'number' || typeof lng !== 'number') return undefined;
  if (!Number.isFinite(lat) || !Number.isFinite(lng)) return undefined;
  if (Math.abs(lat) > 90 || Math.abs(lng) > 180 || (lat === 0 && lng === 0)) return undefined;
  return { lat: Math.round(lat * 1e6) / 1e6, lng: Math.round(lng * 1e6) / 1e6 };
}
