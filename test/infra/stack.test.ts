import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Mfa, UserPool } from 'aws-cdk-lib/aws-cognito';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INDEXES,
  indexKeys,
  TABLE_KEY,
  TTL_ATTRIBUTE,
} from '../../functions/adapters/dynamo/table-definition.ts';
import { webApiRoutes } from '../../functions/client/api-routes.ts';
import { METRIC_NAMES, METRICS_NAMESPACE, METRICS_SERVICE } from '../../functions/core/metric-names.ts';
import { routeKey } from '../../functions/http/route.ts';
import { cloudRoutes as allRoutes, cloudRouteGroups } from '../../functions/routes/index.ts';
import { WEB_ROUTES } from '../../functions/web/web-routes.ts';
import { buildApp } from '../../infra/app.ts';
import { ESM_REQUIRE_BANNER } from '../../infra/bundling.ts';
import { ApiFunction, STUB_BUNDLING_CONTEXT } from '../../infra/constructs/api-function.ts';
import { Auth, validateDomainPrefix } from '../../infra/constructs/auth.ts';
import {
  API_5XX_RATE_PERCENT,
  JOBS_ASYNC_INVOKE,
  NEWS_ASYNC_INVOKE,
  WORKER_ASYNC_INVOKE,
} from '../../infra/constructs/operations.ts';
import { DataTable, TABLE_READ_ACTIONS, TABLE_WRITE_ACTIONS } from '../../infra/constructs/table.ts';
import { WORKER_RESERVED_CONCURRENCY } from '../../infra/constructs/web.ts';
import { pascal } from '../../infra/logical-ids.ts';
import {
  type BaocunStack,
  contextList,
  NEWS_GROUPS,
  PHOTO_GROUPS,
  tableAccessFor,
  tableAccessForRoutes,
  webBaseUrl,
} from '../../infra/stack.ts';
import { DEFAULT_STAGE, resolveStage, STAGE_TAG, stackNameFor } from '../../infra/stage.ts';

/**
 * The CDK app exactly as `cdk synth` builds it (the same buildApp, cdk-nag included), synthesized
 * once, with every Lambda bundling a one-line stub (STUB_BUNDLING_CONTEXT) through the same esbuild
 * options: bundling every route group for real took most of this file's half minute. One function is
 * bundled for real below ("a real bundle").
 */
type Json = any;

let outdir: string;
let app: App;
let stack: BaocunStack;
let template: Template;
let resources: Record<string, Json>;
let synthesized: Json;
let synthError: unknown;

/** What the stack deploys: every route group but the local-only ones (county-mode accounts). */
const groupsWithRoutes = cloudRouteGroups.filter((g) => g.routes.length > 0);
const webRouteKeys = WEB_ROUTES.map((r) => `${r.method} ${r.path}`);

function ofType(type: string): [string, Json][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

function logicalId(construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

/** Every IAM action granted to a role through the policies attached to it. */
function actionsOfRole(roleId: string): string[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement.flatMap((s: Json) => [s.Action].flat()));
}

/** Active tracing adds these to every role (X-Ray authorizes them on "*" only). */
const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
/** What an `onFailure` SQS destination adds to the role of an asynchronously invoked function. */
const FAILURE_DESTINATION = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];

function functionOf(group: string) {
  const fn = stack.functions.get(group);
  if (!fn) throw new Error(`no function for route group ${group}`);
  return fn;
}

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'baocun-cdk-'));
  ({ app, stack } = buildApp({ outdir, context: { [STUB_BUNDLING_CONTEXT]: true } }));
  try {
    app.synth();
  } catch (error) {
    // A failed validation still leaves the template and the report on disk; the cdk-nag test says why.
    synthError = error;
  }
  synthesized = JSON.parse(readFileSync(join(outdir, stack.templateFile), 'utf8'));
  resources = synthesized.Resources;
  template = Template.fromJSON({ Resources: resources });
}, 120_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('DynamoDB table', () => {
  it('has string PK/SK and GSI1..GSI4 with string keys projecting ALL', () => {
    const attributes = [
      TABLE_KEY.partition,
      TABLE_KEY.sort,
      ...INDEXES.flatMap((i) => Object.values(indexKeys(i))),
    ];
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayEquals(
        attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      ),
      GlobalSecondaryIndexes: INDEXES.map((index) => ({
        IndexName: index,
        KeySchema: [
          { AttributeName: `${index}PK`, KeyType: 'HASH' },
          { AttributeName: `${index}SK`, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
  });

  it('is on-demand, encrypted, with point-in-time recovery, deletion protection and TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
  });

  it('is retained when the stack is deleted or the table replaced', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('Cognito user pool', () => {
  it('allows no self sign-up, enforces a strong password policy and offers TOTP MFA', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
        DeletionProtection: 'ACTIVE',
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        UserPoolTier: 'PLUS',
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          }),
        },
      }),
    });
  });

  it('has exactly the groups admin, inspector, township, leader and cadre', () => {
    const names = ofType('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName);
    expect(names.sort()).toEqual(['admin', 'cadre', 'inspector', 'leader', 'township']);
  });

  it('declares custom:townshipId, which the app client reads but users cannot write themselves', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'townshipId', AttributeDataType: 'String', Mutable: true }),
      ]),
    });
    const [[, client]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    expect(client.Properties.ReadAttributes).toContain('custom:townshipId');
    expect(client.Properties.WriteAttributes).not.toContain('custom:townshipId');
  });

  it('declares custom:cadreId, which the app client reads but users cannot write themselves', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'cadreId', AttributeDataType: 'String', Mutable: true }),
      ]),
    });
    const [[, client]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    expect(client.Properties.ReadAttributes).toContain('custom:cadreId');
    expect(client.Properties.WriteAttributes.length).toBeGreaterThan(0);
    expect(client.Properties.WriteAttributes).not.toContain('custom:cadreId');
  });

  it('has one public app client without a secret, SRP sign-in for API callers, and the token lifetimes', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    const [[, client]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    expect(client.Properties.GenerateSecret).toBe(false);
    expect(client.Properties.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    expect(client.Properties).toMatchObject({
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      RefreshTokenValidity: 30 * 24 * 60,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  it('lets the web pages sign in through managed login with the authorization code grant only', () => {
    const [[, client]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    const [[apiId]] = ofType('AWS::ApiGatewayV2::Api') as [[string, Json]];
    const endpoint = { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] };
    expect(client.Properties).toMatchObject({
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: [{ 'Fn::Join': ['', [endpoint, '/app/auth/callback']] }],
      LogoutURLs: [{ 'Fn::Join': ['', [endpoint, '/app/login']] }],
    });
    expect([...client.Properties.AllowedOAuthScopes].sort()).toEqual(['email', 'openid', 'profile']);
    expect(client.Properties.DefaultRedirectURI).toBeUndefined();
  });

  it('has a Cognito prefix domain on managed login, with a branding style for the client', () => {
    const [[poolId]] = ofType('AWS::Cognito::UserPool') as [[string, Json]];
    const [[clientId]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    const domains = ofType('AWS::Cognito::UserPoolDomain');
    expect(domains).toHaveLength(1);
    const [[domainId, domain]] = domains as [[string, Json]];
    expect(domain.Properties).toEqual({
      UserPoolId: { Ref: poolId },
      // No authDomainPrefix in the context: baocun-<account id>, unique per region like the account.
      Domain: { 'Fn::Join': ['', ['baocun-', { Ref: 'AWS::AccountId' }]] },
      ManagedLoginVersion: 2,
    });
    const brandings = ofType('AWS::Cognito::ManagedLoginBranding');
    expect(brandings).toHaveLength(1);
    const [[, branding]] = brandings as [[string, Json]];
    expect(branding.Properties).toEqual({
      UserPoolId: { Ref: poolId },
      ClientId: { Ref: clientId },
      UseCognitoProvidedValues: true,
    });
    expect([branding.DependsOn].flat()).toContain(domainId);
  });
});

describe('HTTP API', () => {
  const routes = () => ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);

  it('exposes exactly the routes of routeGroups and the three web routes', () => {
    const expected = [...allRoutes().map(routeKey), ...webRouteKeys];
    const actual = routes().map((r) => r.RouteKey);
    expect(actual).toHaveLength(expected.length);
    expect(new Set(actual)).toEqual(new Set(expected));
  });

  it('does not deploy the local-only account routes (Cognito keeps the users on AWS)', () => {
    const keys = routes().map((r) => String(r.RouteKey));
    expect(keys.some((k) => k.includes('/accounts') || k.includes('/auth/'))).toBe(false);
  });

  it('does not expose the local-only POST /local/token', () => {
    expect(routes().map((r) => r.RouteKey)).not.toContain('POST /local/token');
    expect(routes().some((r) => String(r.RouteKey).includes('/local/'))).toBe(false);
  });

  it('leaves public routes without an authorizer and puts every other route behind the JWT authorizer', () => {
    const [[authorizerId]] = ofType('AWS::ApiGatewayV2::Authorizer') as [[string, Json]];
    const publicKeys = new Set(
      allRoutes()
        .filter((r) => r.roles === 'public')
        .map(routeKey),
    );
    expect(publicKeys).toEqual(new Set(['GET /healthz', 'GET /openapi.json']));
    for (const route of routes()) {
      if (publicKeys.has(route.RouteKey) || webRouteKeys.includes(route.RouteKey)) {
        expect([undefined, 'NONE'], route.RouteKey).toContain(route.AuthorizationType);
        expect(route.AuthorizerId, route.RouteKey).toBeUndefined();
      } else {
        expect(route.AuthorizationType, route.RouteKey).toBe('JWT');
        expect(route.AuthorizerId, route.RouteKey).toEqual({ Ref: authorizerId });
      }
    }
  });

  it('trusts tokens issued by the user pool for the app client', () => {
    const [[poolId]] = ofType('AWS::Cognito::UserPool') as [[string, Json]];
    const [[clientId]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: clientId }],
        Issuer: {
          'Fn::Join': ['', Match.arrayWith(['https://cognito-idp.', { Ref: poolId }])],
        },
      },
    });
  });

  it('routes every request to the Lambda of its route group', () => {
    const integrations = Object.fromEntries(ofType('AWS::ApiGatewayV2::Integration'));
    for (const group of groupsWithRoutes) {
      const fnId = logicalId(functionOf(group.name).fn);
      for (const route of group.routes) {
        const cfnRoute = routes().find((r) => r.RouteKey === routeKey(route));
        const integrationId = cfnRoute.Target['Fn::Join'][1][1].Ref;
        expect(integrations[integrationId].Properties, routeKey(route)).toMatchObject({
          IntegrationType: 'AWS_PROXY',
          PayloadFormatVersion: '2.0',
          IntegrationUri: { 'Fn::GetAtt': [fnId, 'Arn'] },
        });
      }
    }
  });

  it('logs every access of the auto-deployed $default stage to a log group with a retention', () => {
    const stages = ofType('AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const [[, stage]] = stages as [[string, Json]];
    expect(stage.Properties).toMatchObject({ StageName: '$default', AutoDeploy: true });
    const destination = stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(resources[destination].Type).toBe('AWS::Logs::LogGroup');
    expect(resources[destination].Properties.RetentionInDays).toBeGreaterThan(0);
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format.requestId).toBe('$context.requestId');
    expect(JSON.stringify(format)).not.toMatch(/email|phone|requestBody/i);
  });
});

