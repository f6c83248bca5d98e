import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ApiEvent, ApiResult } from '../../functions/http/api-handler.ts';
import { createHostPolicy, type HostPolicy, hostName } from './hosts.ts';

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
  /**
   * Largest body this route takes (default API Gateway's 10 MB): a number, or decided per request
   * before the body is read (the pages: each page has its own limit). A larger declared
   * Content-Length is refused at once, a larger streamed body as soon as it passes the limit.
   */
  maxBodyBytes?: number | ((req: IncomingMessage, url: URL) => number | Promise<number>);
  /** The 413 answer's body (the API's error shape); default `{message}`. */
  tooLarge?: (limit: number) => unknown;
}

export interface GatewayOptions {
  port: number;
  host?: string;
  routes: GatewayRoute[];
  verifyToken(token: string): Promise<Record<string, string> | undefined>;
  /** Requests no route matched go here first (local-only extras such as /local/token). */
  fallback?: (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<boolean>;
  /** Largest body a fallback request may send. */
  fallbackMaxBodyBytes?: number;
  log?: (line: Record<string, unknown>) => void;
  /** Which Host names are answered (hosts.ts); default loopback names and the machine's own addresses. */
  hosts?: HostPolicy;
  /** Serve https with this certificate and key (PEM) instead of plain http. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * TRUST_PROXY=1: a reverse proxy in front says which scheme, host and client address the browser
   * used (X-Forwarded-Proto, -Host, -For). Never by default: a client could claim anything.
   */
  trustProxy?: boolean;
}

/** How the request reached us, as the gateway (not the client) knows it. */
export interface Transport {
  scheme: 'http' | 'https';
  trustProxy?: boolean;
}

const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024; // API Gateway's limit
const FALLBACK_MAX_BODY_BYTES = 64 * 1024;
/**
 * After refusing a body, this much more of it is read and thrown away (no memory kept), so the
 * client is still reading when the answer arrives; past it the connection is cut.
 */
const DISCARD_BYTES = 1024 * 1024;
/** API Gateway's integration timeout, for every route: work that takes longer is started asynchronously. */
export const API_GATEWAY_TIMEOUT_MS = 29_000;

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

class BodyTooLarge extends Error {}

/**
 * Reads a body of at most `limit` bytes, counting as it streams: past the limit it stops keeping
 * chunks and rejects at once, so a flood of large bodies never sits in memory.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (size <= limit) resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}

/**
 * Answers before (or instead of) reading the rest of the body: the connection is closed after the
 * answer, and what the client still sends is read and dropped up to DISCARD_BYTES (so it reads the
 * answer instead of a reset), then cut.
 */
function refuseEarly(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (!req.complete) {
    let dropped = 0;
    req.removeAllListeners('data');
    req.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > DISCARD_BYTES) req.socket.destroy();
    });
    req.on('error', () => {});
    req.resume();
    res.shouldKeepAlive = false;
  }
  sendJson(res, status, body, { ...headers, ...(req.complete ? {} : { connection: 'close' }) });
}

function continueIfAsked(req: IncomingMessage, res: ServerResponse): void {
  if (/100-continue/i.test(req.headers.expect ?? '') && !res.headersSent) res.writeContinue();
}

