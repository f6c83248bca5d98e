import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { cloudRouteGroups } from '../functions/routes/index.ts';
import { BaocunStack, PROJECT_ROOT } from './stack.ts';
import { resolveStage, STAGE_CONTEXT, STAGE_TAG, stackNameFor } from './stage.ts';

/**
 * The context of cdk.json (feature flags above all). The CLI hands it to the app itself; reading it
 * here too makes an app built by the tests synthesize with the same flags as `cdk synth`. Values the
 * CLI passes (cdk.json, `-c`) still win: App applies its `context` prop first, the CLI's after.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const json = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return json.context ?? {};
}

/**
 * The CDK app: the one stack, checked by cdk-nag's AwsSolutions pack on every synth. cdk-nag 3 is a
 * CDK validation plugin: an unacknowledged finding fails the synth; acknowledgements
 * (`Validations.of(construct).acknowledge({ id, reason })`) sit next to the construct they concern.
 */
export function buildApp(options: { outdir?: string; context?: Record<string, unknown> } = {}): {
  app: App;
  stack: BaocunStack;
} {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: { ...cdkJsonContext(), ...options.context },
  });
  // `-c stage=<name>`: the stack and its named resources carry it (stage.ts).
  const stage = resolveStage(app.node.tryGetContext(STAGE_CONTEXT));
  const stack = new BaocunStack(app, stackNameFor(stage), {
    description: `包村 Baocun (${stage}): cadre village-assignment accountability pipeline`,
    stage,
    // County-mode accounts are local-only: on AWS, Cognito keeps the users.
    routeGroups: cloudRouteGroups,
  });
  Tags.of(stack).add(STAGE_TAG, stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

// `cdk synth` runs this file (cdk.json); tests import buildApp() instead.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildApp().app.synth();
}
