import exifReader from 'exif-reader';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { exifSegment, withExif } from '../../functions/web/browser/exif.ts';

/**
 * The phone-side shrink re-encodes photos on a canvas, which drops EXIF; the page script copies the
 * original's EXIF block into the shrunk JPEG (functions/web/browser/exif.ts) so the server still
 * finds the capture time and GPS, with the orientation reset (the pixels are already upright).
 */
async function cameraJpeg(orientation: number): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 32, channels: 3, background: '#3b6fb6' } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'TestCam' },
      IFD2: { DateTimeOriginal: '2026:11:23 09:41:07' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '30/1 15/1 0/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '107/1 30/1 0/1',
      },
    })
    .withMetadata({ orientation })
    .toBuffer();
}

/** What a browser canvas gives: a bare JPEG with a JFIF header and no EXIF. */
async function canvasJpeg(): Promise<Blob> {
  const bytes = await sharp({ create: { width: 32, height: 64, channels: 3, background: '#fff' } })
    .jpeg()
    .toBuffer();
  return new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' });
}

const buffer = (b: Uint8Array | Buffer) =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

describe('EXIF kept across the phone-side shrink', () => {
  it.each([1, 3, 6, 8])(
    'keeps capture time and GPS, and sets orientation %i to upright',
    async (orientation) => {
      const original = await cameraJpeg(orientation);
      expect((await sharp(original).metadata()).orientation).toBe(orientation);

      const shrunk = await withExif(await canvasJpeg(), exifSegment(buffer(original)));
      const out = Buffer.from(await shrunk.arrayBuffer());
      const meta = await sharp(out).metadata();
      expect(meta.format).toBe('jpeg');
      // Still decodes, at the shrunk size, and is not turned again.
      expect([meta.width, meta.height]).toEqual([32, 64]);
      expect(meta.orientation ?? 1).toBe(1);
      const exif = exifReader(meta.exif!);
      expect(exif.Photo?.DateTimeOriginal).toBeInstanceOf(Date);
      expect(exif.GPSInfo?.GPSLatitude).toEqual([30, 15, 0]);
      expect(exif.GPSInfo?.GPSLongitudeRef).toBe('E');
    },
  );

  it('leaves a photo without EXIF (PNG, a screenshot) as the canvas made it', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    expect(exifSegment(buffer(png))).toBeUndefined();
    const bare = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .jpeg()
      .toBuffer();
    expect(exifSegment(buffer(bare))).toBeUndefined();
    const canvas = await canvasJpeg();
    expect(await withExif(canvas, undefined)).toBe(canvas);
  });

  it('ignores a truncated or malformed file rather than failing the photo', () => {
    expect(exifSegment(new ArrayBuffer(0))).toBeUndefined();
    expect(exifSegment(buffer(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 0x45])))).toBeUndefined();
  });
});
