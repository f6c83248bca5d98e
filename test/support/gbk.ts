/**
 * A GB18030/GBK encoder for tests (Node has a GB18030 decoder, no encoder): the two-byte table is
 * built by decoding every two-byte sequence once, which covers every Chinese character GBK has.
 */
let table: Map<string, number[]> | undefined;

function build(): Map<string, number[]> {
  const decoder = new TextDecoder('gb18030');
  const map = new Map<string, number[]>();
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const char = decoder.decode(new Uint8Array([lead, trail]));
      if (char.length === 1 && char !== '\ufffd' && !map.has(char)) map.set(char, [lead, trail]);
    }
  }
  return map;
}

export function encodeGbk(text: string): Buffer {
  table ??= build();
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) {
      bytes.push(code);
      continue;
    }
    const pair = table.get(char);
    if (!pair) throw new Error(`not in GBK: ${char}`);
    bytes.push(...pair);
  }
  return Buffer.from(bytes);
}
