import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, policyDocument } from "./iamDocuments";

export interface PrivateBucketArgs {
  /** A fixed physical name; otherwise Pulumi generates one from `bucketPrefix` or the resource name. */
  bucketName?: pulumi.Input<string>;
  bucketPrefix?: string;
  /** Default false: keep every version of every object. */
  versioning?: boolean;
  /** Default false: `pulumi destroy` also deletes the objects (for scratch buckets only). */
  forceDestroy?: boolean;
  /**
   * Statements the bucket policy adds beside its TLS-only rule: an AWS service's access on behalf
   * of one source (`objectAccessBy`). Default none.
   */
  grants?: (bucketArn: pulumi.Output<string>) => aws.iam.PolicyStatement[];
  /** Where set, objects are deleted this many days after they were written. */
  expireAfterDays?: number;
  /** Where set (versioned buckets), a version is deleted this many days after it became noncurrent. */
  expireNoncurrentAfterDays?: number;
  /**
   * Objects under these key prefixes (folders, e.g. `exports/on-demand/`) are deleted `days`
   * after they are written, their older versions too. Default none.
   */
  expiring?: { prefix: string; days: number }[];
}

/** Uploads never completed are removed after this many days, so their parts stop costing. */
const ABANDONED_UPLOAD_DAYS = 1;

/** `exports/on-demand/` → `exports-on-demand`: a lifecycle rule's id. */
const ruleId = (prefix: string) => prefix.replace(/\/+$/, "").replace(/\//g, "-");

/**
 * The bucket's lifecycle rules, all in one configuration: S3 keeps one per bucket, and a second
 * `BucketLifecycleConfiguration` would replace the first at every update. Undefined: none.
 */
function lifecycleRules(
  name: string,
  args: PrivateBucketArgs,
): aws.types.input.s3.BucketLifecycleConfigurationRule[] | undefined {
  for (const { prefix, days } of args.expiring ?? []) {
    if (!/^([A-Za-z0-9_.-]+\/)+$/.test(prefix) || !Number.isInteger(days) || days < 1) {
      throw new Error(`${name}: "${prefix}" for ${days} days is not a folder kept whole days`);
    }
  }
  const whole = args.expireAfterDays !== undefined || args.expireNoncurrentAfterDays !== undefined;
  if (!whole && !args.expiring?.length) return undefined;
  return [
    // A multipart upload whose writer died before completing or aborting it leaves parts that
    // cost storage and show in no listing: S3 removes them.
    {
      id: "abort-incomplete-multipart-uploads",
      status: "Enabled",
      filter: {},
      abortIncompleteMultipartUpload: { daysAfterInitiation: ABANDONED_UPLOAD_DAYS },
    },
    ...(whole
      ? [
          {
            id: "expire",
            status: "Enabled",
            filter: { prefix: "" },
            expiration:
              args.expireAfterDays === undefined ? undefined : { days: args.expireAfterDays },
            noncurrentVersionExpiration:
              args.expireNoncurrentAfterDays === undefined
                ? undefined
                : { noncurrentDays: args.expireNoncurrentAfterDays },
          },
        ]
      : []),
    ...(args.expiring ?? []).map(({ prefix, days }) => ({
      id: `expire-${ruleId(prefix)}`,
      status: "Enabled",
      filter: { prefix },
      expiration: { days },
      noncurrentVersionExpiration: { noncurrentDays: days },
    })),
  ];
}

/** A bucket nobody outside the account can reach: public access blocked, encrypted, TLS only. */
export class PrivateBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** `<bucket>.s3.<region>.amazonaws.com`, the REST endpoint CloudFront reads from. */
  readonly regionalDomainName: pulumi.Output<string>;

  constructor(name: string, args: PrivateBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-notes:bucket:PrivateBucket", name, {}, opts);
    const child = { parent: this };

    // Bucket names are global: under a fixed name, a replacement must delete the old one first.
    const bucket = new aws.s3.Bucket(
      name,
      {
        bucket: args.bucketName,
        bucketPrefix: args.bucketName ? undefined : args.bucketPrefix,
        forceDestroy: args.forceDestroy ?? false,
      },
      { parent: this, deleteBeforeReplace: args.bucketName !== undefined },
    );

    // No ACL or policy may ever make this bucket public.
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      name,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
      child,
    );

    new aws.s3.BucketOwnershipControls(
      name,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      child,
    );

    // Encryption at rest with S3-managed keys, stated rather than left to the account default.
    new aws.s3.BucketServerSideEncryptionConfiguration(
      name,
      {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      },
      child,
    );

    const versioning =
      args.versioning &&
      new aws.s3.BucketVersioning(
        name,
        { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
        child,
      );
    if (args.expireNoncurrentAfterDays !== undefined && !versioning) {
      throw new Error(`${name}: expireNoncurrentAfterDays needs a versioned bucket`);
    }

    const rules = lifecycleRules(name, args);
    if (rules) {
      // What is no longer needed goes by itself: old logs, old versions, abandoned uploads.
      new aws.s3.BucketLifecycleConfiguration(
        name,
        { bucket: bucket.id, rules },
        // A rule on noncurrent versions is set once versioning is (pulumi-aws's own advice).
        { parent: this, dependsOn: versioning ? [versioning] : [] },
      );
    }

    // Plain-HTTP requests are refused, whoever makes them.
    new aws.s3.BucketPolicy(
      name,
      {
        bucket: bucket.id,
        policy: policyDocument(
          ...(args.grants?.(bucket.arn) ?? []),
          denyInsecureTransport(bucket.arn),
        ),
      },
      { parent: this, dependsOn: [publicAccess] },
    );

    this.bucketName = bucket.bucket;
    this.arn = bucket.arn;
    this.regionalDomainName = bucket.bucketRegionalDomainName;
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }
}
