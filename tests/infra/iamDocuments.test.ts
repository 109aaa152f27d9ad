import { strict as assert } from "node:assert";
import { objectAccess, queueSending, tableAccess } from "../../infra/iamDocuments";

describe("infra/iamDocuments", () => {
  it("objectAccess allows named object actions on the objects under one prefix", () => {
    assert.deepEqual(objectAccess("arn:aws:s3:::b", "imports/", ["s3:GetObject"]).Action, [
      "s3:GetObject",
    ]);
    for (const action of [
      "s3:*",
      "s3:ListBucket",
      "s3:DeleteBucket",
      "dynamodb:GetItem",
      "s3:Get*",
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

  it("queueSending allows sqs:SendMessage on one queue and nothing else", () => {
    const queue = "arn:aws:sqs:ap-northeast-2:123456789012:importNotes-failed-1a2b3c4";
    assert.deepEqual(queueSending(queue), {
      Effect: "Allow",
      Action: "sqs:SendMessage",
      Resource: queue,
    });
  });
});
