import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { talksRoutes } from '../routes/talks.ts';

export const handler = createApiHandler(talksRoutes, dynamoApiPorts);
