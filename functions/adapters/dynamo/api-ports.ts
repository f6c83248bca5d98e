import { writeAudit } from './audit.ts';
import { dynamoIdempotencyStore } from './idempotency.ts';

/**
 * The DynamoDB implementations of the ports the API handler takes (http/api-handler.ts ApiPorts):
 * what every composition root (the Lambda entries in functions/api) passes to createApiHandler.
 */
export const dynamoApiPorts = {
  idempotency: dynamoIdempotencyStore,
  audit: writeAudit,
};
