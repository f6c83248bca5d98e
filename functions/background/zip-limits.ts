import { createInflateRaw } from 'node:zlib';

/**
 * A size check for zip archives (an .xlsx workbook is one) before a library unpacks them in memory.
 * A 4 MB upload can hold gigabytes of XML (a "zip bomb"); exceljs would inflate all of it, and the
 * worker with it. The central directory says how large each entry is, but it is written by the
 * sender, so every entry is also inflated here as a stream, counting bytes and keeping none, and the
 * check stops as soon as the total passes the limit.
 */

/** Largest total uncompressed size of an import workbook: far above any real roster (MAX_IMPORT_ROWS rows). */
export const MAX_WORKBOOK_UNCOMPRESSED_BYTES = 50 * 1024 * 1024;
/** A workbook has a few dozen parts; thousands of entries are no spreadsheet. */
export const MAX_WORKBOOK_ENTRIES = 2000;

export type ZipCheck =
  | { ok: true; entries: number; uncompressedBytes: number }
  | { ok: false; reason: 'TOO_LARGE'; uncompressedBytes: number }
  | { ok: false; reason: 'TOO_MANY_ENTRIES'; entries: number }
  | { ok: false; reason: 'MALFORMED' };

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const ZIP64_MARKER = 0xffffffff;

interface Entry {
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  dataStart: number;
}

function readEntries(bytes: Buffer): Entry[] | undefined {
  // The end record is in the last 22 + 65535 (comment) bytes.
  let end = bytes.length - 22;
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  while (end >= stop && bytes.readUInt32LE(end) !== END_OF_CENTRAL_DIRECTORY) end--;
  if (end < stop) return undefined;
  const count = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== CENTRAL_FILE_HEADER) return undefined;
    const method = bytes.readUInt16LE(at + 10);
    const compressedSize = bytes.readUInt32LE(at + 20);
    const uncompressedSize = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const local = bytes.readUInt32LE(at + 42);
    if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== LOCAL_FILE_HEADER) return undefined;
    const dataStart = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    if (dataStart + compressedSize > bytes.length) return undefined;
    entries.push({ method, compressedSize, uncompressedSize, dataStart });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Inflates one entry as a stream and counts its bytes, giving up once `budget` is passed. */
function inflatedSize(data: Buffer, budget: number): Promise<number | 'over' | 'bad'> {
  return new Promise((resolve) => {
    const inflate = createInflateRaw();
    let size = 0;
    let settled = false;
    const settle = (value: number | 'over' | 'bad') => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    inflate.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > budget) {
        settle('over');
        inflate.destroy();
      }
    });
    inflate.on('end', () => settle(size));
    inflate.on('error', () => settle('bad'));
    inflate.end(data);
  });
}

export async function checkZipSize(
  bytes: Buffer,
  limits: { maxUncompressedBytes: number; maxEntries: number } = {
    maxUncompressedBytes: MAX_WORKBOOK_UNCOMPRESSED_BYTES,
    maxEntries: MAX_WORKBOOK_ENTRIES,
  },
): Promise<ZipCheck> {
  let entries: Entry[] | undefined;
  try {
    entries = readEntries(bytes);
  } catch {
    entries = undefined;
  }
  if (!entries) return { ok: false, reason: 'MALFORMED' };
  if (entries.length > limits.maxEntries)
    return { ok: false, reason: 'TOO_MANY_ENTRIES', entries: entries.length };
  // First what the archive declares (cheap), then what its entries really inflate to.
  const declared = entries.reduce(
    (sum, e) => sum + (e.uncompressedSize === ZIP64_MARKER ? Number.POSITIVE_INFINITY : e.uncompressedSize),
    0,
  );
  if (declared > limits.maxUncompressedBytes) {
    return { ok: false, reason: 'TOO_LARGE', uncompressedBytes: declared };
  }
  let total = 0;
  for (const entry of entries) {
    const data = bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
    const budget = limits.maxUncompressedBytes - total;
    if (entry.method === 0) {
      total += data.length;
    } else if (entry.method === 8) {
      const size = await inflatedSize(data, budget);
      if (size === 'bad') return { ok: false, reason: 'MALFORMED' };
      if (size === 'over') return { ok: false, reason: 'TOO_LARGE', uncompressedBytes: total + budget + 1 };
      total += size;
    } else {
      return { ok: false, reason: 'MALFORMED' };
    }
    if (total > limits.maxUncompressedBytes)
      return { ok: false, reason: 'TOO_LARGE', uncompressedBytes: total };
  }
  return { ok: true, entries: entries.length, uncompressedBytes: total };
}
