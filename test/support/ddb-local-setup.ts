import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, ensureEmulator, startDynamoDbLocal } from './dynamodb-local.ts';

/**
 * Global setup of the `ddb-local` vitest project: fetch (once) and start DynamoDB Local, hand its
 * endpoint to the test workers, stop it when the run ends. Any failure here fails the run: a
 * DynamoDB Local run that did not happen must never read as a pass. (Without Java the project is
 * not configured at all and vitest.config.ts says so.)
 */
declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

let running: DynamoDbLocal | undefined;

export async function setup(project: TestProject): Promise<void> {
  const started = Date.now();
  let emulator: string;
  try {
    emulator = await ensureEmulator();
  } catch (error) {
    throw new Error(
      `DynamoDB Local: could not fetch the jar (npm pack amplify-dynamodb-simulator): ${(error as Error).message}\n` +
        'Run with DDB_LOCAL=off to test against dynalite only.',
    );
  }
  running = await startDynamoDbLocal({ emulatorDir: emulator });
  project.provide('dynamoEndpoint', running.endpoint);
  console.log(
    `[ddb-local] DynamoDB Local on ${running.endpoint} (pid ${running.pid}, ready in ${Date.now() - started} ms)`,
  );
}

export async function teardown(): Promise<void> {
  await running?.stop();
  running = undefined;
}
