import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server for the tests (the `smtp-server` package) that keeps every message it accepts,
 * and a small MIME reader to look inside them: headers (RFC 2047 words decoded), the text and HTML
 * parts, attachments.
 */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface TestSmtp {
  url: string;
  received: ReceivedMail[];
  to(address: string): ParsedMail[];
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    to: (address) => received.filter((m) => m.to.includes(address)).map((m) => parseMail(m.raw)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface MailPart {
  headers: Record<string, string>;
  contentType: string;
  filename?: string;
  body: Buffer;
}

export interface ParsedMail {
  headers: Record<string, string>;
  subject: string;
  parts: MailPart[];
  text: string;
  html: string;
  attachments: MailPart[];
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _charset, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(
            data
              .replace(/_/g, ' ')
              .replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

function splitHead(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(body: string, encoding: string | undefined): Buffer {
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (encoding?.toLowerCase() === 'quoted-printable') {
    return Buffer.from(
      body
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    );
  }
  return Buffer.from(body, 'utf8');
}

/** `filename="…"`, or RFC 2231 `filename*0*=utf-8''%E5…` pieces joined and percent-decoded. */
function filenameOf(disposition: string): string | undefined {
  const plain = /filename="?([^";]+)"?/i.exec(disposition)?.[1];
  if (plain) return decodeWords(plain);
  const pieces = [...disposition.matchAll(/filename\*(\d*)\*?="?([^";]*)"?/gi)]
    .sort((a, b) => Number(a[1] || 0) - Number(b[1] || 0))
    .map((m) => m[2] ?? '');
  if (!pieces.length) return undefined;
  return decodeURIComponent(pieces.join('').replace(/^[^']*'[^']*'/, ''));
}

function leaves(raw: string): MailPart[] {
  const { headers, body } = splitHead(raw);
  const contentType = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (contentType.toLowerCase().startsWith('multipart/') && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((chunk) => !chunk.startsWith('--'))
      .flatMap((chunk) => leaves(chunk.replace(/^\r\n/, '')));
  }
  const filename = filenameOf(headers['content-disposition'] ?? '');
  return [
    {
      headers,
      contentType: contentType.split(';')[0]!.trim().toLowerCase(),
      ...(filename ? { filename: decodeWords(filename) } : {}),
      body: decodeBody(body.replace(/\r\n$/, ''), headers['content-transfer-encoding']),
    },
  ];
}

export function parseMail(raw: string): ParsedMail {
  const { headers } = splitHead(raw);
  const parts = leaves(raw);
  const inline = parts.filter((p) => !(p.headers['content-disposition'] ?? '').startsWith('attachment'));
  return {
    headers,
    subject: headers.subject ?? '',
    parts,
    text: inline.find((p) => p.contentType === 'text/plain')?.body.toString('utf8') ?? '',
    html: inline.find((p) => p.contentType === 'text/html')?.body.toString('utf8') ?? '',
    attachments: parts.filter((p) => (p.headers['content-disposition'] ?? '').startsWith('attachment')),
  };
}
