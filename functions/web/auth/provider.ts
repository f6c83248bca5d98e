import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { countyMode, LOCAL_AUDIENCE, LOCAL_ISSUER, sessionIsCurrent } from '../../accounts/sessions.ts';

/**
 * How the pages sign people in, chosen once at cold start:
 * - locally (`LOCAL_JWT_KEY` set by the local runtime): the login page lists the demo users and
 *   signs in through the local token route, which sets the session cookie; tokens are HS256 with the
 *   data folder's key, exactly the tokens the local gateway accepts;
 * - on AWS (`COGNITO_DOMAIN`, `COGNITO_CLIENT_ID`, `COGNITO_ISSUER`): the Cognito hosted UI with the
 *   authorization-code flow and PKCE; the ID token (RS256, checked against the pool's JWKS) is the
 *   session, the refresh token renews it without sending the person back to the login page.
 */
export interface TokenSet {
  idToken: string;
  refreshToken?: string | undefined;
  expiresInSeconds: number;
}

export interface LocalAuth {
  kind: 'local';
  verify(token: string): Promise<JWTPayload | undefined>;
}

export interface CognitoAuth {
  kind: 'cognito';
  verify(token: string): Promise<JWTPayload | undefined>;
  authorizeUrl(args: { redirectUri: string; state: string; codeChallenge: string }): string;
  exchangeCode(args: { code: string; redirectUri: string; codeVerifier: string }): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet | undefined>;
  /** Ends the refresh token (and the tokens made from it) at sign-out; best effort, never throws. */
  revoke(refreshToken: string): Promise<boolean>;
  logoutUrl(logoutUri: string): string;
}

export type AuthProvider = LocalAuth | CognitoAuth;

export { LOCAL_AUDIENCE, LOCAL_ISSUER };

export function localAuth(key: Uint8Array): LocalAuth {
  return {
    kind: 'local',
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: LOCAL_ISSUER,
          audience: LOCAL_AUDIENCE,
          algorithms: ['HS256'],
        });
        // County mode: the token's account must still be enabled and on the same session version
        // (disable, reset and password change end other sessions); demo/dev tokens have no account.
        if (countyMode() && !(await sessionIsCurrent(payload))) return undefined;
        return payload;
      } catch {
        return undefined;
      }
    },
  };
}

export interface CognitoSettings {
  /** Hosted UI base, e.g. https://baocun-123.auth.cn-northwest-1.amazoncognito.com */
  domain: string;
  clientId: string;
  issuer: string;
  /** JWKS location; defaults to the issuer's. */
  jwksUrl?: string;
}

export function cognitoAuth(settings: CognitoSettings): CognitoAuth {
  const domain = settings.domain.replace(/\/+$/, '');
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl ?? `${settings.issuer}/.well-known/jwks.json`));

  async function token(form: Record<string, string>): Promise<TokenSet> {
    const res = await fetch(`${domain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ client_id: settings.clientId, ...form }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok || typeof body.id_token !== 'string') {
      throw new CognitoTokenError(
        res.status,
        typeof body.error === 'string' ? body.error : 'invalid_response',
      );
    }
    return {
      idToken: body.id_token,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
      expiresInSeconds: typeof body.expires_in === 'number' ? body.expires_in : 3600,
    };
  }

  return {
    kind: 'cognito',
    async verify(idToken) {
      try {
        const { payload } = await jwtVerify(idToken, jwks, {
          issuer: settings.issuer,
          audience: settings.clientId,
          algorithms: ['RS256'],
        });
        // Only ID tokens carry the groups and custom:cadreId the pages act on.
        return payload.token_use === 'id' ? payload : undefined;
      } catch {
        return undefined;
      }
    },
    authorizeUrl({ redirectUri, state, codeChallenge }) {
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: settings.clientId,
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
        lang: 'zh-CN',
      });
      return `${domain}/oauth2/authorize?${q.toString()}`;
    },
    exchangeCode: ({ code, redirectUri, codeVerifier }) =>
      token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: codeVerifier,
      }),
    async refresh(refreshToken) {
      try {
        return await token({ grant_type: 'refresh_token', refresh_token: refreshToken });
      } catch (error) {
        if (error instanceof CognitoTokenError && error.status < 500) return undefined;
        throw error;
      }
    },
    async revoke(refreshToken) {
      try {
        const res = await fetch(`${domain}/oauth2/revoke`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          // A public client names itself in the body; there is no secret for an Authorization header.
          body: new URLSearchParams({ token: refreshToken, client_id: settings.clientId }).toString(),
          signal: AbortSignal.timeout(5_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        return res.ok;
      } catch {
        return false;
      }
    },
    logoutUrl(logoutUri) {
      return `${domain}/logout?${new URLSearchParams({ client_id: settings.clientId, logout_uri: logoutUri })}`;
    },
  };
}

export class CognitoTokenError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`Cognito token endpoint answered ${status} ${code}`);
    this.name = 'CognitoTokenError';
  }
}

/** PKCE (RFC 7636): a verifier kept in a short-lived cookie and its S256 challenge sent to Cognito. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * The OAuth `state`: random on its own. It travels in URLs (history, logs, Referer), so it must not
 * give away anything of the PKCE verifier.
 */
export function randomState(): string {
  return randomBytes(24).toString('base64url');
}

let cached: { signature: string; provider: AuthProvider } | undefined;

/** The provider the environment selects; throws at cold start when neither is configured. */
export function authProvider(env: NodeJS.ProcessEnv = process.env): AuthProvider {
  const signature = [env.LOCAL_JWT_KEY, env.COGNITO_DOMAIN, env.COGNITO_CLIENT_ID, env.COGNITO_ISSUER].join(
    '|',
  );
  if (cached?.signature === signature) return cached.provider;
  let provider: AuthProvider;
  if (env.COGNITO_DOMAIN && env.COGNITO_CLIENT_ID && env.COGNITO_ISSUER) {
    provider = cognitoAuth({
      domain: env.COGNITO_DOMAIN,
      clientId: env.COGNITO_CLIENT_ID,
      issuer: env.COGNITO_ISSUER,
      ...(env.COGNITO_JWKS_URL ? { jwksUrl: env.COGNITO_JWKS_URL } : {}),
    });
  } else if (env.LOCAL_JWT_KEY) {
    provider = localAuth(Buffer.from(env.LOCAL_JWT_KEY, 'base64'));
  } else {
    throw new Error('web sign-in is not configured: set COGNITO_DOMAIN/COGNITO_CLIENT_ID/COGNITO_ISSUER');
  }
  cached = { signature, provider };
  return provider;
}
