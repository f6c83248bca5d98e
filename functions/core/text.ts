/** Names are trimmed, inner runs of white space collapsed, and normalised to NFC, once, on the way in. */
export function normalizeName(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

/** Free text keeps its line breaks but loses trailing white space and is NFC-normalised. */
export function normalizeText(value: string): string {
  return value.normalize('NFC').trim();
}
