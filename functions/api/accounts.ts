import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { accountsRoutes } from '../routes/accounts.ts';

/** County-mode account administration (local runtime only: not deployed to AWS, see RouteGroup.localOnly). */
export const handler = createApiHandler(accountsRoutes, dynamoApiPorts);
