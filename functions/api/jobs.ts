import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { jobsRoutes } from '../routes/jobs.ts';

export const handler = createApiHandler(jobsRoutes, dynamoApiPorts);
