import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { assignmentsRoutes } from '../routes/assignments.ts';
import { teamsRoutes } from '../routes/teams.ts';

export const handler = createApiHandler([...assignmentsRoutes, ...teamsRoutes], dynamoApiPorts);
