/**
 * Configuration, read once at cold start. Handlers never see endpoints: locally the runtime sets
 * DYNAMODB_ENDPOINT to the in-process emulator; on AWS it is absent and the SDK uses the region's.
 */
export interface Config {
  tableName: string;
  region: string;
  dynamodbEndpoint: string | undefined;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

let cached: Config | undefined;

export function config(): Config {
  if (cached) return cached;
  const env = process.env;
  const tableName = env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set');
  const level = env.LOG_LEVEL ?? 'info';
  cached = {
    tableName,
    region: env.AWS_REGION ?? 'cn-northwest-1',
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    maxBodyBytes: Number(env.MAX_BODY_BYTES ?? 262_144),
    logLevel: (['debug', 'info', 'warn', 'error'].includes(level) ? level : 'info') as Config['logLevel'],
  };
  return cached;
}

/** For tests and the local runtime, which set the environment before the first request. */
export function resetConfig(): void {
  cached = undefined;
}
