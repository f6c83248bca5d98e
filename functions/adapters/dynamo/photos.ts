import type { PhotoSubject, UploadRecord } from '../../core/photos.ts';
import { UPLOAD_KEEP_SECONDS } from '../../core/photos.ts';
import { keys } from './keys.ts';
import {
  batchGet,
  ConditionFailed,
  getItem,
  type Item,
  putIfAbsent,
  updateItem,
  withoutKeys,
} from './table.ts';

/**
 * Photo uploads and, once claimed, the photo records: one item per upload (`UPLD#<id>`), read by id
 * only (a record lists its photo ids). An unclaimed upload carries the TTL attribute `expiresAt` (a day
 * after it was asked for), which the claim removes; dynalite has no TTL, so the claim also refuses an
 * upload whose URL expired without bytes.
 */
const strip = (item: Item) => withoutKeys(item) as unknown as UploadRecord;

/** Writes a new upload; false when one with this id exists (a retried POST /uploads). */
export function putUpload(upload: UploadRecord): Promise<boolean> {
  return putIfAbsent({
    ...keys.upload(upload.id),
    entity: 'upload',
    ...upload,
    expiresAt: Math.floor(Date.parse(upload.createdAt) / 1000) + UPLOAD_KEEP_SECONDS,
  });
}

export async function getUpload(id: string): Promise<UploadRecord | undefined> {
  const item = await getItem<Item>(keys.upload(id));
  return item && strip(item);
}

export async function getUploads(ids: readonly string[]): Promise<Map<string, UploadRecord>> {
  if (ids.length === 0) return new Map();
  const items = await batchGet<Item>(ids.map((id) => keys.upload(id)));
  return new Map(items.map((i) => [i.id as string, strip(i)]));
}

/** The county server received the bytes (the PUT): pending → uploaded, only while the URL is valid. */
export async function markUploaded(id: string, receivedBytes: number, at: string): Promise<boolean> {
  try {
    await updateItem({
      Key: keys.upload(id),
      UpdateExpression: 'SET #status = :uploaded, receivedBytes = :bytes, uploadedAt = :at',
      ConditionExpression: 'attribute_exists(PK) AND #status IN (:pending, :uploaded) AND urlExpiresAt > :at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':uploaded': 'uploaded',
        ':pending': 'pending',
        ':bytes': receivedBytes,
        ':at': at,
      },
    });
    return true;
  } catch (error) {
    if (error instanceof ConditionFailed) return false;
    throw error;
  }
}

export interface ClaimWrite {
  id: string;
  owner: string;
  claimRef: string;
  subject: PhotoSubject;
  at: string;
  receivedBytes: number;
  width: number;
  height: number;
  thumbnailWidth: number;
  thumbnailHeight: number;
  takenAt?: string;
  location?: { lat: number; lng: number };
}

/**
 * Claims an upload for one record: exclusive (a second record gets false), repeatable for the same
 * record (a retry). Removes the TTL: a claimed photo is kept with its record.
 */
export async function claimUpload(w: ClaimWrite): Promise<boolean> {
  const sets = [
    '#status = :claimed',
    'claimRef = :ref',
    'subject = :subject',
    'claimedAt = if_not_exists(claimedAt, :at)',
    'receivedBytes = :bytes',
    'width = :w',
    'height = :h',
    'thumbnailWidth = :tw',
    'thumbnailHeight = :th',
  ];
  const values: Record<string, unknown> = {
    ':claimed': 'claimed',
    ':ref': w.claimRef,
    ':subject': w.subject,
    ':at': w.at,
    ':bytes': w.receivedBytes,
    ':w': w.width,
    ':h': w.height,
    ':tw': w.thumbnailWidth,
    ':th': w.thumbnailHeight,
    ':owner': w.owner,
  };
  if (w.takenAt) {
    sets.push('takenAt = :taken');
    values[':taken'] = w.takenAt;
  }
  if (w.location) {
    sets.push('#location = :loc');
    values[':loc'] = w.location;
  }
  try {
    await updateItem({
      Key: keys.upload(w.id),
      UpdateExpression: `SET ${sets.join(', ')} REMOVE expiresAt`,
      ConditionExpression:
        'attribute_exists(PK) AND #owner = :owner AND (#status <> :claimed OR claimRef = :ref)',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#owner': 'owner',
        ...(w.location ? { '#location': 'location' } : {}),
      },
      ExpressionAttributeValues: values,
    });
    return true;
  } catch (error) {
    if (error instanceof ConditionFailed) return false;
    throw error;
  }
}

/** Gives a claim back (another photo of the same record lost its claim): only this record's claim. */
export async function releaseClaim(
  id: string,
  claimRef: string,
  status: 'pending' | 'uploaded',
): Promise<void> {
  try {
    await updateItem({
      Key: keys.upload(id),
      UpdateExpression: 'SET #status = :status REMOVE claimRef, subject, claimedAt',
      ConditionExpression: 'claimRef = :ref',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status, ':ref': claimRef },
    });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
}
