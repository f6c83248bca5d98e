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
  cadre: '包村干部：汇报任务进展、整改本人问题',
};

/**
 * Who may sign in. Accounts are created by administrators only (no self sign-up); the Cognito group
 * is the role (`cognito:groups` claim) and `custom:cadreId` ties a user to their roster entry.
 */
export class Auth extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  /** Issuer URL of the user pool's tokens, for the HTTP API JWT authorizer. */
  readonly issuer: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);

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

    this.client = this.userPool.addClient('WebClient', {
      // Public client (browser / mobile): SRP sign-in, no secret to leak.
      generateSecret: false,
      authFlows: { userSrp: true },
      // No hosted UI and no OAuth grants (CDK would otherwise default to the implicit grant).
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true, locale: true })
        .withCustomAttributes('cadreId'),
      // A user who could write `custom:cadreId` could act as another cadre. An explicit, non-empty
      // list (an absent list would mean "every mutable attribute") keeps it administrator-only.
      writeAttributes: new ClientAttributes().withStandardAttributes({ locale: true }),
    });

    this.issuer = `https://cognito-idp.${Stack.of(this).region}.${Stack.of(this).urlSuffix}/${this.userPool.userPoolId}`;
  }
}
