import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface KeyAttributeArgs {
  name: string;
  type: "S" | "N" | "B";
}

export interface TableArgs {
  /** The table's physical name. */
  tableName: string;
  partitionKey: KeyAttributeArgs;
  sortKey?: KeyAttributeArgs;
  /** Default `PAY_PER_REQUEST` (on demand). */
  billingMode?: "PAY_PER_REQUEST" | "PROVISIONED";
  /** Required with `PROVISIONED`. */
  provisionedCapacity?: { read: number; write: number };
  /** Default true: continuous backups for 35 days. */
  pointInTimeRecovery?: boolean;
  /** Default true: DynamoDB refuses DeleteTable. */
  deletionProtection?: boolean;
  /** Default true: Pulumi refuses to delete the table. */
  protect?: boolean;
}

/** A DynamoDB table from a key schema, encrypted at rest, with the environment's safety rails. */
export class Table extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: TableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-notes:table:Table", name, {}, opts);
    const billingMode = args.billingMode ?? "PAY_PER_REQUEST";
    if (billingMode === "PROVISIONED" && !args.provisionedCapacity) {
      throw new Error(`Table ${name}: PROVISIONED billing needs provisionedCapacity`);
    }
    const keys = [args.partitionKey, ...(args.sortKey ? [args.sortKey] : [])];

    // The table itself; encryption uses the AWS managed KMS key, so no key policy to keep. Its
    // name is fixed (functions and the README use it), so a replacement deletes the old one first.
    const table = new aws.dynamodb.Table(
      name,
      {
        name: args.tableName,
        billingMode,
        readCapacity: args.provisionedCapacity?.read,
        writeCapacity: args.provisionedCapacity?.write,
        hashKey: args.partitionKey.name,
        rangeKey: args.sortKey?.name,
        attributes: keys.map((k) => ({ name: k.name, type: k.type })),
        serverSideEncryption: { enabled: true },
        pointInTimeRecovery: { enabled: args.pointInTimeRecovery ?? true },
        deletionProtectionEnabled: args.deletionProtection ?? true,
      },
      { parent: this, protect: args.protect ?? true, deleteBeforeReplace: true },
    );

    this.name = table.name;
    this.arn = table.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
