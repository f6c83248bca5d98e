import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { cloudRouteGroups } from '../functions/routes/index.ts';
import { BaocunStack } from './stack.ts';

/**
 * The CDK app: the one stack, checked by cdk-nag's AwsSolutions pack on every synth. cdk-nag 3 is a
 * CDK validation plugin: an unacknowledged finding fails the synth; acknowledgements
 * (`Validations.of(construct).acknowledge({ id, reason })`) sit next to the construct they concern.
 */
export function buildApp(options: { outdir?: string } = {}): { app: App; stack: BaocunStack } {
  const app = new App(options.outdir ? { outdir: options.outdir } : {});
  const stack = new BaocunStack(app, 'Baocun', {
    description: '包村 Baocun: cadre village-assignment accountability pipeline',
    // County-mode accounts are local-only: on AWS, Cognito keeps the users.
    routeGroups: cloudRouteGroups,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

// `cdk synth` runs this file (cdk.json); tests import buildApp() instead.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildApp().app.synth();
}
