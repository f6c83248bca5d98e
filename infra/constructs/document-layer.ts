import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { documentLayerFingerprint, stageDocumentLayer } from '../document-layer.ts';
import { API_FUNCTION_DEFAULTS, STUB_BUNDLING_CONTEXT } from './api-function.ts';

/**
 * The layer the document-rendering function prints with: @sparticuz/chromium, playwright-core and
 * the documents' font files (infra/document-layer.ts stages them from node_modules). Staged by a
 * local bundling step, never Docker; its asset hash is the versions of what it holds, so synth does
 * not hash 100 MB each time and the layer is uploaded again only when one of them changes. Under
 * the stub-bundling context (the infra tests) it holds a placeholder instead.
 */
export class DocumentLayer extends Construct {
  readonly layer: LayerVersion;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stub = [true, 'true'].includes(this.node.tryGetContext(STUB_BUNDLING_CONTEXT));
    const fingerprint = stub ? 'stub' : documentLayerFingerprint();
    this.layer = new LayerVersion(this, 'Layer', {
      description: 'Baocun documents: @sparticuz/chromium, playwright-core, CJK fonts (OFL)',
      compatibleArchitectures: [Architecture.X86_64],
      compatibleRuntimes: [API_FUNCTION_DEFAULTS.runtime, Runtime.NODEJS_22_X],
      code: Code.fromAsset(import.meta.dirname, {
        assetHashType: AssetHashType.CUSTOM,
        assetHash: createHash('sha256').update(fingerprint).digest('hex'),
        bundling: {
          image: DockerImage.fromRegistry('local-bundling-only'),
          local: {
            tryBundle(outputDir: string) {
              if (stub) writeFileSync(join(outputDir, 'README'), 'placeholder layer (stub bundling)\n');
              else stageDocumentLayer(outputDir);
              return true;
            },
          },
        },
      }),
    });
  }
}
