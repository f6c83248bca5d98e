import { Duration, Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { WEB_ROUTES } from '../../functions/web/web-routes.ts';
import { ApiFunction } from './api-function.ts';
import type { Auth } from './auth.ts';
import type { Delivery } from './delivery.ts';
import type { DataTable, TableAccess } from './table.ts';

/**
 * The web front end and its background work on AWS:
 * - the pages function (functions/api/web.ts) behind `GET /`, `ANY /app` and `ANY /app/{proxy+}` of
 *   the HTTP API, the same routes the local gateway gives it (functions/web/web-routes.ts).
 *   Browsers send a session cookie, not a bearer header, so these routes have no JWT authorizer: the
 *   function verifies the Cognito ID token itself (functions/web/auth/provider.ts) and signs people in
 *   through the user pool's managed login (code flow + PKCE);
 * - the worker function (functions/api/worker.ts): one background task per asynchronous invoke
 *   (`{ taskId }`: roster imports, list exports), up to 15 minutes.
 *
 * Grants: the pages and the worker get the table access of the routes they serve in-process (the
 * stack derives it from functions/client/api-routes.ts: today a writing group's); the pages read the bucket's documents (downloads are presigned with their role) and put
 * uploads under `imports/`; they may invoke exactly the scheduled-jobs function (jobs started from the
 * console) and the worker. The worker reads `imports/` and writes `exports/`.
 */

export const WORKER_TIMEOUT = Duration.minutes(15);
export const WORKER_MEMORY_MB = 1024;
/**
 * At most this many imports and exports at once. A county has a handful of HQ administrators, so
 * more would be a mistake or a flood of retries: five keep an import's writes (up to a few hundred a
 * second each) within what an on-demand table absorbs without throttling, and leave the rest of the
 * account's concurrency to the API. Invokes beyond it wait in Lambda's queue (not failed attempts)
 * for up to the worker's maximum event age. Reserving needs 100 unreserved executions left in the
 * account (new accounts may start with a quota of 10: docs/deploy.md).
 */
export const WORKER_RESERVED_CONCURRENCY = 5;
/** Where uploads wait for the worker, and where the worker leaves its files. */
export const IMPORTS_PREFIX = 'imports/';
export const EXPORTS_PREFIX = 'exports/';

export interface WebProps {
  api: HttpApi;
  data: DataTable;
  delivery: Delivery;
  auth: Auth;
  projectRoot: string;
  /** Base URL of the pages for links (emails, task results): the first custom domain, else the API's. */
  publicBaseUrl: string;
  /** Table access of the routes each function serves in-process (stack.ts derives them). */
  pagesTableAccess: TableAccess;
  workerTableAccess: TableAccess;
  logLevel?: string;
}

export class Web extends Construct {
  readonly pages: ApiFunction;
  readonly worker: ApiFunction;
  readonly routes: HttpRoute[] = [];

  constructor(scope: Construct, id: string, props: WebProps) {
    super(scope, id);
    const { data, delivery, auth } = props;
    const logLevel = props.logLevel ?? 'info';

    this.worker = new ApiFunction(this, 'Worker', {
      entry: `${props.projectRoot}/functions/api/worker.ts`,
      projectRoot: props.projectRoot,
      description:
        'Baocun background tasks (roster imports, list exports), invoked asynchronously by the pages',
      timeout: WORKER_TIMEOUT,
      memorySize: WORKER_MEMORY_MB,
      reservedConcurrentExecutions: WORKER_RESERVED_CONCURRENCY,
      environment: {
        TABLE_NAME: data.table.tableName,
        DOCUMENTS_BUCKET: delivery.bucket.bucketName,
        LOG_LEVEL: logLevel,
      },
    });
    data.grant(this.worker.role, props.workerTableAccess);
    delivery.grantPrefix(this.worker.role, 'read', IMPORTS_PREFIX);
    delivery.grantPrefix(this.worker.role, 'write', EXPORTS_PREFIX);

    this.pages = new ApiFunction(this, 'Pages', {
      entry: `${props.projectRoot}/functions/api/web.ts`,
      projectRoot: props.projectRoot,
      description:
        'Baocun web pages: GET /, ANY /app, ANY /app/{proxy+} (cookie sessions, Cognito managed login)',
      environment: {
        TABLE_NAME: data.table.tableName,
        DOCUMENTS_BUCKET: delivery.bucket.bucketName,
        COGNITO_DOMAIN: auth.hostedUiUrl,
        COGNITO_CLIENT_ID: auth.client.userPoolClientId,
        COGNITO_ISSUER: auth.issuer,
        JOBS_FUNCTION_NAME: delivery.jobs.fn.functionName,
        // Talk notices and records (POST /talks/{id}/…, in-process) are printed there too.
        DOCUMENTS_FUNCTION_NAME: delivery.jobs.fn.functionName,
        WORKER_FUNCTION_NAME: this.worker.fn.functionName,
        PUBLIC_BASE_URL: props.publicBaseUrl,
        LOG_LEVEL: logLevel,
      },
    });
    data.grant(this.pages.role, props.pagesTableAccess);
    // Read the documents; write too, since approving a talk or recording it (POST /talks/{id}/…, called
    // in-process by the HQ pages) renders its notice or record (docs/talks.md).
    delivery.grantDocuments(this.pages.role, 'readwrite');
    delivery.grantPrefix(this.pages.role, 'write', IMPORTS_PREFIX);
    // The unqualified ARNs only: the pages invoke by function name, never a version or alias, so no
    // `:*` (which grantInvoke would add) is needed.
    this.pages.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:InvokeFunction'],
        resources: [delivery.jobs.fn.functionArn, this.worker.fn.functionArn],
      }),
    );

    const integration = new HttpLambdaIntegration('WebIntegration', this.pages.fn);
    for (const route of WEB_ROUTES) {
      const [httpRoute] = props.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
      });
      if (!httpRoute) continue;
      this.routes.push(httpRoute);
      Validations.of(httpRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          `${route.method} ${route.path} serves the web pages to browsers, which carry the Cognito ID token in an ` +
          'HttpOnly session cookie that the HTTP API JWT authorizer cannot read (it takes a bare token from a ' +
          'header). The pages function verifies that token on every request (RS256 against the user pool JWKS, ' +
          'issuer, audience = app client, token_use = id, expiry) and answers 401 or the sign-in redirect without ' +
          'it; the sign-in, callback and static pages must be reachable before there is a session.',
      });
    }
  }
}
