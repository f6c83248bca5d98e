import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { trainingsRoutes } from '../routes/trainings.ts';

export const handler = createApiHandler(trainingsRoutes, dynamoApiPorts);
