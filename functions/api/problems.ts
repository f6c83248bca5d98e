import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { problemsRoutes } from '../routes/problems.ts';

export const handler = createApiHandler(problemsRoutes, dynamoApiPorts);
