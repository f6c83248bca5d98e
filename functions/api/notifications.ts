import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { notificationsRoutes } from '../routes/notifications.ts';

export const handler = createApiHandler(notificationsRoutes, dynamoApiPorts);
