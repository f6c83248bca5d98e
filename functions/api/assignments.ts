import { createApiHandler } from '../http/api-handler.ts';
import { assignmentsRoutes } from '../routes/assignments.ts';

export const handler = createApiHandler(assignmentsRoutes);
