/**
 * Where the pages are served from, on API Gateway (infra/constructs/web.ts) and on the local gateway
 * (infra/local/runtime.ts) alike; the page handler routes inside them.
 */
export const WEB_ROUTES = [
  { method: 'GET', path: '/' },
  { method: 'ANY', path: '/app' },
  { method: 'ANY', path: '/app/{proxy+}' },
] as const;
