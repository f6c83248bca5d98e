import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { type Bucket, type CfnBucket, HttpMethods } from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { RAW_UPLOAD_PREFIX } from '../../functions/adapters/photos/port.ts';
import { photoLayerFingerprint, stagePhotoLayer } from '../photo-layer.ts';
import { API_FUNCTION_DEFAULTS, type ApiFunction, STUB_BUNDLING_CONTEXT } from './api-function.ts';

/**
 * Photos on AWS (docs/photos.md), in the documents bucket under `photos/`:
 * - phones PUT uploads straight to the bucket with presigned URLs: CORS allows PUT (and GET, for the
 *   pictures) from the web origins only, with the Content-Type header the URL signs;
 * - raw uploads (`photos/uploads/`) that no record claimed are deleted after a day (lifecycle);
 * - the functions that claim photos (decode with sharp, store the clean copy, delete the raw) get the
 *   sharp layer with the Linux arm64 binaries and exactly Get/Put/Delete on `photos/*`.
 */
export interface PhotosProps {
  bucket: Bucket;
  /** Origins the pages are served from (the API endpoint, custom domains). */
  webOrigins: string[];
}

export class Photos extends Construct {
  readonly layer: LayerVersion;
  private readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: PhotosProps) {
    super(scope, id);
    this.bucket = props.bucket;
    props.bucket.addCorsRule({
      allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
      allowedOrigins: props.webOrigins,
      allowedHeaders: ['content-type'],
      exposedHeaders: ['etag'],
      maxAge: 3600,
    });
    props.bucket.addLifecycleRule({
      id: 'UnclaimedPhotoUploads',
      prefix: RAW_UPLOAD_PREFIX,
      expiration: Duration.days(1),
      noncurrentVersionExpiration: Duration.days(1),
    });

    const stub = [true, 'true'].includes(this.node.tryGetContext(STUB_BUNDLING_CONTEXT));
    const fingerprint = stub ? 'stub' : photoLayerFingerprint();
    this.layer = new LayerVersion(this, 'SharpLayer', {
      description: 'Baocun photos: sharp with its Linux arm64 (glibc) libvips binaries',
      compatibleArchitectures: [Architecture.ARM_64],
      compatibleRuntimes: [API_FUNCTION_DEFAULTS.runtime],
      code: Code.fromAsset(import.meta.dirname, {
        assetHashType: AssetHashType.CUSTOM,
        assetHash: createHash('sha256').update(`photos\n${fingerprint}`).digest('hex'),
        bundling: {
          image: DockerImage.fromRegistry('local-bundling-only'),
          local: {
            tryBundle(outputDir: string) {
              if (stub) writeFileSync(join(outputDir, 'README'), 'placeholder layer (stub bundling)\n');
              else stagePhotoLayer(outputDir);
              return true;
            },
          },
        },
      }),
    });
  }

  /** A function that claims or serves photos: the layer, the bucket's name, and its photo objects. */
  bind(fn: ApiFunction): void {
    fn.fn.addLayers(this.layer);
    fn.fn.addEnvironment('DOCUMENTS_BUCKET', this.bucket.bucketName);
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects('photos/*')],
      }),
    );
    // A raw upload that never came must read as "missing" (404), not AccessDenied.
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': ['photos/*'] } },
      }),
    );
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    Validations.of(fn.role as unknown as IConstruct).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/photos/*]`,
      reason:
        'Get/Put/Delete on the objects under photos/ of the documents bucket only: each photo gets keys made ' +
        'from its upload id at run time, so the resource is that folder, nothing wider.',
    });
  }
}
