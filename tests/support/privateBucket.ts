// What every private bucket of the stack must be, asserted on the recorded graph.
import * as assert from "node:assert/strict";
import type { RecordedResource, StackGraph } from "../harness/graph";

/**
 * Public access fully blocked, ACLs off, SSE-S3 encryption, and a policy refusing plain HTTP,
 * after exactly these grants.
 */
export function assertPrivateBucket(
  g: StackGraph,
  bucket: RecordedResource,
  grants: unknown[] = [],
): void {
  g.resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
    bucket: bucket.id,
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: true,
    restrictPublicBuckets: true,
  });
  g.resource("aws:s3/bucketOwnershipControls:BucketOwnershipControls", {
    bucket: bucket.id,
    rule: { objectOwnership: "BucketOwnerEnforced" },
  });
  g.resource(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    },
  );
  const policy = g.resource("aws:s3/bucketPolicy:BucketPolicy", { bucket: bucket.id });
  assert.deepEqual(policy.inputs.policy, {
    Version: "2012-10-17",
    Statement: [
      ...grants,
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucket.state.arn, `${String(bucket.state.arn)}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
}
