/** Names are trimmed, inner runs of white space collapsed, and normalised to NFC, once, on the way in. */
export function normalizeName(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

/**
 * Free text keeps its line breaks (CRLF and CR, as browsers send a textarea, become LF) but loses
 * leading and trailing white space, and is NFC-normalised.
 */
export function normalizeText(value: string): string {
  return value.normalize('NFC').replace(/\r\n?/g, '\n').trim();
}

/**
 * Whether text holds a control character other than a tab or a line break (LF, or CR as in CRLF,
 * which normalising turns into LF): C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F).
 */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}
