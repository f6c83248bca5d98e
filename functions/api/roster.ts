import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { rosterRoutes } from '../routes/roster.ts';

export const handler = createApiHandler(rosterRoutes, dynamoApiPorts);
