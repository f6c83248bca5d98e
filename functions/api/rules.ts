import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { issuerSettingsRoutes } from '../routes/issuer-settings.ts';
import { rulesRoutes } from '../routes/rules.ts';

export const handler = createApiHandler([...rulesRoutes, ...issuerSettingsRoutes], dynamoApiPorts);
