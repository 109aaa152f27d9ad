// Tables are encrypted with a KMS key everywhere, and in production they can be restored to any
// second of the last 35 days and cannot be deleted by accident (neither by AWS nor by Pulumi).
import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { ProductionConfig, isProduction, productionConfigSchema } from "../environment";
import { PreviewGaps, isUnknown } from "../previewGaps";

export const dynamodbEncryptionAtRest: ResourceValidationPolicy = {
  name: "dynamodb-encryption-at-rest",
  description: "DynamoDB tables enable server-side encryption with a KMS key.",
  validateResource: validateResourceOfType(aws.dynamodb.Table, (table, args, report) => {
    if (table.serverSideEncryption?.enabled !== true) {
      report(
        `Table "${args.name}" does not enable server-side encryption: set ` +
          "serverSideEncryption: { enabled: true }.",
      );
    }
  }),
};

export const dynamodbProductionRecovery: ResourceValidationPolicy = {
  name: "dynamodb-production-recovery",
  description:
    "In production, DynamoDB tables have point-in-time recovery, deletion protection and Pulumi `protect`.",
  configSchema: productionConfigSchema,
  validateResource: validateResourceOfType(aws.dynamodb.Table, (table, args, report) => {
    if (!isProduction(args.urn, args.getConfig<ProductionConfig>())) return;
    const gaps = new PreviewGaps();
    const checks = [
      {
        value: gaps.read(() => table.pointInTimeRecovery?.enabled),
        missing: "point-in-time recovery (pointInTimeRecovery: { enabled: true })",
      },
      {
        value: gaps.read(() => table.deletionProtectionEnabled),
        missing: "deletion protection (deletionProtectionEnabled: true)",
      },
      { value: args.opts.protect, missing: "the Pulumi `protect` option" },
    ];
    const missing = checks.flatMap((check) => {
      if (isUnknown(check.value)) {
        gaps.skip(check.value);
        return [];
      }
      return check.value === true ? [] : [check.missing];
    });
    if (missing.length > 0) {
      report(`Production table "${args.name}" lacks ${missing.join(", ")}.`);
    }
    gaps.finish();
  }),
};
