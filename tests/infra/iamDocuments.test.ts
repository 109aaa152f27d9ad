import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { childExecutionRunning, objectAccess, tableAccess } from "../../infra/iamDocuments";

describe("infra/iamDocuments", () => {
  it("objectAccess allows named object actions on the objects under one prefix", () => {
    assert.deepEqual(objectAccess("arn:aws:s3:::b", "imports/", ["s3:GetObject"]).Action, [
      "s3:GetObject",
    ]);
    // A multipart upload's own actions are object actions too.
    const multipart = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"];
    assert.deepEqual(objectAccess("arn:aws:s3:::b", "exports/", multipart).Action, multipart);
    for (const action of [
      "s3:*",
      "s3:ListBucket",
      "s3:DeleteBucket",
      "dynamodb:GetItem",
      "s3:Get*",
      "s3:ListBucketMultipartUploads",
    ]) {
      assert.throws(
        () => objectAccess("arn:aws:s3:::b", "imports/", [action]),
        /named S3 object actions/,
      );
    }
    for (const prefix of ["", "imports", "*", "imports/*", "/imports/"]) {
      assert.throws(() => objectAccess("arn:aws:s3:::b", prefix, ["s3:GetObject"]), /key prefix/);
    }
  });

  it("tableAccess takes named DynamoDB actions only", () => {
    assert.throws(() => tableAccess("arn", ["dynamodb:*"]), /named DynamoDB actions/);
  });

  it("childExecutionRunning names the state machine and its own executions, no other", async () => {
    const machine =
      "arn:aws:states:ap-northeast-2:123456789012:stateMachine:serverless-notes-dev-x";
    const statements = childExecutionRunning(pulumi.output(machine));
    const resolved = await Promise.all(
      statements.map(
        (s) =>
          new Promise((resolve) =>
            pulumi.output(s.Resource).apply((resource) => resolve({ ...s, Resource: resource })),
          ),
      ),
    );
    assert.deepEqual(resolved, [
      { Effect: "Allow", Action: "states:StartExecution", Resource: machine },
      {
        Effect: "Allow",
        Action: ["states:DescribeExecution", "states:StopExecution"],
        Resource: "arn:aws:states:ap-northeast-2:123456789012:execution:serverless-notes-dev-x/*",
      },
    ]);
  });
});
