/**
 * Pictures for the demo county's evidence photos (docs/photos.md), drawn with sharp: a scene in flat
 * colours (sky, ground, a wall or a channel) that differs between "before" and "after", with a camera's
 * capture time and a GPS position in Gansu in its EXIF, as a phone would send them.
 */
export type DemoScene = 'before' | 'after';

const SCENES: Record<DemoScene, (n: number) => string> = {
  before: (n) => `
    <rect width="640" height="480" fill="#9ec3e6"/>
    <rect y="300" width="640" height="180" fill="#b08a5a"/>
    <rect x="${120 + (n % 3) * 40}" y="190" width="260" height="120" fill="#8c8c8c"/>
    <path d="M${150 + (n % 3) * 40} 200 l60 90 l40 -70 l30 80" stroke="#3b3b3b" stroke-width="8" fill="none"/>
    <circle cx="520" cy="380" r="40" fill="#6b4f2f"/>`,
  after: (n) => `
    <rect width="640" height="480" fill="#a9d1f2"/>
    <rect y="300" width="640" height="180" fill="#7fa85a"/>
    <rect x="${120 + (n % 3) * 40}" y="190" width="260" height="120" fill="#d9d4c7"/>
    <rect x="${120 + (n % 3) * 40}" y="180" width="260" height="14" fill="#b03a2e"/>
    <circle cx="520" cy="380" r="30" fill="#4f8a3a"/>`,
};

export async function demoPhoto(scene: DemoScene, n: number, takenOn: string): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">${SCENES[scene](n)}</svg>`;
  const lat = 36 + (n % 7) * 0.05;
  const lng = 103.5 + (n % 5) * 0.07;
  const dms = (v: number) => {
    const d = Math.floor(v);
    const m = Math.floor((v - d) * 60);
    const s = Math.round(((v - d) * 60 - m) * 60 * 100);
    return `${d}/1 ${m}/1 ${s}/100`;
  };
  return sharp(Buffer.from(svg))
    .jpeg({ quality: 80 })
    .withExif({
      IFD0: { Make: 'Baocun demo', Model: 'phone' },
      IFD2: {
        DateTimeOriginal: `${takenOn.replaceAll('-', ':')} ${scene === 'before' ? '09:40:00' : '15:20:00'}`,
      },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: dms(lat), GPSLongitudeRef: 'E', GPSLongitude: dms(lng) },
    })
    .toBuffer();
}
