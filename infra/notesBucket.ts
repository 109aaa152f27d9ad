import * as pulumi from "@pulumi/pulumi";
import { PrivateBucket } from "./privateBucket";

export interface NotesBucketArgs {
  /** Start of the bucket's generated name. */
  bucketPrefix: string;
  /** Default true: keep every version of every object, so an overwritten CSV can be recovered. */
  versioning?: boolean;
}

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

    this.bucketName = bucket.bucketName;
    this.arn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }
}
