/**
 * The text-message gateway, read once at cold start from the environment (docs/news.md). Off unless
 * `SMS_HTTP_URL` is set. Everything a county's SMS service needs beyond "an HTTP request carrying a
 * phone number and a text" is configuration, not code:
 *
 * | variable | default | what |
 * |---|---|---|
 * | `SMS_HTTP_URL` | — | the gateway's address; `{{phone}}`, `{{text}}`, `{{id}}` may appear in it (URL-encoded) |
 * | `SMS_HTTP_METHOD` | `POST` | `POST`, `PUT` or `GET` (GET sends no body) |
 * | `SMS_HTTP_HEADERS` | `{"content-type":"application/json"}` | a JSON object of request headers (an API key, a token) |
 * | `SMS_HTTP_BODY` | `{"phone":"{{phone}}","text":"{{text}}","id":"{{id}}"}` | the body template |
 * | `SMS_HTTP_SUCCESS_FIELD` | — | a dotted path into the JSON answer that must equal `SMS_HTTP_SUCCESS_VALUE` |
 * | `SMS_HTTP_SUCCESS_VALUE` | — | the value that field has when the gateway accepted the message |
 * | `SMS_HTTP_TIMEOUT_MS` | `10000` | how long one request may take |
 * | `SMS_SIGNATURE` | — | a signature put before each text as 【…】 (leave unset when the platform adds its own) |
 *
 * Placeholders in the body are escaped for the body's content type: inside a JSON string for
 * `application/json`, form-encoded for `application/x-www-form-urlencoded`, as is otherwise.
 */
export interface SmsConfig {
  url: string;
  method: 'POST' | 'PUT' | 'GET';
  headers: Record<string, string>;
  body: string;
  successField: string | undefined;
  successValue: string | undefined;
  timeoutMs: number;
  signature: string | undefined;
}

export const DEFAULT_SMS_BODY = '{"phone":"{{phone}}","text":"{{text}}","id":"{{id}}"}';

export class SmsConfigError extends Error {
  override readonly name = 'SmsConfigError';
}

/** The configuration in `env`, or undefined when text messages are off. Fails loudly when malformed. */
export function parseSmsConfig(env: Record<string, string | undefined>): SmsConfig | undefined {
  const url = env.SMS_HTTP_URL?.trim();
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/\{\{\s*(phone|text|id)\s*\}\}/g, 'x'));
  } catch {
    throw new SmsConfigError('SMS_HTTP_URL is not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new SmsConfigError('SMS_HTTP_URL must be http or https');
  }
  const method = (env.SMS_HTTP_METHOD?.trim().toUpperCase() || 'POST') as SmsConfig['method'];
  if (!['POST', 'PUT', 'GET'].includes(method)) {
    throw new SmsConfigError('SMS_HTTP_METHOD must be POST, PUT or GET');
  }
  let headers: Record<string, string> = { 'content-type': 'application/json' };
  if (env.SMS_HTTP_HEADERS?.trim()) {
    let value: unknown;
    try {
      value = JSON.parse(env.SMS_HTTP_HEADERS);
    } catch {
      throw new SmsConfigError('SMS_HTTP_HEADERS must be a JSON object of strings');
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new SmsConfigError('SMS_HTTP_HEADERS must be a JSON object of strings');
    }
    headers = Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
  }
  const timeoutMs = Number(env.SMS_HTTP_TIMEOUT_MS ?? 10_000);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new SmsConfigError('SMS_HTTP_TIMEOUT_MS must be a positive number');
  }
  const successField = env.SMS_HTTP_SUCCESS_FIELD?.trim() || undefined;
  return {
    url,
    method,
    headers,
    body: env.SMS_HTTP_BODY ?? DEFAULT_SMS_BODY,
    successField,
    successValue: successField ? (env.SMS_HTTP_SUCCESS_VALUE ?? '') : undefined,
    timeoutMs,
    signature: env.SMS_SIGNATURE?.trim().replace(/^【|】$/g, '') || undefined,
  };
}

let cached: { config: SmsConfig | undefined } | undefined;

export function smsConfig(): SmsConfig | undefined {
  cached ??= { config: parseSmsConfig(process.env) };
  return cached.config;
}

/** For tests and the local runtime, which set the environment before the first message. */
export function resetSmsConfig(): void {
  cached = undefined;
}
