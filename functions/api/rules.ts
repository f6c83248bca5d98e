import { createApiHandler } from '../http/api-handler.ts';
import { rulesRoutes } from '../routes/rules.ts';

export const handler = createApiHandler(rulesRoutes);
