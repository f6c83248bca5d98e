import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * HTTP requests with headers fetch will not send as given (Host), to servers with a self-signed
 * certificate, and with a declared Content-Length whose body is never sent: what a test of the
 * gateway's own checks needs.
 */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
  /** Send the headers only and wait for the answer (a server that answers before reading the body). */
  withholdBody?: boolean;
  timeoutMs?: number;
}

export function raw(baseUrl: string, options: RawRequest): Promise<RawResponse> {
  const url = new URL(options.path, baseUrl);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        rejectUnauthorized: false,
        agent: false,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
          if (options.withholdBody) req.destroy();
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`no answer to ${options.method ?? 'GET'} ${options.path}`)),
    );
    req.on('error', (error) => {
      if (!options.withholdBody) reject(error);
    });
    if (options.withholdBody) {
      req.flushHeaders();
      return;
    }
    req.end(options.body);
  });
}

/** The cookie lines of a response, by cookie name. */
export function setCookies(headers: IncomingHttpHeaders): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of headers['set-cookie'] ?? []) out.set(line.slice(0, line.indexOf('=')), line);
  return out;
}