describe('Lambda functions', () => {
  it('are one per route group that has routes, plus the scheduled jobs, the pages, the worker and the news, and nothing else', () => {
    expect(ofType('AWS::Lambda::Function')).toHaveLength(groupsWithRoutes.length + 4);
    expect([...stack.functions.keys()].sort()).toEqual(groupsWithRoutes.map((g) => g.name).sort());
  });

  it.each(groupsWithRoutes.map((g) => g.name))(
    '%s runs nodejs24.x on arm64, 512 MB, 28 s, with TABLE_NAME',
    (name) => {
      const [[tableId]] = ofType('AWS::DynamoDB::Table') as [[string, Json]];
      const fn = resources[logicalId(functionOf(name).fn)].Properties;
      expect(fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 28,
        Handler: 'index.handler',
      });
      expect(fn.Environment.Variables).toMatchObject({
        TABLE_NAME: { Ref: tableId },
        NODE_OPTIONS: '--enable-source-maps',
      });
    },
  );

  it.each(groupsWithRoutes.map((g) => g.name))('%s logs to its own log group with a retention', (name) => {
    const fn = resources[logicalId(functionOf(name).fn)].Properties;
    const logGroupId = fn.LoggingConfig.LogGroup.Ref;
    expect(resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId].Properties.RetentionInDays).toBe(365);
    const owners = ofType('AWS::Lambda::Function').filter(
      ([, f]) => f.Properties.LoggingConfig.LogGroup.Ref === logGroupId,
    );
    expect(owners).toHaveLength(1);
  });

  it('bundles each group as minified ESM with source maps and the shared require banner', () => {
    for (const group of groupsWithRoutes) {
      const cfn = resources[logicalId(functionOf(group.name).fn)];
      // The asset's S3 key is `<hash>.zip`; the staged bundle sits in `asset.<hash>/` of the assembly.
      const assetDir = join(outdir, `asset.${String(cfn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
      const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER), group.name).toBe(true);
      expect(code, group.name).toMatch(/^\/\/# sourceMappingURL=index\.mjs\.map$/m);
      expect(existsSync(join(assetDir, 'index.mjs.map')), group.name).toBe(true);
    }
  });
});

/** The staged bundle of a function: the asset's S3 key is `<hash>.zip`, its folder `asset.<hash>/`. */
function bundleOf(dir: string, cfn: Json): string {
  return join(dir, `asset.${String(cfn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
}

describe('a real bundle', () => {
  it('the stubbed synth bundled the stub, not the route groups', () => {
    const cfn = resources[logicalId(functionOf('meta').fn)];
    expect(readFileSync(join(bundleOf(outdir, cfn), 'index.mjs'), 'utf8')).toContain('baocun:stubBundling');
  });

  /** Synthesizes one route group's function for real (no stub) and gives its staged asset folder. */
  function realBundle(dir: string, group: string): string {
    const bundleApp = new App({ outdir: dir });
    const bundleStack = new Stack(bundleApp, 'Bundle');
    const entry = cloudRouteGroups.find((g) => g.name === group)!.entry;
    const fn = new ApiFunction(bundleStack, pascal(group), {
      entry: join(import.meta.dirname, '../..', entry),
      projectRoot: join(import.meta.dirname, '../..'),
      environment: {},
    });
    bundleApp.synth();
    const cfn =
      Template.fromStack(bundleStack).toJSON().Resources[
        bundleStack.getLogicalId(fn.fn.node.defaultChild as never)
      ];
    return bundleOf(dir, cfn);
  }

  it('bundles the meta entry with its routes as minified ESM with a source map and the banner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baocun-cdk-bundle-'));
    try {
      const asset = realBundle(dir, 'meta');
      const code = readFileSync(join(asset, 'index.mjs'), 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(code).toMatch(/^\/\/# sourceMappingURL=index\.mjs\.map$/m);
      expect(existsSync(join(asset, 'index.mjs.map'))).toBe(true);
      for (const route of cloudRouteGroups.find((g) => g.name === 'meta')!.routes)
        expect(code).toContain(route.path);
      expect(code).not.toContain('baocun:stubBundling');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('splits code: what a request may not need (exceljs, the S3 client) is a chunk the entry loads only on use', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baocun-cdk-split-'));
    try {
      const asset = realBundle(dir, 'assessments');
      const files = readdirSync(asset, { recursive: true, encoding: 'utf8' }).filter((f) =>
        f.endsWith('.mjs'),
      );
      expect(files.filter((f) => f.startsWith('chunks/')).length).toBeGreaterThan(1);
      const code = (file: string) => readFileSync(join(asset, file), 'utf8');
      // Every chunk is an ES module of its own with the require banner.
      for (const file of files) expect(code(file).startsWith(ESM_REQUIRE_BANNER), file).toBe(true);
      // What a cold start loads: index.mjs and the chunks it imports statically, transitively.
      const staticImports = (file: string) =>
        [...code(file).matchAll(/(?:^|[;}\s])import\s*(?:[\w$*{}\s,]+from\s*)?["']\.\/([^"']+)["']/g)].map(
          (m) => join(file, '..', m[1]!),
        );
      const loaded = new Set<string>();
      const visit = (file: string) => {
        if (loaded.has(file)) return;
        loaded.add(file);
        staticImports(file).forEach(visit);
      };
      visit('index.mjs');
      const holding = (marker: string) => files.filter((f) => code(f).includes(marker));
      // exceljs (its workbook part names) and the S3 client (its operation names) are in the bundle, but not loaded.
      for (const marker of ['xl/workbook.xml', 'PutObject']) {
        expect(holding(marker).length, marker).toBeGreaterThan(0);
        for (const file of holding(marker)) expect(loaded.has(file), `${marker} in ${file}`).toBe(false);
      }
      expect(code('index.mjs')).toMatch(/import\(\s*["']\.\/chunks\//);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('a real synth of the whole app', () => {
  it('gives every function its own bundle, holding its own routes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baocun-cdk-real-'));
    try {
      // Real bundling (no stub): CDK keeps one bundling result per source folder and options within a
      // synth; every entry of functions/api/ must still get its own (api-function.ts, `command`).
      const real = buildApp({ outdir: dir });
      real.app.synth();
      const template = Template.fromStack(real.stack).toJSON();
      const keys = new Map<string, string>();
      for (const group of groupsWithRoutes) {
        const fn = real.stack.functions.get(group.name)!;
        const cfn = template.Resources[real.stack.getLogicalId(fn.fn.node.defaultChild as never)];
        const key = String(cfn.Properties.Code.S3Key);
        expect(keys.get(key), `${group.name} has the bundle of ${keys.get(key)}`).toBeUndefined();
        keys.set(key, group.name);
        const asset = bundleOf(dir, cfn);
        const code = readdirSync(asset, { recursive: true, encoding: 'utf8' })
          .filter((f) => f.endsWith('.mjs'))
          .map((f) => readFileSync(join(asset, f), 'utf8'))
          .join('\n');
        // Its own routes' paths are in it (some paths are built from parts, so not every one is literal).
        const found = group.routes.filter((r) => code.includes(r.path)).length;
        expect(found, `${group.name}: ${found} of ${group.routes.length} route paths`).toBeGreaterThan(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('IAM: least privilege per function', () => {
  it.each(groupsWithRoutes.map((g) => [g.name, tableAccessFor(g)] as const))(
    '%s may do exactly its table access (%s)',
    (name, access) => {
      const actions = actionsOfRole(logicalId(functionOf(name).role)).filter((a) =>
        a.startsWith('dynamodb:'),
      );
      const expected = {
        none: [],
        read: [...TABLE_READ_ACTIONS],
        readwrite: [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS],
      }[access];
      expect(actions.sort()).toEqual([...expected].sort());
    },
  );

  it('gives the meta function (health check, API description) no DynamoDB action at all', () => {
    const actions = actionsOfRole(logicalId(functionOf('meta').role));
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    expect(actions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', ...XRAY].sort());
  });

  it('gives a group whose routes are all GET read access without dynamodb:PutItem', () => {
    const readOnly = groupsWithRoutes.filter(
      (g) => g.routes.every((r) => r.method === 'GET') && g.name !== 'meta',
    );
    expect(readOnly.map((g) => g.name)).toContain('audit');
    for (const group of readOnly) {
      const actions = actionsOfRole(logicalId(functionOf(group.name).role));
      expect(actions, group.name).toContain('dynamodb:Query');
      expect(actions, group.name).not.toContain('dynamodb:PutItem');
      expect(actions, group.name).not.toContain('dynamodb:UpdateItem');
      expect(actions, group.name).not.toContain('dynamodb:DeleteItem');
    }
  });

  it('lets no function Scan, and uses no wildcard actions or AWS managed policies', () => {
    const all = ofType('AWS::IAM::Policy').flatMap(([, p]) =>
      p.Properties.PolicyDocument.Statement.flatMap((s: Json) => [s.Action].flat()),
    );
    expect(all).not.toContain('dynamodb:Scan');
    expect(all.filter((a: string) => a.includes('*'))).toEqual([]);
    for (const [id, role] of ofType('AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged when the app is synthesized, nor does the CDK template validation', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    const findings = report.pluginReports
      .flatMap((r: Json) => r.violations ?? [])
      .map(
        (v: Json) =>
          `${v.ruleName}: ${v.description} @ ${v.violatingConstructs?.map((c: Json) => c.constructPath)}`,
      );
    expect(findings).toEqual([]);
    expect(synthError).toBeUndefined();
  });

  it('finds nothing unacknowledged when run directly over the app (errors and warnings)', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(
      report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
  });

  it('has a written reason for every acknowledgement', () => {
    const acknowledgements: { path: string; id: string; reason: unknown }[] = [];
    const visit = (c: IConstruct) => {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
          acknowledgements.push({ path: c.node.path, id, reason });
        }
      }
      c.node.children.forEach(visit);
    };
    visit(app);
    expect(acknowledgements.map((a) => a.id)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('AwsSolutions-COG2'),
        expect.stringContaining('AwsSolutions-APIG4'),
      ]),
    );
    for (const ack of acknowledgements) {
      expect(typeof ack.reason, `${ack.path} ${ack.id}`).toBe('string');
      expect((ack.reason as string).trim().length, `${ack.path} ${ack.id}`).toBeGreaterThanOrEqual(30);
    }
  });

  it('is live: the same pack flags a user pool without MFA that nobody acknowledged', () => {
    const probe = new App();
    new UserPool(new Stack(probe, 'Probe'), 'Pool', {
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
    });
    const report = new AwsSolutionsChecks().validateScope(probe);
    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-COG2');
  });
});

describe('delivery: documents bucket, schedules, dead-letter queue', () => {
  const delivery = () => stack.delivery;

  it('lets import uploads and export files go after 90 days, like their task records', () => {
    const rules = resources[logicalId(delivery().bucket)].Properties.LifecycleConfiguration.Rules as Json[];
    for (const prefix of ['imports/', 'exports/']) {
      expect(rules).toContainEqual(
        expect.objectContaining({ Prefix: prefix, ExpirationInDays: 90, Status: 'Enabled' }),
      );
    }
    // Everything else keeps its current version; only old versions expire.
    expect(rules).toContainEqual({ NoncurrentVersionExpiration: { NoncurrentDays: 365 }, Status: 'Enabled' });
  });

  it('keeps documents in a private, encrypted, SSL-only, versioned bucket that is retained', () => {
    const id = logicalId(delivery().bucket);
    const bucket = resources[id];
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(delivery().accessLogs) } },
    });
    const [, policy] = ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === id) as [
      string,
      Json,
    ];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('fires each job at its Beijing time with retries and a dead-letter queue, passing the scheduled time', () => {
    const fnId = logicalId(delivery().jobs.fn);
    const queueId = logicalId(delivery().deadLetterQueue);
    const schedules = ofType('AWS::Scheduler::Schedule').map(([, s]) => s.Properties);
    expect(schedules.map((s) => [s.ScheduleExpression, s.ScheduleExpressionTimezone]).sort()).toEqual([
      ['cron(0 7 ? * * *)', 'Asia/Shanghai'],
      ['cron(0 8 ? * MON *)', 'Asia/Shanghai'],
    ]);
    for (const s of schedules) {
      expect(s.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
      expect(s.Target.Arn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
      expect(s.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 });
      expect(s.Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
      const input = JSON.parse(s.Target.Input);
      expect(['weekly-bulletin', 'daily-sweep']).toContain(input.job);
      expect(input.scheduledTime).toBe('<aws.scheduler.scheduled-time>');
    }
  });

  it('has an encrypted, SSL-only dead-letter queue that keeps failed events for 14 days', () => {
    const queue = resources[logicalId(delivery().deadLetterQueue)];
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    const policy = ofType('AWS::SQS::QueuePolicy').find(([, p]) =>
      JSON.stringify(p.Properties.Queues).includes(logicalId(delivery().deadLetterQueue)),
    );
    expect(JSON.stringify(policy?.[1].Properties.PolicyDocument)).toContain('aws:SecureTransport');
  });

  it('runs the scheduled jobs on x86-64 with the document layer, 1536 MB, up to 15 minutes, sending through SES', () => {
    const fn = resources[logicalId(delivery().jobs.fn)].Properties;
    expect(fn).toMatchObject({
      MemorySize: 1536,
      Timeout: 900,
      Runtime: 'nodejs24.x',
      // @sparticuz/chromium ships an x86-64 binary only.
      Architectures: ['x86_64'],
    });
    expect(fn.Layers).toHaveLength(1);
    const layerId = fn.Layers[0].Ref as string;
    const layer = resources[layerId];
    expect(layer.Properties).toMatchObject({ CompatibleArchitectures: ['x86_64'] });
    // No other function carries the layer (nor, by the bundling check in pdf-lambda.test.ts, Chromium);
    // the photo functions carry the sharp layer instead (test/infra/photos.test.ts).
    const withLayers = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        (r.Properties.Layers ?? []).some((l: Json) => l.Ref === layerId),
    );
    expect(withLayers).toHaveLength(1);
    expect(fn.Environment.Variables).toMatchObject({
      MAIL_TRANSPORT: 'ses',
      DOCUMENTS_BUCKET: { Ref: logicalId(delivery().bucket) },
    });
  });

  it('grants each role exactly what it does with documents, SES and the schedules', () => {
    const table = [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS];
    const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
    const runner = [
      ...table,
      ...logs,
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      'ses:SendEmail',
      'ses:SendRawEmail',
      ...XRAY,
      ...FAILURE_DESTINATION,
    ].sort();
    expect(actionsOfRole(logicalId(delivery().jobs.role)).sort()).toEqual(runner);
    // The API's jobs group only starts runs: the table, and an asynchronous invoke of the jobs function.
    const jobsApi = logicalId(functionOf('jobs').role);
    expect(actionsOfRole(jobsApi).sort()).toEqual(
      [...table, ...logs, ...XRAY, 'lambda:InvokeFunction'].sort(),
    );
    const invoked = ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === jobsApi))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .filter((st: Json) => [st.Action].flat().includes('lambda:InvokeFunction'))
      .flatMap((st: Json) => [st.Resource].flat());
    expect(invoked).toEqual([{ 'Fn::GetAtt': [logicalId(delivery().jobs.fn), 'Arn'] }]);
    expect(resources[logicalId(functionOf('jobs').fn)].Properties.Environment.Variables).toMatchObject({
      JOBS_FUNCTION_NAME: { Ref: logicalId(delivery().jobs.fn) },
    });
    const notices = actionsOfRole(logicalId(functionOf('notices').role));
    expect(notices).toContain('s3:GetObject');
    expect(notices).not.toContain('s3:PutObject');
    // Talks render their notice and record in the request (docs/talks.md): documents, no SES.
    const talks = actionsOfRole(logicalId(functionOf('talks').role));
    expect(talks).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject']));
    expect(talks.filter((a) => a.startsWith('ses:'))).toEqual([]);
    // The assessment 通报 (docs/assessments.md) is written the same way.
    const assessments = actionsOfRole(logicalId(functionOf('assessments').role));
    expect(assessments).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject']));
    expect(assessments.filter((a) => a.startsWith('ses:'))).toEqual([]);
    // …as HTML, and hand the PDF to the scheduled-jobs function (the one with Chromium) by an
    // asynchronous invoke of exactly that function (and the news function, should the hand-off fail).
    const talksApi = logicalId(functionOf('talks').role);
    const talksInvoke = ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === talksApi))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .filter((st: Json) => [st.Action].flat().includes('lambda:InvokeFunction'))
      .flatMap((st: Json) => [st.Resource].flat());
    expect(talksInvoke).toContainEqual({ 'Fn::GetAtt': [logicalId(delivery().jobs.fn), 'Arn'] });
    expect(
      talksInvoke.filter((r: Json) => JSON.stringify(r).includes(logicalId(delivery().jobs.fn))),
      'no qualified ARNs of the jobs function',
    ).toEqual([{ 'Fn::GetAtt': [logicalId(delivery().jobs.fn), 'Arn'] }]);
    expect(resources[logicalId(functionOf('talks').fn)].Properties.Environment.Variables).toMatchObject({
      DOCUMENTS_FUNCTION_NAME: { Ref: logicalId(delivery().jobs.fn) },
    });
    // Its failures go where the jobs function's do: two retries, then the failure queue.
    const jobsInvokeConfig = ofType('AWS::Lambda::EventInvokeConfig').find(
      ([, c]) => c.Properties.FunctionName.Ref === logicalId(delivery().jobs.fn),
    );
    expect(jobsInvokeConfig?.[1].Properties).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: expect.anything() } },
    });
    // The photo groups' photos/ grants are checked in test/infra/photos.test.ts.
    const photoGroups: readonly string[] = PHOTO_GROUPS;
    for (const group of groupsWithRoutes.filter(
      (g) =>
        g.name !== 'notices' &&
        g.name !== 'talks' &&
        g.name !== 'assessments' &&
        !photoGroups.includes(g.name),
    )) {
      const actions = actionsOfRole(logicalId(functionOf(group.name).role));
      expect(
        actions.filter((a) => /^(s3|ses):/.test(a)),
        group.name,
      ).toEqual([]);
    }
    expect(actionsOfRole(logicalId(delivery().schedulerRole)).sort()).toEqual([
      'lambda:InvokeFunction',
      'sqs:SendMessage',
    ]);

    const ses = ofType('AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .filter((s: Json) => [s.Action].flat().includes('ses:SendEmail'));
    // The scheduled jobs and the news function (docs/news.md) send email; nothing else does.
    expect(ses.length).toBe(2);
    for (const statement of ses) {
      expect(JSON.stringify(statement.Resource)).toContain(':identity/baocun.example.cn');
      expect(statement.Condition).toEqual({
        StringEquals: { 'ses:FromAddress': 'noreply@baocun.example.cn' },
      });
    }
  });
});

describe('web front end and background work', () => {
  const web = () => stack.web;
  const routes = () => ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
  const statementsOfRole = (roleId: string): Json[] =>
    ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  const resourcesFor = (roleId: string, action: string): Json[] =>
    statementsOfRole(roleId)
      .filter((s) => [s.Action].flat().includes(action))
      .flatMap((s) => [s.Resource].flat());
  const bucketObjects = (suffix: string) => ({
    'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack.delivery.bucket), 'Arn'] }, suffix]],
  });

  it('serves GET /, ANY /app and ANY /app/{proxy+} (the local gateway’s web routes) from the pages function, without an authorizer', () => {
    expect(webRouteKeys).toEqual(['GET /', 'ANY /app', 'ANY /app/{proxy+}']);
    const integrations = Object.fromEntries(ofType('AWS::ApiGatewayV2::Integration'));
    const fnId = logicalId(web().pages.fn);
    for (const key of webRouteKeys) {
      const route = routes().find((r) => r.RouteKey === key);
      expect(route, key).toBeDefined();
      expect(route.AuthorizationType, key).toBe('NONE');
      expect(route.AuthorizerId, key).toBeUndefined();
      const integrationId = route.Target['Fn::Join'][1][1].Ref;
      expect(integrations[integrationId].Properties, key).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [fnId, 'Arn'] },
      });
    }
    // Nothing else reaches the pages function, and it serves nothing but those routes.
    const toWeb = Object.entries(integrations).filter(
      ([, i]) =>
        JSON.stringify(i.Properties.IntegrationUri) === JSON.stringify({ 'Fn::GetAtt': [fnId, 'Arn'] }),
    );
    const targets = new Set(toWeb.map(([id]) => id));
    expect(
      routes()
        .filter((r) => targets.has(r.Target['Fn::Join'][1][1].Ref))
        .map((r) => r.RouteKey)
        .sort(),
    ).toEqual([...webRouteKeys].sort());
  });

  it('keeps the JWT authorizer on every JSON API route that is not public', () => {
    const [[authorizerId]] = ofType('AWS::ApiGatewayV2::Authorizer') as [[string, Json]];
    const guarded = allRoutes().filter((r) => r.roles !== 'public');
    expect(guarded.length).toBeGreaterThan(20);
    for (const route of guarded) {
      const cfn = routes().find((r) => r.RouteKey === routeKey(route));
      expect(cfn, routeKey(route)).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: authorizerId },
      });
    }
    const unguarded = routes()
      .filter((r) => r.AuthorizationType !== 'JWT')
      .map((r) => r.RouteKey)
      .sort();
    expect(unguarded).toEqual(['GET /healthz', 'GET /openapi.json', ...webRouteKeys].sort());
  });

  it('runs the pages on nodejs24.x arm64 (ESM bundle) with their whole configuration', () => {
    const [[poolId]] = ofType('AWS::Cognito::UserPool') as [[string, Json]];
    const [[clientId]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    const [[domainId]] = ofType('AWS::Cognito::UserPoolDomain') as [[string, Json]];
    const [[apiId]] = ofType('AWS::ApiGatewayV2::Api') as [[string, Json]];
    const [mappingId] = Object.keys(synthesized.Mappings) as [string];
    const fn = resources[logicalId(web().pages.fn)];
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 28,
    });
    const assetDir = join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    expect(readFileSync(join(assetDir, 'index.mjs'), 'utf8').startsWith(ESM_REQUIRE_BANNER)).toBe(true);

    const env = fn.Properties.Environment.Variables;
    expect(Object.keys(env).sort()).toEqual(
      [
        'COGNITO_CLIENT_ID',
        'COGNITO_DOMAIN',
        'COGNITO_ISSUER',
        'DOCUMENTS_BUCKET',
        'DOCUMENTS_FUNCTION_NAME',
        'JOBS_FUNCTION_NAME',
        'LOG_LEVEL',
        'NEWS_FUNCTION_NAME',
        'NODE_OPTIONS',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
        'PUBLIC_BASE_URL',
        'STAGE',
        'TABLE_NAME',
        'WORKER_FUNCTION_NAME',
      ].sort(),
    );
    expect(env).toMatchObject({
      NEWS_FUNCTION_NAME: { Ref: logicalId(stack.news.fn.fn) },
      TABLE_NAME: { Ref: logicalId(stack.data.table) },
      DOCUMENTS_BUCKET: { Ref: logicalId(stack.delivery.bucket) },
      COGNITO_CLIENT_ID: { Ref: clientId },
      JOBS_FUNCTION_NAME: { Ref: logicalId(stack.delivery.jobs.fn) },
      DOCUMENTS_FUNCTION_NAME: { Ref: logicalId(stack.delivery.jobs.fn) },
      WORKER_FUNCTION_NAME: { Ref: logicalId(web().worker.fn) },
      PUBLIC_BASE_URL: { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] },
      LOG_LEVEL: 'info',
    });
    // https://<prefix>.auth.<region>.amazoncognito.com, `.com.cn` in the China partition.
    expect(env.COGNITO_DOMAIN).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: domainId },
          '.',
          { 'Fn::FindInMap': [mappingId, { Ref: 'AWS::Partition' }, 'label'] },
          '.',
          { Ref: 'AWS::Region' },
          '.',
          { 'Fn::FindInMap': [mappingId, { Ref: 'AWS::Partition' }, 'domain'] },
        ],
      ],
    });
    expect(env.COGNITO_ISSUER).toEqual({
      'Fn::Join': [
        '',
        [
          'https://cognito-idp.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/',
          { Ref: poolId },
        ],
      ],
    });
    // The issuer is the one the JWT authorizer trusts.
    const [[, authorizer]] = ofType('AWS::ApiGatewayV2::Authorizer') as [[string, Json]];
    expect(authorizer.Properties.JwtConfiguration.Issuer).toEqual(env.COGNITO_ISSUER);
  });

  it('looks the managed-login host up by partition (amazoncognito.com.cn in China)', () => {
    const [hosts] = Object.values(synthesized.Mappings) as [Json];
    expect(hosts.aws).toEqual({ label: 'auth', domain: 'amazoncognito.com' });
    expect(hosts['aws-cn']).toEqual({ label: 'auth', domain: 'amazoncognito.com.cn' });

    // A stack pinned to a region resolves it at synth time (no deploy-time lookup).
    const probe = new App();
    const urls: Record<string, unknown> = {};
    for (const region of ['cn-northwest-1', 'cn-north-1', 'eu-west-1']) {
      const pinned = new Stack(probe, `Probe-${region}`, { env: { region, account: '111122223333' } });
      const auth = new Auth(pinned, 'Auth', {
        webBaseUrls: ['https://baocun.example.cn'],
        domainPrefix: 'baocun-probe',
      });
      urls[region] = pinned.resolve(auth.hostedUiUrl);
    }
    const host = (region: string, suffix: string) => ({
      'Fn::Join': [
        '',
        ['https://', expect.objectContaining({ Ref: expect.any(String) }), `.auth.${region}.${suffix}`],
      ],
    });
    expect(urls['cn-northwest-1']).toEqual(host('cn-northwest-1', 'amazoncognito.com.cn'));
    expect(urls['cn-north-1']).toEqual(host('cn-north-1', 'amazoncognito.com.cn'));
    expect(urls['eu-west-1']).toEqual(host('eu-west-1', 'amazoncognito.com'));
  });

  it('registers the callback and logout URLs of every custom domain in webBaseUrls, and checks the context', () => {
    const probe = new Stack(new App(), 'Probe');
    const auth = new Auth(probe, 'Auth', {
      webBaseUrls: ['https://abc.execute-api.cn-northwest-1.amazonaws.com.cn', 'https://baocun.example.cn'],
      domainPrefix: 'baocun-test',
    });
    const [client] = Object.values(
      Template.fromStack(probe).findResources('AWS::Cognito::UserPoolClient'),
    ) as [Json];
    expect(client.Properties.CallbackURLs).toEqual([
      'https://abc.execute-api.cn-northwest-1.amazonaws.com.cn/app/auth/callback',
      'https://baocun.example.cn/app/auth/callback',
    ]);
    expect(client.Properties.LogoutURLs).toEqual([
      'https://abc.execute-api.cn-northwest-1.amazonaws.com.cn/app/login',
      'https://baocun.example.cn/app/login',
    ]);
    expect(auth.callbackUrls).toHaveLength(2);

    expect(contextList(undefined)).toEqual([]);
    expect(contextList('https://a.example.cn, https://b.example.cn')).toEqual([
      'https://a.example.cn',
      'https://b.example.cn',
    ]);
    expect(contextList('["https://a.example.cn"]')).toEqual(['https://a.example.cn']);
    expect(contextList(['https://a.example.cn'])).toEqual(['https://a.example.cn']);
    expect(webBaseUrl('https://baocun.example.cn/')).toBe('https://baocun.example.cn');
    expect(webBaseUrl('http://localhost:3000')).toBe('http://localhost:3000');
    expect(() => webBaseUrl('http://baocun.example.cn')).toThrow(/https/);
    expect(() => webBaseUrl('https://baocun.example.cn/app')).toThrow(/origin/);
    expect(() => webBaseUrl('baocun.example.cn')).toThrow(/not a URL/);
    expect(validateDomainPrefix('baocun-qinglan')).toBe('baocun-qinglan');
    expect(() => validateDomainPrefix('Baocun')).toThrow(/lowercase/);
    expect(() => validateDomainPrefix('baocun-cognito')).toThrow(/cognito/);
  });

  it('gives the pages the table access of a writing API group, documents, imports/ uploads and two invocations', () => {
    const roleId = logicalId(web().pages.role);
    const actions = actionsOfRole(roleId).sort();
    expect(actions).toEqual(
      [
        ...TABLE_READ_ACTIONS,
        ...TABLE_WRITE_ACTIONS,
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:GetObject',
        's3:PutObject',
        // Documents are written too: approving or recording a talk renders it (docs/talks.md).
        's3:ListBucket',
        's3:PutObject',
        // photos/ (test/infra/photos.test.ts): the pages run the photo routes in-process.
        's3:DeleteObject',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
        'lambda:InvokeFunction',
        ...XRAY,
      ].sort(),
    );
    expect(actions).not.toContain('dynamodb:Scan');
    // The same statements as a route group with writes (the pages run those use cases in-process).
    const writingGroup = groupsWithRoutes.find((g) => tableAccessFor(g) === 'readwrite')!;
    const dynamo = (id: string) =>
      statementsOfRole(id).filter((s) => String([s.Action].flat()[0]).startsWith('dynamodb:'));
    expect(dynamo(roleId)).toEqual(dynamo(logicalId(functionOf(writingGroup.name).role)));

    expect(resourcesFor(roleId, 's3:GetObject')).toEqual([bucketObjects('/*'), bucketObjects('/photos/*')]);
    expect(resourcesFor(roleId, 's3:PutObject')).toEqual([
      bucketObjects('/*'),
      bucketObjects('/imports/*'),
      bucketObjects('/photos/*'),
    ]);
    // Unqualified ARNs of exactly the scheduled-jobs function, the worker and the news function: no `:*`.
    // (In any order: CDK's policy minimisation may merge and reorder statements.)
    const invoked = resourcesFor(roleId, 'lambda:InvokeFunction');
    expect(invoked).toHaveLength(3);
    expect(invoked).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': [logicalId(stack.delivery.jobs.fn), 'Arn'] },
        { 'Fn::GetAtt': [logicalId(web().worker.fn), 'Arn'] },
        { 'Fn::GetAtt': [logicalId(stack.news.fn.fn), 'Arn'] },
      ]),
    );
  });

  it('runs the worker for up to 15 minutes on 1024 MB, reading imports/ and writing exports/ only', () => {
    const fn = resources[logicalId(web().worker.fn)].Properties;
    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 900,
    });
    expect(fn.Environment.Variables).toMatchObject({
      TABLE_NAME: { Ref: logicalId(stack.data.table) },
      DOCUMENTS_BUCKET: { Ref: logicalId(stack.delivery.bucket) },
    });
    const roleId = logicalId(web().worker.role);
    expect(actionsOfRole(roleId).sort()).toEqual(
      [
        ...TABLE_READ_ACTIONS,
        ...TABLE_WRITE_ACTIONS,
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
        // An import's writes may make news (docs/news.md): it starts the news function.
        'lambda:InvokeFunction',
        ...XRAY,
        ...FAILURE_DESTINATION,
      ].sort(),
    );
    expect(resourcesFor(roleId, 'lambda:InvokeFunction')).toEqual([
      { 'Fn::GetAtt': [logicalId(stack.news.fn.fn), 'Arn'] },
    ]);
    // Listing so that an expired upload reads as missing (404), not as denied (403).
    expect(resourcesFor(roleId, 's3:ListBucket')).toEqual([
      { 'Fn::GetAtt': [logicalId(stack.delivery.bucket), 'Arn'] },
    ]);
    expect(resourcesFor(roleId, 's3:GetObject')).toEqual([bucketObjects('/imports/*')]);
    expect(resourcesFor(roleId, 's3:PutObject')).toEqual([bucketObjects('/exports/*')]);
  });

  it('lets only the pages, the worker, the API’s jobs and records groups, the groups that make news and EventBridge Scheduler invoke functions', () => {
    const invokers = ofType('AWS::IAM::Policy')
      .filter(([, p]) =>
        p.Properties.PolicyDocument.Statement.some((s: Json) =>
          [s.Action].flat().includes('lambda:InvokeFunction'),
        ),
      )
      .flatMap(([, p]) => p.Properties.Roles.map((r: Json) => r.Ref))
      .sort();
    expect([...new Set(invokers)].sort()).toEqual(
      [
        logicalId(web().pages.role),
        logicalId(web().worker.role),
        logicalId(functionOf('jobs').role),
        // Voiding an inspection starts the week's re-evaluation.
        logicalId(functionOf('records').role),
        // The assessment 通报's PDF is printed by the scheduled-jobs function (docs/assessments.md).
        logicalId(functionOf('assessments').role),
        logicalId(stack.delivery.schedulerRole),
        ...NEWS_GROUPS.map((g) => logicalId(functionOf(g).role)),
      ].sort(),
    );
    // The groups that make news invoke the news function, nothing else; records invokes only the jobs.
    expect(resourcesFor(logicalId(functionOf('records').role), 'lambda:InvokeFunction')).toEqual([
      { 'Fn::GetAtt': [logicalId(stack.delivery.jobs.fn), 'Arn'] },
    ]);
    expect(resourcesFor(logicalId(functionOf('assessments').role), 'lambda:InvokeFunction')).toEqual([
      { 'Fn::GetAtt': [logicalId(stack.delivery.jobs.fn), 'Arn'] },
    ]);
    for (const group of NEWS_GROUPS) {
      const targets = resourcesFor(logicalId(functionOf(group).role), 'lambda:InvokeFunction');
      expect(targets, group).toContainEqual({ 'Fn::GetAtt': [logicalId(stack.news.fn.fn), 'Arn'] });
      for (const target of targets) {
        expect([logicalId(stack.news.fn.fn), logicalId(stack.delivery.jobs.fn)], group).toContain(
          (target as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0],
        );
      }
      expect(
        resources[logicalId(functionOf(group).fn)].Properties.Environment.Variables,
        group,
      ).toMatchObject({
        NEWS_FUNCTION_NAME: { Ref: logicalId(stack.news.fn.fn) },
      });
    }
  });

  it('runs the news function on the table and SES only, with the mail settings (docs/news.md)', () => {
    const fn = resources[logicalId(stack.news.fn.fn)].Properties;
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Timeout: 120 });
    expect(fn.Environment.Variables).toMatchObject({
      TABLE_NAME: { Ref: logicalId(stack.data.table) },
      MAIL_TRANSPORT: 'ses',
    });
    expect(Object.keys(fn.Environment.Variables).filter((k) => k.startsWith('SMS_'))).toEqual([]);
    expect(actionsOfRole(logicalId(stack.news.fn.role)).sort()).toEqual(
      [
        ...TABLE_READ_ACTIONS,
        ...TABLE_WRITE_ACTIONS,
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'ses:SendEmail',
        'ses:SendRawEmail',
        ...XRAY,
        ...FAILURE_DESTINATION,
      ].sort(),
    );
  });

  it('has no dependency cycle between the API, the authorizer, the app client and the functions', () => {
    const deps = new Map<string, Set<string>>();
    const refs = (value: Json, out: Set<string>) => {
      if (Array.isArray(value)) for (const v of value) refs(v, out);
      else if (value && typeof value === 'object') {
        if (typeof value.Ref === 'string' && resources[value.Ref]) out.add(value.Ref);
        const att = value['Fn::GetAtt'];
        if (att) out.add(Array.isArray(att) ? att[0] : String(att).split('.')[0]);
        for (const v of Object.values(value)) refs(v, out);
      }
    };
    for (const [id, r] of Object.entries(resources)) {
      const out = new Set<string>([r.DependsOn ?? []].flat());
      refs(r.Properties ?? {}, out);
      deps.set(id, out);
    }
    const state = new Map<string, 'open' | 'done'>();
    const cycle: string[] = [];
    const visit = (id: string, path: string[]): boolean => {
      if (state.get(id) === 'open') {
        cycle.push(...path, id);
        return true;
      }
      if (state.get(id) === 'done') return false;
      state.set(id, 'open');
      for (const next of deps.get(id) ?? []) if (visit(next, [...path, id])) return true;
      state.set(id, 'done');
      return false;
    };
    for (const id of deps.keys()) if (visit(id, [])) break;
    expect(cycle).toEqual([]);

    const [[clientId]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    const [[apiId]] = ofType('AWS::ApiGatewayV2::Api') as [[string, Json]];
    const [[authorizerId]] = ofType('AWS::ApiGatewayV2::Authorizer') as [[string, Json]];
    expect(deps.get(clientId)).toContain(apiId);
    expect(deps.get(authorizerId)).toContain(clientId);
    expect(deps.get(apiId)).toEqual(new Set());
  });

  it('outputs the web URL and the managed-login base', () => {
    const outputs = synthesized.Outputs;
    const [[apiId]] = ofType('AWS::ApiGatewayV2::Api') as [[string, Json]];
    expect(outputs.WebUrl.Value).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] }, '/app/']],
    });
    expect(outputs.CognitoDomainUrl.Value).toEqual(
      resources[logicalId(web().pages.fn)].Properties.Environment.Variables.COGNITO_DOMAIN,
    );
  });

  it('acknowledges AwsSolutions-APIG4 on the three web routes and IAM5 on the two folders, with reasons', () => {
    const acknowledged = (construct: IConstruct): Record<string, string> =>
      Object.assign(
        {},
        ...construct.node.metadata
          .filter((e) => e.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((e) => Object.entries(e.data as Record<string, string>))
          // Stored as `Annotation::<rule id>`.
          .map(([id, reason]) => ({ [id.replace(/^Annotation::/, '')]: reason })),
      );
    expect(web().routes).toHaveLength(3);
    for (const route of web().routes) {
      expect(acknowledged(route)['AwsSolutions-APIG4']).toMatch(/cookie/);
    }
    const bucketId = logicalId(stack.delivery.bucket);
    expect(Object.keys(acknowledged(web().pages.role))).toContain(
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/imports/*]`,
    );
    expect(Object.keys(acknowledged(web().worker.role))).toEqual(
      expect.arrayContaining([
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/imports/*]`,
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/exports/*]`,
      ]),
    );
  });
});

describe('operations: alarms, topic, dashboard, tracing, failure destinations, stages', () => {
  const ops = () => stack.operations;
  const alarms = () => ofType('AWS::CloudWatch::Alarm');
  const alarmOf = (id: string): Json => resources[logicalId(ops().alarms.get(id)!)].Properties;
  const topicRef = () => ({ Ref: logicalId(ops().topic) });

  /** A second app as `cdk synth -c stage=test -c alarmEmail=ops@example.cn` builds it. */
  let staged: { stack: BaocunStack; resources: Record<string, Json>; report: Json; dir: string };
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'baocun-cdk-stage-'));
    const built = buildApp({
      outdir: dir,
      context: { [STUB_BUNDLING_CONTEXT]: true, stage: 'test', alarmEmail: 'ops@example.cn' },
    });
    built.app.synth();
    staged = {
      stack: built.stack,
      resources: JSON.parse(readFileSync(join(dir, built.stack.templateFile), 'utf8')).Resources,
      report: JSON.parse(readFileSync(join(dir, 'validation-report.json'), 'utf8')),
      dir,
    };
  }, 120_000);
  afterAll(() => {
    if (staged?.dir) rmSync(staged.dir, { recursive: true, force: true });
  });
  const stagedOfType = (type: string): [string, Json][] =>
    Object.entries(staged.resources).filter(([, r]) => r.Type === type);

  it('sends every alarm, on ALARM and on OK, to one encrypted, SSL-only topic', () => {
    expect(ofType('AWS::SNS::Topic')).toHaveLength(1);
    const topic = resources[logicalId(ops().topic)].Properties;
    expect(topic.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [logicalId(ops().topicKey), 'Arn'] });
    const key = resources[logicalId(ops().topicKey)].Properties;
    expect(key.EnableKeyRotation).toBe(true);
    // CloudWatch may use the key (an AWS managed key could not allow it), for this account only.
    const cloudwatch = key.KeyPolicy.Statement.find(
      (s: Json) => s.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    expect([cloudwatch.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(cloudwatch.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    });
    const [[, topicPolicy]] = ofType('AWS::SNS::TopicPolicy') as [[string, Json]];
    expect(JSON.stringify(topicPolicy.Properties.PolicyDocument)).toContain('aws:SecureTransport');

    expect(alarms().length).toBeGreaterThan(0);
    for (const [id, alarm] of alarms()) {
      expect(alarm.Properties.AlarmActions, id).toEqual([topicRef()]);
      expect(alarm.Properties.OKActions, id).toEqual([topicRef()]);
      expect(alarm.Properties.TreatMissingData, id).toBe('notBreaching');
      expect(alarm.Properties.AlarmDescription, id).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('subscribes the address of -c alarmEmail, and none without it', () => {
    expect(ofType('AWS::SNS::Subscription')).toEqual([]);
    const subscriptions = stagedOfType('AWS::SNS::Subscription');
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]![1].Properties).toMatchObject({
      Protocol: 'email',
      Endpoint: 'ops@example.cn',
      TopicArn: { Ref: staged.stack.getLogicalId(staged.stack.operations.topic.node.defaultChild as never) },
    });
    expect(() =>
      buildApp({ context: { [STUB_BUNDLING_CONTEXT]: true, alarmEmail: 'not-an-address' } }),
    ).toThrow(/alarmEmail/);
  });

  it.each([
    ['ScheduleDeadLetters', () => stack.delivery.deadLetterQueue],
    ['AsyncFailures', () => stack.operations.asyncFailures],
  ] as const)('alarms when the %s queue holds any message', (id, queue) => {
    expect(alarmOf(id)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue()), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
    });
  });

  it.each([
    ['JobsErrors', () => stack.delivery.jobs],
    ['WorkerErrors', () => stack.web.worker],
  ] as const)('alarms on any error of the function (%s)', (id, fn) => {
    expect(alarmOf(id)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(fn().fn) } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms when more than 5% of API requests answer 5xx in 2 of 3 five-minute periods', () => {
    const alarm = alarmOf('ApiServerErrorRate');
    expect(alarm).toMatchObject({
      Threshold: API_5XX_RATE_PERCENT,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
    const [[apiId]] = ofType('AWS::ApiGatewayV2::Api') as [[string, Json]];
    const byId = Object.fromEntries(alarm.Metrics.map((m: Json) => [m.Id, m]));
    const expressions = alarm.Metrics.filter((m: Json) => m.Expression);
    expect(expressions.map((m: Json) => [m.Expression, m.ReturnData])).toEqual([
      ['IF(requests > 0, 100 * errors / requests, 0)', true],
    ]);
    for (const [name, metric] of [
      ['requests', 'Count'],
      ['errors', '5xx'],
    ]) {
      expect(byId[name!].MetricStat).toMatchObject({
        Metric: {
          Namespace: 'AWS/ApiGateway',
          MetricName: metric,
          Dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }],
        },
        Stat: 'Sum',
        Period: 300,
      });
    }
  });

  it('alarms on throttles of every function', () => {
    const throttled = alarms()
      .filter(([, a]) => a.Properties.MetricName === 'Throttles')
      .map(([, a]) => a.Properties.Dimensions[0].Value.Ref)
      .sort();
    expect(throttled).toEqual(
      ofType('AWS::Lambda::Function')
        .map(([id]) => id)
        .sort(),
    );
    for (const [, a] of alarms().filter(([, x]) => x.Properties.MetricName === 'Throttles')) {
      expect(a.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it.each([
    ['JobRunsFailed', METRIC_NAMES.jobRunsFailed],
    ['EmailsFailed', METRIC_NAMES.emailsFailed],
    ['PdfRenderFailures', METRIC_NAMES.pdfRenderFailures],
  ])(
    'alarms on the custom metric %s the code publishes, with the service and stage dimensions',
    (id, name) => {
      expect(alarmOf(id)).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        MetricName: name,
        Dimensions: [
          { Name: 'service', Value: METRICS_SERVICE },
          { Name: 'stage', Value: 'prod' },
        ],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      // The functions publish with the same namespace, service and stage (Powertools reads these).
      for (const [, fn] of ofType('AWS::Lambda::Function')) {
        expect(fn.Properties.Environment.Variables).toMatchObject({
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
          STAGE: 'prod',
        });
      }
    },
  );

  it('has one dashboard with every alarm and the custom metrics', () => {
    const dashboards = ofType('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const [[, dashboard]] = dashboards as [[string, Json]];
    expect(dashboard.Properties.DashboardName).toBe('baocun-operations');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const [id] of alarms()) expect(body, id).toContain(`"${id}","Arn"`);
    for (const name of Object.values(METRIC_NAMES)) expect(body, name).toContain(name);
  });

  it('traces every function actively with X-Ray', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
    }
  });

  it('gives every asynchronously invoked function a failure destination and its retry policy', () => {
    // Functions invoked through lambda:InvokeFunction grants (the pages, the jobs group, Scheduler).
    const invoked = new Set(
      ofType('AWS::IAM::Policy')
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
        .filter((s: Json) => [s.Action].flat().includes('lambda:InvokeFunction'))
        .flatMap((s: Json) => [s.Resource].flat())
        .map((r: Json) => JSON.stringify(r).match(/"([A-Za-z0-9]+Function[A-Za-z0-9]+)"/)?.[1]),
    );
    const configs = ofType('AWS::Lambda::EventInvokeConfig');
    expect(new Set(configs.map(([, c]) => c.Properties.FunctionName.Ref))).toEqual(invoked);
    expect(invoked).toEqual(
      new Set([
        logicalId(stack.delivery.jobs.fn),
        logicalId(stack.web.worker.fn),
        logicalId(stack.news.fn.fn),
      ]),
    );
    const failureQueue = { 'Fn::GetAtt': [logicalId(ops().asyncFailures), 'Arn'] };
    const policyOf = (fnId: string) => configs.find(([, c]) => c.Properties.FunctionName.Ref === fnId)![1];
    for (const [fn, policy] of [
      [stack.delivery.jobs, JOBS_ASYNC_INVOKE],
      [stack.web.worker, WORKER_ASYNC_INVOKE],
      [stack.news.fn, NEWS_ASYNC_INVOKE],
    ] as const) {
      expect(policyOf(logicalId(fn.fn)).Properties).toMatchObject({
        Qualifier: '$LATEST',
        MaximumRetryAttempts: policy.retryAttempts,
        MaximumEventAgeInSeconds: policy.maxEventAge.toSeconds(),
        DestinationConfig: { OnFailure: { Destination: failureQueue } },
      });
    }
    expect(resources[logicalId(ops().asyncFailures)].Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('reserves concurrency for the worker only', () => {
    const reserved = ofType('AWS::Lambda::Function').filter(
      ([, f]) => f.Properties.ReservedConcurrentExecutions !== undefined,
    );
    expect(reserved.map(([id]) => id)).toEqual([logicalId(stack.web.worker.fn)]);
    expect(reserved[0]![1].Properties.ReservedConcurrentExecutions).toBe(WORKER_RESERVED_CONCURRENCY);
  });

  it('keeps the names of a deployment without a stage for the default stage, prod', () => {
    expect(stack.stackName).toBe('Baocun');
    expect(stack.stage).toBe(DEFAULT_STAGE);
    const [[, api]] = ofType('AWS::ApiGatewayV2::Api') as [[string, Json]];
    expect(api.Properties.Name).toBe('baocun');
    const [[, domain]] = ofType('AWS::Cognito::UserPoolDomain') as [[string, Json]];
    expect(domain.Properties.Domain).toEqual({ 'Fn::Join': ['', ['baocun-', { Ref: 'AWS::AccountId' }]] });
    expect(resources[logicalId(stack.data.table)].Properties.Tags).toContainEqual({
      Key: STAGE_TAG,
      Value: 'prod',
    });
  });

  it('names the stack, the API, the Cognito domain, the alarms and the dashboard after -c stage=test', () => {
    expect(staged.stack.stackName).toBe('Baocun-test');
    const [[, api]] = stagedOfType('AWS::ApiGatewayV2::Api') as [[string, Json]];
    expect(api.Properties.Name).toBe('baocun-test');
    const [[, domain]] = stagedOfType('AWS::Cognito::UserPoolDomain') as [[string, Json]];
    expect(domain.Properties.Domain).toEqual({
      'Fn::Join': ['', ['baocun-test-', { Ref: 'AWS::AccountId' }]],
    });
    const [[, dashboard]] = stagedOfType('AWS::CloudWatch::Dashboard') as [[string, Json]];
    expect(dashboard.Properties.DashboardName).toBe('baocun-test-operations');
    const alarmsOfStage = stagedOfType('AWS::CloudWatch::Alarm');
    expect(alarmsOfStage.length).toBe(alarms().length);
    for (const [, a] of alarmsOfStage) expect(a.Properties.AlarmName).toMatch(/^baocun-test-/);
    // Alarm names are explicit, so they must differ from the default stage's in the same account.
    const prodNames = new Set(alarms().map(([, a]) => a.Properties.AlarmName));
    for (const [, a] of alarmsOfStage) expect(prodNames.has(a.Properties.AlarmName)).toBe(false);
    const custom = alarmsOfStage.find(([, a]) => a.Properties.MetricName === METRIC_NAMES.jobRunsFailed)!;
    expect(custom[1].Properties.Dimensions).toContainEqual({ Name: 'stage', Value: 'test' });
    for (const [, fn] of stagedOfType('AWS::Lambda::Function')) {
      expect(fn.Properties.Environment.Variables.STAGE).toBe('test');
      expect(fn.Properties.Tags).toContainEqual({ Key: STAGE_TAG, Value: 'test' });
    }
  });

  it('finds nothing unacknowledged for the test stage with an alarm email either', () => {
    const findings = staged.report.pluginReports.flatMap((r: Json) => r.violations ?? []);
    expect(findings).toEqual([]);
  });

  it('accepts stage names that fit every name they go into, and refuses others', () => {
    expect(resolveStage(undefined)).toBe('prod');
    expect(resolveStage('')).toBe('prod');
    expect(resolveStage('test')).toBe('test');
    expect(resolveStage('county-2')).toBe('county-2');
    expect(stackNameFor('prod')).toBe('Baocun');
    expect(stackNameFor('test')).toBe('Baocun-test');
    for (const bad of ['Test', '2test', 'test-', 'a'.repeat(21), 'te_st', 'te st']) {
      expect(() => resolveStage(bad), bad).toThrow(/stage/);
    }
  });

  it('gives the pages and the worker the table access of the routes they serve in-process', () => {
    expect(tableAccessForRoutes([])).toBe('none');
    const meta = cloudRouteGroups.find((g) => g.name === 'meta')!;
    expect(tableAccessForRoutes(meta.routes)).toBe('none');
    const audit = cloudRouteGroups.find((g) => g.name === 'audit')!;
    expect(tableAccessForRoutes([...meta.routes, ...audit.routes])).toBe('read');
    // The pages host POST /townships and the other roster writes (and the worker's imports call them).
    expect(webApiRoutes.some((r) => r.method === 'POST' && r.path === '/townships')).toBe(true);
    const access = tableAccessForRoutes(webApiRoutes);
    expect(access).toBe('readwrite');
    const expected = {
      none: [],
      read: [...TABLE_READ_ACTIONS],
      readwrite: [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS],
    }[access];
    for (const fn of [stack.web.pages, stack.web.worker]) {
      const dynamo = actionsOfRole(logicalId(fn.role)).filter((a) => a.startsWith('dynamodb:'));
      expect(dynamo.sort()).toEqual([...expected].sort());
    }
  });

  it('runs on a table restored from point-in-time recovery with -c tableName, leaving its own table out', () => {
    const probe = new Stack(
      new App({ context: { [STUB_BUNDLING_CONTEXT]: true, tableName: 'baocun-restored' } }),
      'P',
    );
    const data = new DataTable(probe, 'Data');
    const fn = new ApiFunction(probe, 'Fn', {
      entry: join(import.meta.dirname, '../..', cloudRouteGroups[0]!.entry),
      projectRoot: join(import.meta.dirname, '../..'),
      environment: { TABLE_NAME: data.table.tableName },
    });
    data.grant(fn.role, 'readwrite');
    const restored = Template.fromStack(probe).toJSON().Resources as Record<string, Json>;
    expect(Object.values(restored).filter((r) => r.Type === 'AWS::DynamoDB::Table')).toEqual([]);
    const [fnProps] = Object.values(restored).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(fnProps!.Properties.Environment.Variables.TABLE_NAME).toBe('baocun-restored');
    const statement = Object.values(restored)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => r.Properties.PolicyDocument.Statement)
      .find((st: Json) => [st.Action].flat().includes('dynamodb:Query'));
    expect(JSON.stringify(statement.Resource)).toContain(':table/baocun-restored/index/GSI1');
    expect(() => new DataTable(new Stack(new App({ context: { tableName: 'a b' } }), 'Q'), 'Data')).toThrow(
      /tableName/,
    );
  }, 60_000);

  it('synthesizes with every feature flag cdk init writes for this aws-cdk-lib', () => {
    const recommended = JSON.parse(
      readFileSync(
        join(import.meta.dirname, '../../node_modules/aws-cdk-lib/recommended-feature-flags.json'),
        'utf8',
      ),
    ) as Record<string, unknown>;
    const cdkJson = JSON.parse(readFileSync(join(import.meta.dirname, '../../cdk.json'), 'utf8'));
    expect(Object.keys(recommended).length).toBeGreaterThan(50);
    for (const [flag, value] of Object.entries(recommended)) {
      expect(cdkJson.context[flag], flag).toEqual(value);
      // buildApp reads cdk.json, so the tests synthesize what `cdk synth` does.
      expect(app.node.tryGetContext(flag), flag).toEqual(value);
    }
  });
});
