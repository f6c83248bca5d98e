import type { SmsConfig } from './config.ts';

/**
 * The text-message port: hand one text to one phone. One adapter, generic HTTP: the request is built
 * from the configuration (URL, method, headers, body template), so a county points it at its 政务短信
 * platform or at an HTTP gateway in front of a cloud SMS service without code (docs/news.md).
 * Success is a 2xx answer and, when configured, a field of the JSON answer with the expected value.
 */
export interface SmsTransport {
  readonly kind: string;
  send(message: { phone: string; text: string; id: string }): Promise<{ providerId?: string }>;
}

export class SmsRefusedError extends Error {
  override readonly name = 'SmsRefusedError';
}

type Escape = (value: string) => string;

const asJsonString: Escape = (value) => JSON.stringify(value).slice(1, -1);
const asForm: Escape = (value) => encodeURIComponent(value);
const asIs: Escape = (value) => value;

/** `{{phone}}`, `{{text}}` and `{{id}}` replaced, each escaped for where it lands. */
export function fill(template: string, values: Record<'phone' | 'text' | 'id', string>, encode: Escape) {
  return template.replace(/\{\{\s*(phone|text|id)\s*\}\}/g, (_m, name: 'phone' | 'text' | 'id') =>
    encode(values[name]),
  );
}

function bodyEscape(contentType: string | undefined): Escape {
  if (contentType?.includes('json')) return asJsonString;
  if (contentType?.includes('x-www-form-urlencoded')) return asForm;
  return asIs;
}

function field(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.')) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export function httpSmsTransport(config: SmsConfig, fetchImpl: typeof fetch = fetch): SmsTransport {
  return {
    kind: 'http',
    async send(message) {
      const url = fill(config.url, message, asForm);
      const body =
        config.method === 'GET'
          ? undefined
          : fill(config.body, message, bodyEscape(config.headers['content-type']));
      const res = await fetchImpl(url, {
        method: config.method,
        headers: config.headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(config.timeoutMs),
        redirect: 'error',
      });
      const text = await res.text();
      if (res.status < 200 || res.status > 299) {
        throw new SmsRefusedError(`gateway answered ${res.status}: ${text.slice(0, 200)}`);
      }
      if (config.successField) {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new SmsRefusedError(`gateway answer is not JSON: ${text.slice(0, 200)}`);
        }
        const got = field(json, config.successField);
        if (String(got) !== config.successValue) {
          throw new SmsRefusedError(
            `gateway answered ${config.successField}=${JSON.stringify(got)}: ${text.slice(0, 200)}`,
          );
        }
      }
      return {};
    },
  };
}
