import { createApiHandler } from '../http/api-handler.ts';
import { recipientsRoutes } from '../routes/recipients.ts';

export const handler = createApiHandler(recipientsRoutes);
