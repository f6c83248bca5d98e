import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { visitsRoutes } from '../routes/visits.ts';

export const handler = createApiHandler(visitsRoutes, dynamoApiPorts);
