// Least privilege: every grant names its actions, and no role carries an AWS managed policy that
// grants a whole service (the `*FullAccess` family) or everything (`AdministratorAccess`).
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import {
  asList,
  describeStatement,
  isWildcardAction,
  parseDocument,
  quoted,
} from "../policyDocument";

/** Reports every Allow statement of a document that grants `*`, `service:*` or `NotAction`. */
function checkDocument(document: unknown, what: string, report: ReportViolation): void {
  const parsed = parseDocument(document);
  if ("error" in parsed) {
    report(
      `${what} is not a valid IAM policy document (${parsed.error}), so its grants cannot be checked.`,
    );
    return;
  }
  parsed.statements.forEach((statement, i) => {
    if (statement.Effect !== "Allow") return;
    const wildcards = asList(statement.Action).filter(isWildcardAction);
    if (wildcards.length > 0) {
      report(
        `${what} ${describeStatement(statement, i)} allows ${quoted(wildcards)}: ` +
          "name the exact actions it needs.",
      );
    }
    if (statement.NotAction !== undefined) {
      report(
        `${what} ${describeStatement(statement, i)} allows every action except ` +
          `${quoted(asList(statement.NotAction))} (NotAction): name the exact actions it needs.`,
      );
    }
  });
}

export const iamNoWildcardActions: ResourceValidationPolicy = {
  name: "iam-no-wildcard-actions",
  description:
    "No IAM policy statement (inline role policy, managed policy, bucket policy) allows `*` or `service:*` actions.",
  validateResource: [
    validateResourceOfType(aws.iam.RolePolicy, (p, args, report) =>
      checkDocument(p.policy, `Role policy "${args.name}"`, report),
    ),
    validateResourceOfType(aws.iam.Policy, (p, args, report) =>
      checkDocument(p.policy, `Managed policy "${args.name}"`, report),
    ),
    validateResourceOfType(aws.iam.UserPolicy, (p, args, report) =>
      checkDocument(p.policy, `User policy "${args.name}"`, report),
    ),
    validateResourceOfType(aws.iam.GroupPolicy, (p, args, report) =>
      checkDocument(p.policy, `Group policy "${args.name}"`, report),
    ),
    validateResourceOfType(aws.iam.Role, (role, args, report) => {
      for (const inline of role.inlinePolicies ?? []) {
        const name = inline.name ? ` "${inline.name}"` : "";
        checkDocument(inline.policy, `Inline policy${name} of role "${args.name}"`, report);
      }
    }),
    validateResourceOfType(aws.s3.BucketPolicy, (p, args, report) =>
      checkDocument(p.policy, `Bucket policy "${args.name}"`, report),
    ),
    validateResourceOfType(aws.s3.Bucket, (bucket, args, report) => {
      if (bucket.policy !== undefined) {
        checkDocument(bucket.policy, `Inline policy of bucket "${args.name}"`, report);
      }
    }),
  ],
};

/** An AWS managed policy that grants a whole service, or everything. */
const FULL_ACCESS =
  /^arn:aws[a-z-]*:iam::aws:policy\/(?:[\w+=,.@-]+\/)*(AdministratorAccess|[\w+=,.@-]*FullAccess[\w+=,.@-]*)$/;

function checkManagedPolicies(arns: string[], what: string, report: ReportViolation): void {
  for (const arn of arns) {
    const match = FULL_ACCESS.exec(arn);
    if (match) {
      report(
        `${what} attaches the AWS managed policy ${match[1]}, which grants far more than any ` +
          "function needs: grant the exact actions on the exact resources in a policy of its own.",
      );
    }
  }
}

export const iamNoFullAccessManagedPolicies: ResourceValidationPolicy = {
  name: "iam-no-full-access-managed-policies",
  description:
    "No role has an AWS managed `*FullAccess` (or `AdministratorAccess`) policy attached.",
  validateResource: [
    validateResourceOfType(aws.iam.RolePolicyAttachment, (a, args, report) =>
      checkManagedPolicies([a.policyArn], `Role policy attachment "${args.name}"`, report),
    ),
    validateResourceOfType(aws.iam.Role, (role, args, report) =>
      checkManagedPolicies(role.managedPolicyArns ?? [], `Role "${args.name}"`, report),
    ),
    validateResourceOfType(aws.iam.RolePolicyAttachmentsExclusive, (a, args, report) =>
      checkManagedPolicies(a.policyArns, `Role policy attachments "${args.name}"`, report),
    ),
    validateResourceOfType(aws.iam.PolicyAttachment, (a, args, report) => {
      if ((a.roles ?? []).length > 0) {
        checkManagedPolicies([a.policyArn], `Policy attachment "${args.name}"`, report);
      }
    }),
  ],
};
