import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The fonts printed into every PDF, shipped with the project from npm (OFL-1.1) so a notice looks the
 * same printed on a county machine and on Lambda, where there are no system CJK fonts at all.
 *
 * Chromium embeds system CJK collections (and any bold it has to fake) as Type 3 fonts; web fonts
 * loaded by `@font-face` come out as subset CID TrueType. So the renderer hands Chromium the
 * document with `@font-face` rules for these faces, as data URLs of only the woff2 slices whose
 * `unicode-range` covers characters of that document (the packages split each weight into ~100
 * slices), and turns off synthetic bold and italic.
 *
 * GB/T 9704 roles and their open substitutes (docs/documents.md says why):
 * - 小标宋 (mark, title)   → Noto Serif SC Bold
 * - 仿宋 (body)            → Noto Serif SC Regular (no OFL 仿宋 is published on npm)
 * - 黑体 (level-1 heading) → Noto Sans SC Medium
 * - 楷体 (level-2 heading) → LXGW WenKai Regular
 * Only these four weights ship (the Lambda layer copies exactly these files: DOCUMENT_FONT_FILES).
 */
export interface FontFace {
  /** The family name print.css asks for. */
  family: string;
  /** npm package and the stylesheet in it that lists the weight's slices. */
  pkg: string;
  css: string;
  /** The slices' file names start with this (to copy only this weight into the layer). */
  filePrefix: string;
  /** What the face stands in for, and what it is. */
  role: string;
  face: string;
}

export const DOCUMENT_FONTS = {
  xiaobiaosong: {
    family: 'Baocun XiaoBiaoSong',
    pkg: '@fontsource/noto-serif-sc',
    css: '700.css',
    filePrefix: 'files/noto-serif-sc-',
    role: '小标宋',
    face: 'Noto Serif SC Bold',
  },
  fangsong: {
    family: 'Baocun FangSong',
    pkg: '@fontsource/noto-serif-sc',
    css: '400.css',
    filePrefix: 'files/noto-serif-sc-',
    role: '仿宋',
    face: 'Noto Serif SC Regular',
  },
  heiti: {
    family: 'Baocun HeiTi',
    pkg: '@fontsource/noto-sans-sc',
    css: '500.css',
    filePrefix: 'files/noto-sans-sc-',
    role: '黑体',
    face: 'Noto Sans SC Medium',
  },
  kaiti: {
    family: 'Baocun KaiTi',
    pkg: 'lxgw-wenkai-webfont',
    css: 'lxgwwenkai-regular.css',
    filePrefix: 'files/lxgwwenkai-regular-',
    role: '楷体',
    face: 'LXGW WenKai Regular',
  },
} as const satisfies Record<string, FontFace>;

interface Slice {
  file: string;
  ranges: Array<[number, number]>;
}

/**
 * Where a font package lives: beside the sources (node_modules, locally and in tests), or in the
 * Lambda layer (/opt/nodejs/node_modules, which Lambda also puts on NODE_PATH).
 */
export function fontPackageDir(pkg: string): string {
  const roots: string[] = [];
  if (process.env.FONTS_DIR) roots.push(resolve(process.env.FONTS_DIR));
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    roots.push(join(dir, 'node_modules'));
    if (dirname(dir) === dir) break;
  }
  for (const p of (process.env.NODE_PATH ?? '').split(':')) if (p) roots.push(resolve(p));
  roots.push('/opt/nodejs/node_modules');
  const found = roots.map((root) => join(root, pkg)).find((dir) => existsSync(join(dir, 'package.json')));
  if (!found) throw new Error(`font package ${pkg} is not installed (looked in ${roots.join(', ')})`);
  return found;
}

/** `U+4e00-9fff, U+3000, U+4??` → inclusive code point ranges. */
export function parseUnicodeRange(value: string): Array<[number, number]> {
  return value.split(',').flatMap((part): Array<[number, number]> => {
    const m = /^\s*U\+([0-9a-f?]+)(?:-([0-9a-f]+))?\s*$/i.exec(part);
    if (!m) return [];
    const [, from = '', to] = m;
    if (from.includes('?'))
      return [[Number.parseInt(from.replace(/\?/g, '0'), 16), Number.parseInt(from.replace(/\?/g, 'f'), 16)]];
    const start = Number.parseInt(from, 16);
    return [[start, to ? Number.parseInt(to, 16) : start]];
  });
}

