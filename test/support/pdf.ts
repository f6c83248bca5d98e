import { execFileSync } from 'node:child_process';

/**
 * poppler's `pdffonts` as rows. Its columns are fixed-width under a dashed rule; the type has spaces
 * ("CID TrueType", "Type 3"), so the row is read from both ends: name first, then the flags from the
 * right (emb sub uni object-id gen), the rest between them being type and encoding.
 */
export interface PdfFont {
  name: string;
  type: string;
  encoding: string;
  embedded: boolean;
  subset: boolean;
  unicode: boolean;
}

export function pdfFonts(file: string): PdfFont[] {
  const out = execFileSync('pdffonts', [file], { encoding: 'utf8' });
  const lines = out.trimEnd().split('\n');
  const rule = lines[1] ?? '';
  // Column widths from the dashed rule ("----- ----- ..."), so names with odd characters still split.
  const widths = rule.split(' ').map((d) => d.length);
  return lines.slice(2).map((line) => {
    const cols: string[] = [];
    let at = 0;
    for (const w of widths) {
      cols.push(line.slice(at, at + w).trim());
      at += w + 1;
    }
    const [name = '', type = '', encoding = '', emb, sub, uni] = cols;
    return { name, type, encoding, embedded: emb === 'yes', subset: sub === 'yes', unicode: uni === 'yes' };
  });
}