function declaredLength(req: IncomingMessage): number | undefined {
  const value = req.headers['content-length'];
  if (value === undefined) return undefined;
  return /^\d+$/.test(value) ? Number(value) : Number.NaN;
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

/** A JSON answer written by the local runtime itself (the gateway, its sign-in routes). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The first value of a possibly repeated, comma-joined header. */
function firstValue(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(',') : value;
  const first = joined?.split(',')[0]?.trim();
  return first || undefined;
}

/** Scheme, host and client address of a request: the listener's own, or a trusted proxy's. */
export function forwardedFacts(
  req: IncomingMessage,
  transport: Transport,
): { scheme: 'http' | 'https'; host: string | undefined; sourceIp: string } {
  const socketIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  if (!transport.trustProxy) return { scheme: transport.scheme, host: undefined, sourceIp: socketIp };
  const proto = firstValue(req.headers['x-forwarded-proto'])?.toLowerCase();
  const forwardedFor = [req.headers['x-forwarded-for']]
    .flat()
    .join(',')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return {
    scheme: proto === 'https' || proto === 'http' ? proto : transport.scheme,
    host: firstValue(req.headers['x-forwarded-host']),
    // The proxy appends the address it saw; earlier entries are whatever the client claimed.
    sourceIp: forwardedFor.at(-1) ?? socketIp,
  };
}

function decodable(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
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
  transport: Transport = { scheme: 'http' },
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
  const forwarded = forwardedFacts(req, transport);
  // Like API Gateway, the gateway itself says which scheme and client it saw; what a client sent in
  // these headers counts only behind a trusted proxy (the pages build their origin and the Secure
  // flag of their cookies from them).
  delete headers['x-forwarded-host'];
  headers['x-forwarded-proto'] = forwarded.scheme;
  headers['x-forwarded-for'] = forwarded.sourceIp;
  if (forwarded.host) headers.host = forwarded.host;
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
        sourceIp: forwarded.sourceIp,
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

export interface Gateway {
  server: Server;
  url: string;
  scheme: 'http' | 'https';
  /** Requests being answered now. */
  inFlight(): number;
  /**
   * Stops accepting, lets the requests under way finish for up to `graceMs` (idle keep-alive
   * connections are closed at once), then cuts what is left. Default 0: cut at once (tests).
   */
  close(graceMs?: number): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const routes = options.routes.map(compile).sort((a, b) => a.specificity - b.specificity);
  const log = options.log ?? (() => {});
  const hosts = options.hosts ?? createHostPolicy();
  const transport: Transport = {
    scheme: options.tls ? 'https' : 'http',
    ...(options.trustProxy ? { trustProxy: true } : {}),
  };
  let active = 0;
  let closing = false;
  const idle: (() => void)[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    active++;
    res.once('close', () => {
      active--;
      if (active === 0) for (const done of idle.splice(0)) done();
    });
    if (closing) res.shouldKeepAlive = false;
    try {
      // Before anything else: a Host that is not ours is a page elsewhere reaching this port by DNS
      // rebinding (or a misdirected request). Nothing runs for it, not even the fallback.
      const forwardedHost = transport.trustProxy ? firstValue(req.headers['x-forwarded-host']) : undefined;
      if (!hosts.allows(req.headers.host) || (forwardedHost !== undefined && !hosts.allows(forwardedHost))) {
        return refuseEarly(req, res, 421, {
          message: 'Misdirected Request: this server does not answer to that host name (see ALLOWED_HOSTS)',
        });
      }
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://localhost');
      } catch {
        return refuseEarly(req, res, 400, { message: 'Bad Request' });
      }
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
      const declared = declaredLength(req);
      if (Number.isNaN(declared)) return refuseEarly(req, res, 400, { message: 'Bad Request' });
      if (!matched) {
        const limit = options.fallbackMaxBodyBytes ?? FALLBACK_MAX_BODY_BYTES;
        if (!options.fallback) return refuseEarly(req, res, 404, { message: 'Not Found' });
        if (declared !== undefined && declared > limit) {
          return refuseEarly(req, res, 413, { message: 'Request Entity Too Large' });
        }
        let body: Buffer;
        try {
          continueIfAsked(req, res);
          body = await readBody(req, limit);
        } catch (error) {
          if (error instanceof BodyTooLarge) {
            return refuseEarly(req, res, 413, { message: 'Request Entity Too Large' });
          }
          throw error;
        }
        if (await options.fallback(req, res, body)) return;
        return sendJson(res, 404, { message: 'Not Found' });
      }
      const { route, match } = matched;
      // A path parameter that is not valid percent-encoding (/problems/%E0%A4%A) has no decoded value
      // to put in the event: refused before any Lambda runs, as API Gateway refuses a path it cannot decode.
      if (route.names.some((_, i) => !decodable(match[i + 1] ?? ''))) {
        return refuseEarly(req, res, 400, { message: 'Bad Request' });
      }
      // The authorizer answers before the body is read: an anonymous flood costs no memory.
      let claims: Record<string, string> | undefined;
      if (route.authorized) {
        const auth = req.headers.authorization ?? '';
        const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
        claims = token ? await options.verifyToken(token) : undefined;
        if (!claims) {
          return refuseEarly(req, res, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
        }
      }
      const limit = Math.min(
        MAX_PAYLOAD_BYTES,
        typeof route.maxBodyBytes === 'function'
          ? await route.maxBodyBytes(req, url)
          : (route.maxBodyBytes ?? MAX_PAYLOAD_BYTES),
      );
      const tooLarge = () =>
        refuseEarly(req, res, 413, route.tooLarge?.(limit) ?? { message: 'Request Entity Too Large' });
      if (declared !== undefined && declared > limit) return tooLarge();
      let body: Buffer;
      try {
        continueIfAsked(req, res);
        body = await readBody(req, limit);
      } catch (error) {
        if (error instanceof BodyTooLarge) return tooLarge();
        throw error;
      }
      const event = buildEvent(req, url, route, match, body, claims, transport);
      const timeoutMs = API_GATEWAY_TIMEOUT_MS;
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
      if (result === 'timeout') return sendJson(res, 503, { message: 'Service Unavailable' });
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
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' });
      else res.end();
    }
  };

  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle)
    : createServer(handle);
  // `Expect: 100-continue`: the client waits for our go-ahead before it sends the body, so it is
  // given only once route, Host, token and declared length have passed (else the refusal comes
  // instead, and the body is never sent). Node would otherwise answer 100 before any check.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => void handle(req, res));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost =
    options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  return {
    server,
    url: `${transport.scheme}://${isIPv6Literal(shownHost) ? `[${shownHost}]` : shownHost}:${port}`,
    scheme: transport.scheme,
    inFlight: () => active,
    async close(graceMs = 0) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Node closes idle keep-alive connections on close(); busy ones finish their request first.
      server.closeIdleConnections();
      if (graceMs > 0 && active > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => idle.push(resolve)),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, graceMs);
          }),
        ]);
        clearTimeout(timer);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

function isIPv6Literal(host: string): boolean {
  return host.includes(':') && hostName(`[${host}]`) === host.toLowerCase();
}
