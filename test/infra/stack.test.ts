import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import { routeKey } from '../../functions/http/route.ts';
import { allRoutes, routeGroups } from '../../functions/routes/index.ts';
import { buildApp } from '../../infra/app.ts';
import { ESM_REQUIRE_BANNER } from '../../infra/bundling.ts';
import { TABLE_READ_ACTIONS, TABLE_WRITE_ACTIONS } from '../../infra/constructs/table.ts';
import { type BaocunStack, tableAccessFor } from '../../infra/stack.ts';

/**
 * The CDK app exactly as `cdk synth` builds it (the same buildApp, cdk-nag included), synthesized
 * once: the esbuild bundles (one per route group) are the slow part, so the hook gets a long timeout.
 */
type Json = any;

let outdir: string;
let app: App;
let stack: BaocunStack;
let template: Template;
let resources: Record<string, Json>;
let synthError: unknown;

const groupsWithRoutes = routeGroups.filter((g) => g.routes.length > 0);

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

function functionOf(group: string) {
  const fn = stack.functions.get(group);
  if (!fn) throw new Error(`no function for route group ${group}`);
  return fn;
}

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'baocun-cdk-'));
  ({ app, stack } = buildApp({ outdir }));
  try {
    app.synth();
  } catch (error) {
    // A failed validation still leaves the template and the report on disk; the cdk-nag test says why.
    synthError = error;
  }
  resources = JSON.parse(readFileSync(join(outdir, stack.templateFile), 'utf8')).Resources;
  template = Template.fromJSON({ Resources: resources });
}, 300_000);

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

  it('has exactly the groups admin, inspector and cadre', () => {
    const names = ofType('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName);
    expect(names.sort()).toEqual(['admin', 'cadre', 'inspector']);
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

  it('has one public app client without a secret, SRP sign-in and no OAuth grants', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    const [[, client]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    expect(client.Properties.GenerateSecret).toBe(false);
    expect(client.Properties.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    expect(client.Properties.AllowedOAuthFlows).toBeUndefined();
  });
});

describe('HTTP API', () => {
  const routes = () => ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);

  it('exposes exactly the routes of routeGroups', () => {
    const expected = allRoutes().map(routeKey);
    const actual = routes().map((r) => r.RouteKey);
    expect(actual).toHaveLength(expected.length);
    expect(new Set(actual)).toEqual(new Set(expected));
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
      if (publicKeys.has(route.RouteKey)) {
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
  it('are one per route group that has routes, plus the scheduled-jobs function, and nothing else', () => {
    expect(ofType('AWS::Lambda::Function')).toHaveLength(groupsWithRoutes.length + 1);
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
    expect(actions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
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

  it('runs the scheduled jobs on 512 MB for up to 15 minutes, sending through SES', () => {
    const fn = resources[logicalId(delivery().jobs.fn)].Properties;
    expect(fn).toMatchObject({
      MemorySize: 512,
      Timeout: 900,
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
    });
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
      's3:PutObject',
      'ses:SendEmail',
      'ses:SendRawEmail',
    ].sort();
    expect(actionsOfRole(logicalId(delivery().jobs.role)).sort()).toEqual(runner);
    expect(actionsOfRole(logicalId(functionOf('jobs').role)).sort()).toEqual(runner);
    const notices = actionsOfRole(logicalId(functionOf('notices').role));
    expect(notices).toContain('s3:GetObject');
    expect(notices).not.toContain('s3:PutObject');
    for (const group of groupsWithRoutes.filter((g) => !['jobs', 'notices'].includes(g.name))) {
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
    expect(ses.length).toBe(2);
    for (const statement of ses) {
      expect(JSON.stringify(statement.Resource)).toContain(':identity/baocun.example.cn');
      expect(statement.Condition).toEqual({
        StringEquals: { 'ses:FromAddress': 'noreply@baocun.example.cn' },
      });
    }
  });
});
