import {
  type DecodedImage,
  exifDateTime,
  PHOTO_MAX_SIDE,
  plausibleLocation,
  THUMBNAIL_SIDE,
} from '../../core/photos.ts';

/**
 * Image checks and processing with sharp (libvips) and exif-reader, imported on first use: sharp is
 * native code, so the API bundles mark both external and only the functions that process photos carry
 * them (a Lambda layer on AWS); a cold start without photos never loads them.
 */
type Sharp = typeof import('sharp')['default'];
let loaded: Promise<Sharp> | undefined;

function sharp(): Promise<Sharp> {
  loaded ??= import('sharp').then((m) => m.default);
  return loaded;
}

/** What processing found: a photo to keep, or a refusal with what the decoder saw (if anything). */
export type ProcessResult =
  | { kind: 'photo'; photo: ProcessedPhoto }
  | { kind: 'refused'; decoded: DecodedImage | undefined };

export interface ProcessedPhoto {
  /** The photo re-encoded as JPEG, upright, at most PHOTO_MAX_SIDE px, with no metadata at all. */
  photo: Buffer;
  width: number;
  height: number;
  thumbnail: Buffer;
  thumbnailWidth: number;
  thumbnailHeight: number;
  takenAt?: string;
  location?: { lat: number; lng: number };
}

/** Degrees from EXIF's [degrees, minutes, seconds] and its N/S or E/W reference. */
function degrees(dms: unknown, ref: unknown): number | undefined {
  if (!Array.isArray(dms) || dms.length < 1) return undefined;
  const [d = 0, m = 0, s = 0] = dms.map(Number);
  const value = d + m / 60 + s / 3600;
  return ref === 'S' || ref === 'W' ? -value : value;
}

async function readExif(exif: Buffer | undefined): Promise<Pick<ProcessedPhoto, 'takenAt' | 'location'>> {
  if (!exif) return {};
  try {
    // Like sharp, only where photos are processed (external to the bundles, in the layer).
    const { default: exifReader } = await import('exif-reader');
    const tags = exifReader(exif);
    const takenAt = exifDateTime(tags.Photo?.DateTimeOriginal ?? tags.Image?.DateTime);
    const gps = tags.GPSInfo;
    const location = gps
      ? plausibleLocation(
          degrees(gps.GPSLatitude, gps.GPSLatitudeRef),
          degrees(gps.GPSLongitude, gps.GPSLongitudeRef),
        )
      : undefined;
    return { ...(takenAt ? { takenAt } : {}), ...(location ? { location } : {}) };
  } catch {
    // Broken EXIF is no reason to refuse a photo; it just has no capture time or place.
    return {};
  }
}

/**
 * Decodes the whole image (not just its header: a PNG header on garbage fails here) and, when it is
 * a photo we take, re-encodes it: upright by its EXIF orientation, JPEG, no metadata (EXIF, XMP, ICC
 * profiles dropped), plus a thumbnail. Capture time and GPS are read from the EXIF first.
 */
export async function processPhoto(bytes: Buffer): Promise<ProcessResult> {
  const s = await sharp();
  let meta: Awaited<ReturnType<ReturnType<Sharp>['metadata']>>;
  try {
    // failOn 'error': a truncated or corrupt image is refused, not decoded with grey bands.
    meta = await s(bytes, { failOn: 'error', limitInputPixels: 100_000_000 }).metadata();
  } catch {
    return { kind: 'refused', decoded: undefined };
  }
  const animated = (meta.pages ?? 1) > 1;
  const decoded: DecodedImage = {
    format: animated ? 'animated' : (meta.format ?? ''),
    width: meta.width ?? 0,
    height: meta.height ?? 0,
  };
  if (!['jpeg', 'png', 'webp'].includes(decoded.format)) return { kind: 'refused', decoded };
  try {
    const base = () => s(bytes, { failOn: 'error', limitInputPixels: 100_000_000 }).rotate();
    const photo = await base()
      .resize({ width: PHOTO_MAX_SIDE, height: PHOTO_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 82, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    const thumb = await s(photo.data)
      .resize({ width: THUMBNAIL_SIDE, height: THUMBNAIL_SIDE, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 75, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    const processed: ProcessedPhoto = {
      photo: photo.data,
      width: photo.info.width,
      height: photo.info.height,
      thumbnail: thumb.data,
      thumbnailWidth: thumb.info.width,
      thumbnailHeight: thumb.info.height,
      ...(await readExif(meta.exif)),
    };
    return { kind: 'photo', photo: processed };
  } catch {
    // The header read but the pixels did not decode (truncated, garbage after a valid header).
    return { kind: 'refused', decoded: undefined };
  }
}
