/**
 * Keeps a photo's EXIF block (capture time, GPS) across the phone-side shrink. A canvas re-encode
 * drops every marker, but the server keeps the capture time and place as evidence, so the original
 * JPEG's APP1 Exif segment is copied into the shrunk JPEG, with its orientation set to "as stored"
 * (the pixels were already turned upright when decoded) and the embedded thumbnail unlinked. The
 * server strips everything else of EXIF when it re-encodes. PNG and WebP originals carry nothing.
 */
const SOI = 0xffd8;
const APP1 = 0xffe1;
const ORIENTATION = 0x0112;

/** The original's APP1 `Exif\0\0` segment (marker and length included), or undefined. */
export function exifSegment(jpeg: ArrayBuffer): Uint8Array | undefined {
  const view = new DataView(jpeg);
  if (view.byteLength < 4 || view.getUint16(0) !== SOI) return undefined;
  let at = 2;
  while (at + 4 <= view.byteLength) {
    const marker = view.getUint16(at);
    // Start of scan: no more metadata segments.
    if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return undefined;
    const length = view.getUint16(at + 2);
    if (length < 2 || at + 2 + length > view.byteLength) return undefined;
    if (
      marker === APP1 &&
      length >= 8 &&
      view.getUint32(at + 4) === 0x45786966 /* Exif */ &&
      view.getUint16(at + 8) === 0
    ) {
      return uprightCopy(new Uint8Array(jpeg, at, 2 + length));
    }
    at += 2 + length;
  }
  return undefined;
}

/** A copy of the segment with orientation 1 and no link to the thumbnail (IFD1). */
function uprightCopy(segment: Uint8Array): Uint8Array | undefined {
  const copy = segment.slice();
  const tiff = 10; // marker (2) + length (2) + "Exif\0\0" (6)
  const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
  if (copy.byteLength < tiff + 8) return undefined;
  const order = view.getUint16(tiff);
  if (order !== 0x4949 && order !== 0x4d4d) return undefined;
  const little = order === 0x4949;
  const ifd0 = tiff + view.getUint32(tiff + 4, little);
  if (ifd0 + 2 > copy.byteLength) return undefined;
  const count = view.getUint16(ifd0, little);
  const end = ifd0 + 2 + count * 12;
  if (end + 4 > copy.byteLength) return copy;
  for (let i = 0; i < count; i++) {
    const entry = ifd0 + 2 + i * 12;
    if (view.getUint16(entry, little) === ORIENTATION) view.setUint16(entry + 8, 1, little);
  }
  view.setUint32(end, 0, little);
  return copy;
}

/** `jpeg` with `segment` inserted after its start-of-image marker (and its JFIF APP0, if any). */
export async function withExif(jpeg: Blob, segment: Uint8Array | undefined): Promise<Blob> {
  if (!segment) return jpeg;
  const head = new DataView(await jpeg.slice(0, 6).arrayBuffer());
  if (head.byteLength < 6 || head.getUint16(0) !== SOI) return jpeg;
  const at = head.getUint16(2) === 0xffe0 ? 4 + head.getUint16(4) : 2;
  const bytes = segment.buffer.slice(
    segment.byteOffset,
    segment.byteOffset + segment.byteLength,
  ) as ArrayBuffer;
  return new Blob([jpeg.slice(0, at), bytes, jpeg.slice(at)], { type: 'image/jpeg' });
}
