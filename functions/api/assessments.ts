import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { assessmentsRoutes } from '../routes/assessments.ts';

export const handler = createApiHandler(assessmentsRoutes, dynamoApiPorts);