/** The woff2 slices a package stylesheet lists, with their unicode ranges. */
export function parseSlices(css: string): Slice[] {
  const slices: Slice[] = [];
  for (const block of css.match(/@font-face\s*{[^}]*}/g) ?? []) {
    const file = /url\(\s*['"]?\.\/([^'")]+\.woff2)['"]?\s*\)/.exec(block)?.[1];
    const range = /unicode-range:\s*([^;}]+)/.exec(block)?.[1];
    if (file) slices.push({ file, ranges: range ? parseUnicodeRange(range) : [[0, 0x10ffff]] });
  }
  return slices;
}

const slicesOf = new Map<string, { dir: string; slices: Slice[] }>();
function faceSlices(face: FontFace) {
  const key = `${face.pkg}/${face.css}`;
  let entry = slicesOf.get(key);
  if (!entry) {
    const dir = fontPackageDir(face.pkg);
    entry = { dir, slices: parseSlices(readFileSync(join(dir, face.css), 'utf8')) };
    if (!entry.slices.length) throw new Error(`${key} lists no woff2 slices`);
    slicesOf.set(key, entry);
  }
  return entry;
}

/** Every woff2 file a face may load, relative to its package (what the Lambda layer must hold). */
export function faceFiles(face: FontFace): string[] {
  return faceSlices(face).slices.map((s) => s.file);
}

// Slices are small (20–90 KB) and the same few serve every document: keep them once per process.
const dataUrls = new Map<string, string>();
function dataUrl(path: string): string {
  let url = dataUrls.get(path);
  if (!url) {
    url = `data:font/woff2;base64,${readFileSync(path).toString('base64')}`;
    dataUrls.set(path, url);
  }
  return url;
}

/**
 * `@font-face` rules (data URLs) for every slice of every document face that covers a character of
 * `text`. Each face is declared for every weight (`100 900`) and synthesis is off, so a heading set
 * bold never gets a faked bold (which Chromium would embed as Type 3).
 */
export function fontFaceCss(text: string): string {
  const used = new Set<number>();
  for (const ch of text) used.add(ch.codePointAt(0)!);
  const codes = [...used].sort((a, b) => a - b);
  // Is any used code point within [lo, hi]? The first one not below lo, by bisection, tells.
  const hit = (lo: number, hi: number) => {
    let a = 0;
    let b = codes.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (codes[m]! < lo) a = m + 1;
      else b = m;
    }
    return a < codes.length && codes[a]! <= hi;
  };
  const covers = (ranges: Array<[number, number]>) => ranges.some(([lo, hi]) => hit(lo, hi));
  const rules: string[] = [];
  for (const face of Object.values(DOCUMENT_FONTS)) {
    const { dir, slices } = faceSlices(face);
    for (const slice of slices) {
      if (!covers(slice.ranges)) continue;
      const range = slice.ranges
        .map(([lo, hi]) => (lo === hi ? `U+${lo.toString(16)}` : `U+${lo.toString(16)}-${hi.toString(16)}`))
        .join(',');
      rules.push(
        `@font-face{font-family:"${face.family}";font-style:normal;font-weight:100 900;font-display:block;` +
          `src:url(${dataUrl(join(dir, slice.file))}) format("woff2");unicode-range:${range}}`,
      );
    }
  }
  return `${rules.join('\n')}\nhtml{font-synthesis:none}`;
}

/** The document with the fonts' rules added to its head (after its own style, which names the families). */
export function withDocumentFonts(html: string): string {
  const style = `<style data-fonts>${fontFaceCss(html)}</style>`;
  const at = html.search(/<\/head>/i);
  return at < 0 ? style + html : html.slice(0, at) + style + html.slice(at);
}
