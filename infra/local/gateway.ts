import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiEvent, ApiResult } from '../../functions/http/api-handler.ts';

/**
 * A local API Gateway (HTTP API, payload format 2.0): matches routes, checks the bearer token the way
 * the JWT authorizer does (401 before the function runs), builds the v2 event and calls the same
 * handler function Lambda runs.
 */
export type LambdaHandler = (event: ApiEvent, context: LambdaContextLike) => Promise<ApiResult>;

export interface LambdaContextLike {
  awsRequestId: string;
  functionName: string;
  getRemainingTimeInMillis(): number;
  callbackWaitsForEmptyEventLoop: boolean;
}

export interface GatewayRoute {
  method: string;
  path: string;
  /** Whether the JWT authorizer guards this route. */
  authorized: boolean;
  functionName: string;
  handler: LambdaHandler;
  /** Overrides API Gateway's 29 s limit (only the local jobs route: it runs a whole job before answering). */
  timeoutMs?: number;
}

export interface GatewayOptions {
  port: number;
  host?: string;
  routes: GatewayRoute[];
  verifyToken(token: string): Promise<Record<string, string> | undefined>;
  /** Requests no route matched go here first (local-only extras such as /local/token). */
  fallback?: (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<boolean>;
  log?: (line: Record<string, unknown>) => void;
}

const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024; // API Gateway's limit
const TIMEOUT_MS = 29_000; // API Gateway's integration timeout

interface CompiledRoute extends GatewayRoute {
  pattern: RegExp;
  names: string[];
  specificity: number;
}

function compile(route: GatewayRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((part) => {
      const m = /^\{(\w+)(\+?)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1]!);
      return m[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { ...route, names, pattern: new RegExp(`^${source}$`), specificity: route.path.split('{').length };
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_PAYLOAD_BYTES ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function isTextual(contentType: string | undefined, body: Buffer): boolean {
  // No content type: decide by the bytes, so invalid UTF-8 reaches the handler base64-encoded
  // (and is refused there) instead of being silently replaced with U+FFFD here.
  if (
    contentType &&
    !/^(text\/|application\/(json|.*\+json|x-www-form-urlencoded|xml|javascript))/i.test(contentType)
  ) {
    return false;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** API Gateway names an ANY route `ANY /path`; others by method and path. */
function routeKeyOf(route: { method: string; path: string }): string {
  return `${route.method} ${route.path}`;
}

export function buildEvent(
  req: IncomingMessage,
  url: URL,
  route: CompiledRoute,
  match: RegExpExecArray,
  body: Buffer,
  claims: Record<string, string> | undefined,
): ApiEvent {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') {
      cookies.push(...String(value).split(/;\s*/).filter(Boolean));
      continue;
    }
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const pathParameters: Record<string, string> = {};
  route.names.forEach((name, i) => {
    pathParameters[name] = decodeURIComponent(match[i + 1] ?? '');
  });
  const textual = isTextual(req.headers['content-type'], body);
  const now = new Date();
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey: routeKeyOf(route),
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(route.names.length ? { pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      ...(claims
        ? { authorizer: { jwt: { claims, scopes: [] }, principalId: '', integrationLatency: 0 } }
        : {}),
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: routeKeyOf(route),
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
  } as ApiEvent;
}

export async function startGateway(
  options: GatewayOptions,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const routes = options.routes.map(compile).sort((a, b) => a.specificity - b.specificity);
  const log = options.log ?? (() => {});

  const server = createServer(async (req, res) => {
    const started = Date.now();
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = await readBody(req);
      if (body === 'too-large') return send(res, 413, { message: 'Request Entity Too Large' });
      const method = (req.method ?? 'GET').toUpperCase();
      let matched: { route: CompiledRoute; match: RegExpExecArray } | undefined;
      for (const route of routes) {
        const methodMatches =
          route.method === 'ANY' || route.method === method || (method === 'HEAD' && route.method === 'GET');
        if (!methodMatches) continue;
        const match = route.pattern.exec(url.pathname);
        if (match) {
          matched = { route, match };
          break;
        }
      }
      if (!matched) {
        if (options.fallback && (await options.fallback(req, res, body))) return;
        return send(res, 404, { message: 'Not Found' });
      }
      const { route, match } = matched;
      let claims: Record<string, string> | undefined;
      if (route.authorized) {
        const auth = req.headers.authorization ?? '';
        const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
        claims = token ? await options.verifyToken(token) : undefined;
        if (!claims) return send(res, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
      }
      const event = buildEvent(req, url, route, match, body, claims);
      const timeoutMs = route.timeoutMs ?? TIMEOUT_MS;
      const deadline = Date.now() + timeoutMs;
      const context: LambdaContextLike = {
        awsRequestId: event.requestContext.requestId,
        functionName: route.functionName,
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        callbackWaitsForEmptyEventLoop: false,
      };
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        route.handler(event, context),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
      if (result === 'timeout') return send(res, 503, { message: 'Service Unavailable' });
      const headers: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
      if (result.cookies?.length) headers['set-cookie'] = result.cookies;
      const payload =
        result.body === undefined
          ? ''
          : result.isBase64Encoded
            ? Buffer.from(result.body, 'base64')
            : result.body;
      res.writeHead(result.statusCode ?? 200, headers);
      res.end(method === 'HEAD' ? undefined : payload);
      log({ method, path: url.pathname, status: result.statusCode, ms: Date.now() - started });
    } catch (error) {
      log({ error: (error as Error).message });
      if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
      else res.end();
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
