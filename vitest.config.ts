import { defineConfig } from 'vitest/config';
import type { Reporter } from 'vitest/node';
import { javaAvailable } from './test/support/dynamodb-local.ts';

/**
 * Two projects: `dynalite` runs every suite (the integration suites against in-process dynalite), and
 * `ddb-local` runs the integration suites a second time against DynamoDB Local, AWS's own emulator,
 * so dynalite never hides a difference from the real service. DynamoDB Local needs Java: without it
 * (or with DDB_LOCAL=off) that project is left out and the run says so loudly at the start and the
 * end; with Java, a jar that cannot be fetched or an emulator that does not start fails the run.
 * `npx vitest run --project dynalite` runs one side only.
 */
const INTEGRATION = 'test/integration/**/*.test.ts';
/** Builds the generated modules when stale (infra/build/generate.ts) before any suite imports them. */
const GENERATE = 'test/support/generate-setup.ts';

function ddbLocalSkipReason(): string | undefined {
  if (process.env.DDB_LOCAL === 'off') return 'DDB_LOCAL=off';
  if (!javaAvailable()) return '`java` is not on PATH';
  return undefined;
}

const skipReason = ddbLocalSkipReason();
const notice = skipReason
  ? `[ddb-local] NOT RUN: the integration suites did not run against DynamoDB Local (${skipReason}); dynalite only.`
  : undefined;

/** Says it before the run and again after the summary, where it is read, when integration suites ran. */
const ddbLocalNotice: Reporter = {
  onInit() {
    if (notice) console.warn(`\n${notice}\n`);
  },
  onTestRunEnd(testModules) {
    if (notice && testModules.some((m) => m.moduleId.includes('/test/integration/')))
      console.warn(`\n${notice}\n`);
  },
};

/**
 * A plain closing line CI can read whatever runner it knows: "Tests: N passed, N failed, N skipped".
 * Modules that failed to load count as failures.
 */
const closingLine: Reporter = {
  onTestRunEnd(testModules, unhandledErrors) {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of testModules) {
      if (module.state() === 'failed' && module.children.size === 0) failed++;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  },
};

export default defineConfig({
  test: {
    // Node 20 is the machines' Node; the SDK's advance notice about dropping it would flood the log.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Fails a test during which an in-process API call answered outside its route's schemas.
    setupFiles: ['test/support/contract-setup.ts'],
    reporters: ['default', ddbLocalNotice, closingLine],
    projects: [
      {
        extends: true,
        test: { name: 'dynalite', include: ['test/**/*.test.ts'], globalSetup: [GENERATE] },
      },
      ...(skipReason
        ? []
        : [
            {
              extends: true as const,
              test: {
                name: 'ddb-local',
                include: [INTEGRATION],
                globalSetup: [GENERATE, 'test/support/ddb-local-setup.ts'],
                env: {
                  BAOCUN_TEST_DYNAMO: 'ddb-local',
                  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
                },
              },
            },
          ]),
    ],
  },
});
