import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TooManyAttemptsError } from '../../../functions/accounts/errors.ts';
import { changePassword, signIn } from '../../../functions/accounts/service.ts';
import { API_TOKEN_SECONDS } from '../../../functions/accounts/tokens.ts';
import { AppError, BadRequestError, UnsupportedMediaTypeError } from '../../../functions/errors.ts';
import { parseOrThrow } from '../../../functions/http/validation.ts';
import { changePasswordBody, signInBody } from '../../../functions/schemas/accounts.ts';
import { sendJson } from '../gateway.ts';

/**
 * County mode's stand-in for Cognito's token endpoint, served by the local gateway beside the routes
 * (like /local/token in demo and dev mode, which county mode does not have):
 *
 * - `POST /auth/token` `{username, password}` → 200 `{token, expiresAt}`, a 12-hour token with the
 *   Cognito ID token's claims that every API route accepts;
 * - `POST /auth/password` `{username, password, newPassword}` → 200 `{token, expiresAt}`.
 *
 * Errors in the API's shape `{error: {code, message, fields?}, requestId}`: 400 VALIDATION_FAILED,
 * 401 BAD_CREDENTIALS, 403 PASSWORD_CHANGE_REQUIRED, 429 TOO_MANY_ATTEMPTS (with Retry-After), 415
 * for anything but JSON (so no cross-site HTML form can post here: a JSON post from another site needs a
 * CORS preflight, which is never granted). Outside county mode the paths do not exist (404).
 */
export interface AuthRoutesOptions {
  /** Whether the stack runs in county mode (the routes exist only then). */
  county: boolean;
  /** The client address, as the gateway determines it (the socket's, or a trusted proxy's). */
  sourceIp(req: IncomingMessage): string;
  log?: (line: Record<string, unknown>) => void;
}

const PATHS = new Set(['/auth/token', '/auth/password']);

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, body, { ...JSON_HEADERS, ...headers });
}

function parseJson(req: IncomingMessage, body: Buffer): unknown {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new UnsupportedMediaTypeError('请以 application/json 发送');
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequestError('INVALID_JSON', '请求内容不是有效的 JSON');
  }
}

export function createAuthRoutes(options: AuthRoutesOptions) {
  return async function authRoutes(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!options.county || !PATHS.has(url.pathname)) return false;
    const requestId = randomUUID();
    if (req.method !== 'POST') {
      send(
        res,
        405,
        { error: { code: 'METHOD_NOT_ALLOWED', message: '只支持 POST' }, requestId },
        { allow: 'POST' },
      );
      return true;
    }
    const sourceIp = options.sourceIp(req);
    try {
      const raw = parseJson(req, body);
      if (url.pathname === '/auth/token') {
        const input = parseOrThrow(signInBody, raw, 'body');
        const issued = await signIn({ ...input, sourceIp, via: 'api', requestId }, API_TOKEN_SECONDS);
        send(res, 200, { token: issued.token, expiresAt: issued.expiresAt });
      } else {
        const input = parseOrThrow(changePasswordBody, raw, 'body');
        const issued = await changePassword({ ...input, sourceIp, via: 'api', requestId }, API_TOKEN_SECONDS);
        send(res, 200, { token: issued.token, expiresAt: issued.expiresAt });
      }
    } catch (error) {
      if (error instanceof AppError && error.status < 500) {
        send(
          res,
          error.status,
          {
            error: {
              code: error.code,
              message: error.message,
              ...(error.fields ? { fields: error.fields } : {}),
            },
            requestId,
          },
          error instanceof TooManyAttemptsError ? { 'retry-after': String(error.retryAfterSeconds) } : {},
        );
      } else {
        options.log?.({
          level: 'error',
          msg: 'sign-in failed',
          requestId,
          error:
            error instanceof Error
              ? { name: error.name, message: error.message, stack: error.stack }
              : String(error),
        });
        send(res, 500, { error: { code: 'INTERNAL', message: '服务器内部错误，请稍后重试' }, requestId });
      }
    }
    return true;
  };
}
