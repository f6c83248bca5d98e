import { CfnMapping, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  ClientAttributes,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { ROLES } from '../../functions/core/roles.ts';
import { LIMITS } from '../../functions/schemas/common.ts';

const GROUP_DESCRIPTIONS: Record<(typeof ROLES)[number], string> = {
  admin: '管理员：维护名册、下发任务、受理直报',
  inspector: '督查人员：记录督查、验收整改',
  township:
    '乡镇工作人员：查看本乡镇（属性 custom:townshipId）的村、干部、清单和通报，在本乡镇派单、签收直报',
  leader: '县级领导：查看分管乡镇（由 custom:cadreId 的包镇关系决定）的记录，审定谈话',
  cadre: '包村干部：汇报任务进展、整改本人问题',
};

/** Where the pages live: the callback and logout URLs of the hosted UI are made from these. */
export const WEB_CALLBACK_PATH = '/app/auth/callback';
export const WEB_LOGOUT_PATH = '/app/login';

export interface AuthProps {
  /**
   * Base URLs the pages are served from (scheme + host, no trailing slash): the HTTP API's endpoint
   * first, then any custom domains. Each gets `/app/auth/callback` and `/app/login` registered.
   */
  webBaseUrls: string[];
  /** Prefix of the Cognito domain: `<prefix>.auth.<region>.amazoncognito.com` (`.com.cn` in China). */
  domainPrefix: string;
}

/**
 * The Cognito domain's host per partition. Prefix domains are `<prefix>.auth.<region>.amazoncognito.com`,
 * in the China partition `….amazoncognito.com.cn`, in GovCloud `….auth-fips.<region>.amazoncognito.com`
 * (CDK's UserPoolDomain.baseUrl() knows only the first), so the stack looks it up by partition.
 */
const HOSTED_UI_HOSTS: Record<string, { label: string; domain: string }> = {
  aws: { label: 'auth', domain: 'amazoncognito.com' },
  'aws-cn': { label: 'auth', domain: 'amazoncognito.com.cn' },
  'aws-us-gov': { label: 'auth-fips', domain: 'amazoncognito.com' },
};

/** Cognito refuses prefixes with these words (and anything but lowercase letters, digits and hyphens). */
const RESERVED_PREFIX_WORDS = ['aws', 'amazon', 'cognito'];

export function validateDomainPrefix(prefix: string): string {
  if (Token.isUnresolved(prefix)) return prefix;
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix)) {
    throw new Error(
      `authDomainPrefix "${prefix}": 1–63 lowercase letters, digits and hyphens, not starting or ending with a hyphen`,
    );
  }
  const reserved = RESERVED_PREFIX_WORDS.find((word) => prefix.includes(word));
  if (reserved)
    throw new Error(`authDomainPrefix "${prefix}" may not contain "${reserved}" (Cognito refuses it)`);
  return prefix;
}

/**
 * Who may sign in. Accounts are created by administrators only (no self sign-up); the Cognito group
 * is the role (`cognito:groups` claim), `custom:cadreId` ties a user to their roster entry (a cadre,
 * or the county leader a `leader` user is) and `custom:townshipId` a `township` user to their township.
 *
 * The one app client serves both the JSON API's callers (SRP sign-in in their own UI) and the web pages,
 * which send people to Cognito's managed login on the user pool domain: authorization code grant with
 * PKCE only (no implicit grant, no client credentials, no secret), scopes openid/email/profile.
 */
export class Auth extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  /** Issuer URL of the user pool's tokens, for the HTTP API JWT authorizer and the web function. */
  readonly issuer: string;
  /** Base URL of the managed login pages and OAuth endpoints, e.g. https://baocun-1234.auth.cn-northwest-1.amazoncognito.com.cn */
  readonly hostedUiUrl: string;
  readonly callbackUrls: string[];
  readonly logoutUrls: string[];

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    if (props.webBaseUrls.length === 0) throw new Error('Auth: at least one web base URL is needed');
    const stack = Stack.of(this);
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: {
        email: { required: false, mutable: true },
        fullname: { required: false, mutable: true },
      },
      customAttributes: {
        // Mutable so an administrator can correct it; users cannot (see the client's writeAttributes).
        cadreId: new StringAttribute({ minLen: 1, maxLen: LIMITS.id, mutable: true }),
        // The township a `township` user works for; set by administrators only, like cadreId.
        townshipId: new StringAttribute({ minLen: 1, maxLen: LIMITS.id, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      // Plus tier: threat protection blocks compromised credentials and asks for MFA on risky sign-ins.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      userInvitation: {
        emailSubject: '包村系统账号已开通',
        emailBody:
          '您好，您的包村系统账号已开通。用户名：{username}，临时密码：{####}。首次登录后请修改密码。',
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional (TOTP) rather than required: many village cadres share basic phones and would be ' +
        'locked out of daily reporting. Plus-tier threat protection (FULL_FUNCTION) still demands a second ' +
        'factor on risky sign-ins and blocks compromised passwords.',
    });

    ROLES.forEach((role, precedence) => {
      this.userPool.addGroup(`Group-${role}`, {
        groupName: role,
        description: GROUP_DESCRIPTIONS[role],
        precedence,
      });
    });

    this.callbackUrls = props.webBaseUrls.map((base) => `${base}${WEB_CALLBACK_PATH}`);
    this.logoutUrls = props.webBaseUrls.map((base) => `${base}${WEB_LOGOUT_PATH}`);

    this.client = this.userPool.addClient('WebClient', {
      // Public client (browser / mobile): no secret to leak. PKCE protects the code exchange instead.
      generateSecret: false,
      // The API's own clients keep SRP sign-in; the pages use the OAuth code flow below.
      authFlows: { userSrp: true },
      oAuth: {
        // The code grant only: the implicit grant would put tokens in URLs, client credentials needs a secret.
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: this.callbackUrls,
        logoutUrls: this.logoutUrls,
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true, locale: true })
        .withCustomAttributes('cadreId', 'townshipId'),
      // A user who could write `custom:cadreId` or `custom:townshipId` could act as another cadre or
      // read another township. An explicit, non-empty
      // list (an absent list would mean "every mutable attribute") keeps it administrator-only.
      writeAttributes: new ClientAttributes().withStandardAttributes({ locale: true }),
    });

    // Managed login (the current hosted UI: Chinese pages with `lang=zh-CN`, passkeys); it serves a
    // client only once the client has a branding style, here Cognito's own defaults.
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: validateDomainPrefix(props.domainPrefix) },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    const branding = new CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    branding.node.addDependency(this.domain);

    const hosts = new CfnMapping(this, 'HostedUiHosts', {
      mapping: HOSTED_UI_HOSTS,
      // Emitted only when the partition is a deploy-time value (an environment-agnostic stack).
      lazy: true,
    });
    const partition = Token.isUnresolved(stack.region)
      ? stack.partition
      : (RegionInfo.get(stack.region).partition ?? stack.partition);
    const label = hosts.findInMap(partition, 'label');
    const domain = hosts.findInMap(partition, 'domain');
    this.hostedUiUrl = `https://${this.domain.domainName}.${label}.${stack.region}.${domain}`;

    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;
  }
}
