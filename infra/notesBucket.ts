import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PrivateBucket } from "./privateBucket";

export interface NotesBucketArgs {
  /** Start of the bucket's generated name. */
  bucketPrefix: string;
  /** Default true: keep every version of every object, so an overwritten CSV can be recovered. */
  versioning?: boolean;
  /**
   * Objects under these key prefixes (folders, e.g. `exports/on-demand/`) are deleted `days` after
   * they are written, their older versions too. Default none.
   */
  expiring?: { prefix: string; days: number }[];
}

/** Days after which S3 removes the parts of a multipart upload that was never completed. */
const INCOMPLETE_UPLOAD_DAYS = 1;

/** `exports/on-demand/` → `exports-on-demand`: a lifecycle rule's id. */
const ruleId = (prefix: string) => prefix.replace(/\/+$/, "").replace(/\//g, "-");

/**
 * The notes bucket of the course's CSV lab: CSV uploads, their JSON conversions and the notes
 * exports. It holds users' data, so it is a private bucket (public access blocked, encrypted,
 * TLS only) that `pulumi destroy` will not empty.
 */
export class NotesBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: NotesBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-notes:bucket:NotesBucket", name, {}, opts);

    // Users' data: nobody outside the account reaches it, and nothing deletes it with the stack.
    const bucket = new PrivateBucket(
      name,
      { bucketPrefix: args.bucketPrefix, versioning: args.versioning ?? true, forceDestroy: false },
      { parent: this },
    );

    for (const { prefix, days } of args.expiring ?? []) {
      if (!/^([A-Za-z0-9_.-]+\/)+$/.test(prefix) || !Number.isInteger(days) || days < 1) {
        throw new Error(`${name}: "${prefix}" for ${days} days is not a folder kept whole days`);
      }
    }
    // A multipart upload whose writer died before completing or aborting it leaves parts that
    // cost storage and show in no listing: S3 removes them. Short-lived folders are emptied.
    // After the bucket's versioning (a component dependency waits for all of it), as the
    // provider's documentation advises for rules on versions.
    new aws.s3.BucketLifecycleConfiguration(
      name,
      {
        bucket: bucket.bucketName,
        rules: [
          {
            id: "abort-incomplete-multipart-uploads",
            status: "Enabled",
            filter: {},
            abortIncompleteMultipartUpload: { daysAfterInitiation: INCOMPLETE_UPLOAD_DAYS },
          },
          ...(args.expiring ?? []).map(({ prefix, days }) => ({
            id: `expire-${ruleId(prefix)}`,
            status: "Enabled",
            filter: { prefix },
            expiration: { days },
            noncurrentVersionExpiration: { noncurrentDays: days },
          })),
        ],
      },
      { parent: this, dependsOn: [bucket] },
    );

    this.bucketName = bucket.bucketName;
    this.arn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }
}
