import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumableBy, bucketDeletion, policyDocument } from "./iamDocuments";

export interface ApplicationRoleArgs {
  /** The course calls it `notes-application-role`; role names are unique per account. */
  roleName: string;
  /** The course calls it `S3-Delete-Bucket-Policy`. */
  deleteBucketPolicyName: string;
  /** The one bucket the role may delete. */
  deletableBucketArn: pulumi.Input<string>;
}

/**
 * The course's `notes-application-role` for an EC2 instance: read-only everywhere, Session
 * Manager access, and permission to delete exactly one scratch bucket.
 */
export class ApplicationRole extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;
  readonly instanceProfileName: pulumi.Output<string>;
  readonly deleteBucketPolicyArn: pulumi.Output<string>;

  constructor(name: string, args: ApplicationRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-notes:iam:ApplicationRole", name, {}, opts);
    const child = { parent: this };
    // The course names the role, its profile and its policy, and IAM names are unique in the
    // account: a replacement must delete the old one before creating its namesake.
    const named = { parent: this, deleteBeforeReplace: true };

    const role = new aws.iam.Role(
      name,
      { name: args.roleName, assumeRolePolicy: assumableBy("ec2.amazonaws.com") },
      named,
    );

    // How an EC2 instance takes the role.
    const profile = new aws.iam.InstanceProfile(
      name,
      { name: args.roleName, role: role.name },
      named,
    );

    // A customer managed policy, so the course can show it in the console and reuse it.
    const deleteBucketPolicy = new aws.iam.Policy(
      `${name}-delete-bucket`,
      {
        name: args.deleteBucketPolicyName,
        description: "Allows s3:DeleteBucket on one scratch bucket and nothing else",
        policy: policyDocument(bucketDeletion(args.deletableBucketArn)),
      },
      named,
    );

    const attachments: Record<string, pulumi.Input<string>> = {
      "read-only": aws.iam.ManagedPolicy.ReadOnlyAccess,
      ssm: aws.iam.ManagedPolicy.AmazonSSMManagedInstanceCore,
      "delete-bucket": deleteBucketPolicy.arn,
    };
    for (const [suffix, policyArn] of Object.entries(attachments)) {
      new aws.iam.RolePolicyAttachment(`${name}-${suffix}`, { role: role.name, policyArn }, child);
    }

    this.roleArn = role.arn;
    this.roleName = role.name;
    this.instanceProfileName = profile.name;
    this.deleteBucketPolicyArn = deleteBucketPolicy.arn;
    this.registerOutputs({
      roleArn: this.roleArn,
      instanceProfileName: this.instanceProfileName,
      deleteBucketPolicyArn: this.deleteBucketPolicyArn,
    });
  }
}
