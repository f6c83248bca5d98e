import busboy from 'busboy';
import type { FormEntries } from '../client/form-data.ts';
import type { UploadedFile } from './route.ts';

/**
 * Request bodies of the pages: `application/x-www-form-urlencoded` from plain forms and the offline
 * queue, `multipart/form-data` for file uploads (roster import). Anything else is refused by the
 * caller with 415. Limits are checked before parsing.
 */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ParsedBody {
  form: FormEntries;
  files: UploadedFile[];
}

const MAX_FIELDS = 5000;

export async function parseBody(
  raw: Buffer,
  contentType: string | undefined,
  maxBytes: number,
): Promise<ParsedBody> {
  if (raw.length === 0) return { form: [], files: [] };
  if (raw.length > maxBytes) {
    throw new BodyError(
      413,
      'PAYLOAD_TOO_LARGE',
      `提交的内容过大（不能超过 ${Math.floor(maxBytes / 1024)} KB）`,
    );
  }
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new BodyError(400, 'INVALID_ENCODING', '提交的内容不是有效的 UTF-8 文本');
    }
    const entries = [...new URLSearchParams(text)];
    if (entries.length > MAX_FIELDS) throw new BodyError(413, 'TOO_MANY_FIELDS', '提交的字段过多');
    return { form: entries, files: [] };
  }
  if (type === 'multipart/form-data') return parseMultipart(raw, contentType!, maxBytes);
  throw new BodyError(415, 'UNSUPPORTED_MEDIA_TYPE', '不支持的提交格式');
}

function parseMultipart(raw: Buffer, contentType: string, maxBytes: number): Promise<ParsedBody> {
  return new Promise((resolve, reject) => {
    const form: Array<[string, string]> = [];
    const files: UploadedFile[] = [];
    let failed: BodyError | undefined;
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        defParamCharset: 'utf8',
        limits: { fileSize: maxBytes, files: 5, fields: MAX_FIELDS, fieldSize: 64 * 1024 },
      });
    } catch {
      reject(new BodyError(400, 'INVALID_MULTIPART', '上传的内容格式不正确'));
      return;
    }
    parser.on('field', (name, value) => form.push([name, value]));
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        failed = new BodyError(413, 'PAYLOAD_TOO_LARGE', '上传的文件过大');
      });
      stream.on('end', () => {
        const body = Buffer.concat(chunks);
        // An empty file input still sends a part; it is no file.
        if (body.length === 0 && !info.filename) return;
        files.push({
          field: name,
          fileName: info.filename ?? '',
          contentType: info.mimeType ?? 'application/octet-stream',
          body,
        });
      });
    });
    parser.on('error', () => reject(new BodyError(400, 'INVALID_MULTIPART', '上传的内容格式不正确')));
    parser.on('close', () => (failed ? reject(failed) : resolve({ form, files })));
    parser.end(raw);
  });
}
