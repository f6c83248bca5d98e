import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { hqRecordsRoutes } from '../routes/hq-records.ts';

export const handler = createApiHandler(hqRecordsRoutes, dynamoApiPorts);
