import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { objectAccessBy } from "./iamDocuments";
import { PrivateBucket } from "./privateBucket";

export interface NotesBucketArgs {
  /** Start of the bucket's generated name. */
  bucketPrefix: string;
  /** Default true: keep every version of every object, so an overwritten CSV can be recovered. */
  versioning?: boolean;
  /** Where set (with versioning), a replaced or deleted version is kept this many days. */
  noncurrentVersionDays?: number;
  /**
   * Where set, S3 server access logs of every request to the bucket go to a log bucket of their
   * own (`<bucketPrefix>logs-…`), kept this many days.
   */
  accessLogDays?: number;
  /**
   * Objects under these key prefixes (folders, e.g. `exports/on-demand/`) are deleted `days` after
   * they are written, their older versions too. Default none.
   */
  expiring?: { prefix: string; days: number }[];
}

/** Where the access log records sit in the log bucket. */
export const ACCESS_LOG_PREFIX = "notes/";

/**
 * The notes bucket of the course's CSV lab: CSV uploads, their JSON conversions and the notes
 * exports. It holds users' data, so it is a private bucket (public access blocked, encrypted,
 * TLS only) that `pulumi destroy` will not empty.
 */
export class NotesBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** The bucket holding its server access logs, where they are kept. */
  readonly accessLogBucketName?: pulumi.Output<string>;

  constructor(name: string, args: NotesBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-notes:bucket:NotesBucket", name, {}, opts);
    const child = { parent: this };

    // Users' data: nobody outside the account reaches it, and nothing deletes it with the stack.
    const bucket = new PrivateBucket(
      name,
      {
        bucketPrefix: args.bucketPrefix,
        versioning: args.versioning ?? true,
        expireNoncurrentAfterDays: args.noncurrentVersionDays,
        expiring: args.expiring,
        forceDestroy: false,
      },
      child,
    );

    if (args.accessLogDays !== undefined) {
      this.accessLogBucketName = this.accessLogs(name, bucket, args, child);
    }

    this.bucketName = bucket.bucketName;
    this.arn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }

  /**
   * Server access logging into a bucket of its own (a bucket never logs into itself: each log
   * write would be logged again). S3's logging service writes with the target bucket's policy,
   * which works with ACLs disabled, for this source bucket and account only; SSE-S3 is a
   * supported target encryption (S3 user guide, "Enabling Amazon S3 server access logging").
   */
  private accessLogs(
    name: string,
    source: PrivateBucket,
    args: NotesBucketArgs,
    child: pulumi.CustomResourceOptions,
  ): pulumi.Output<string> {
    const account = aws.getCallerIdentityOutput({}, child);
    const logs = new PrivateBucket(
      `${name}-access-logs`,
      {
        bucketPrefix: `${args.bucketPrefix}logs-`,
        expireAfterDays: args.accessLogDays,
        grants: (logsArn) => [
          objectAccessBy("logging.s3.amazonaws.com", logsArn, ACCESS_LOG_PREFIX, ["s3:PutObject"], {
            arn: source.arn,
            account: account.accountId,
          }),
        ],
        // Logs are not users' data: removing the stack may remove them.
        forceDestroy: true,
      },
      child,
    );
    // Once the target's policy lets the logging service write (`dependsOn` the whole component).
    new aws.s3.BucketLogging(
      name,
      { bucket: source.bucketName, targetBucket: logs.bucketName, targetPrefix: ACCESS_LOG_PREFIX },
      { ...child, dependsOn: [logs] },
    );
    return logs.bucketName;
  }
}
