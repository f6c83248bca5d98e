import { createApiHandler } from '../http/api-handler.ts';
import { majorFailuresRoutes } from '../routes/major-failures.ts';

export const handler = createApiHandler(majorFailuresRoutes);
