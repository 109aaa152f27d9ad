import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { statementId } from "./statementId";

export interface UploadTriggerArgs {
  bucket: { bucketName: pulumi.Input<string>; arn: pulumi.Input<string> };
  function: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  /** Only keys that start with this, e.g. `imports/`. */
  prefix: string;
  /** Only keys that end with this, e.g. `.csv`. */
  suffix: string;
  /** The account that owns the bucket: S3 may invoke the function for that bucket only. */
  sourceAccount: pulumi.Input<string>;
}

/**
 * Runs a function for each object created in a bucket under a prefix with a suffix. It is the
 * bucket's notification configuration, of which S3 keeps exactly one: one trigger per bucket.
 */
export class UploadTrigger extends pulumi.ComponentResource {
  constructor(name: string, args: UploadTriggerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-notes:bucket:UploadTrigger", name, {}, opts);

    // S3 may invoke the function for events of this one bucket, in the owner's account. The
    // statement id is fixed per function, so a replacement must remove the old statement first.
    const permission = new aws.lambda.Permission(
      name,
      {
        statementId: statementId("S3", `${name} ${args.prefix}`),
        action: "lambda:InvokeFunction",
        function: args.function.name,
        principal: "s3.amazonaws.com",
        sourceArn: args.bucket.arn,
        sourceAccount: args.sourceAccount,
      },
      { parent: this, deleteBeforeReplace: true },
    );

    // S3 checks that it may invoke the function when the notification is saved: permission first.
    new aws.s3.BucketNotification(
      name,
      {
        bucket: args.bucket.bucketName,
        lambdaFunctions: [
          {
            lambdaFunctionArn: args.function.arn,
            events: ["s3:ObjectCreated:*"],
            filterPrefix: args.prefix,
            filterSuffix: args.suffix,
          },
        ],
      },
      { parent: this, dependsOn: [permission] },
    );

    this.registerOutputs({});
  }
}
