import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { dispatchesRoutes } from '../routes/dispatches.ts';

export const handler = createApiHandler(dispatchesRoutes, dynamoApiPorts);
