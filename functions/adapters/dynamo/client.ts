import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../../config.ts';
import { dynamoClientConfig } from './endpoint.ts';

/**
 * The one place that decides local endpoint or AWS. Built once per process (module scope in Lambda,
 * reused across invocations).
 */
let client: DynamoDBDocumentClient | undefined;

/** Runs around every write call; the local runtime's write gate (backups pause writes). Unset on AWS. */
export type WriteHook = <T>(write: () => Promise<T>) => Promise<T>;
let writeHook: WriteHook | undefined;

export function setWriteHook(hook: WriteHook | undefined): void {
  writeHook = hook;
}

/** Applied to the client when it is built: the jobs and worker entries trace its calls (X-Ray). */
export type ClientInstrumentation = (client: DynamoDBClient) => DynamoDBClient;
let instrumentation: ClientInstrumentation | undefined;

export function instrumentDynamoClient(instrument: ClientInstrumentation | undefined): void {
  instrumentation = instrument;
}

const WRITE_COMMAND =
  /^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems|Put|Update|Delete|BatchWrite|TransactWrite)Command$/;

export function documentClient(): DynamoDBDocumentClient {
  if (client) return client;
  const { region, dynamodbEndpoint } = config();
  const built = new DynamoDBClient({
    region,
    ...dynamoClientConfig(dynamodbEndpoint),
    maxAttempts: 4,
  });
  const base = instrumentation ? instrumentation(built) : built;
  client = DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
  client.middlewareStack.add(
    (next, context) => (args) => {
      const hook = writeHook;
      const name = String((context as { commandName?: string }).commandName ?? '');
      return hook && WRITE_COMMAND.test(name) ? hook(() => next(args)) : next(args);
    },
    { step: 'initialize', name: 'baocunWriteHook' },
  );
  return client;
}

export function resetDocumentClient(): void {
  client?.destroy();
  client = undefined;
}
