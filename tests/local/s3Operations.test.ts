// Which S3 operation a request is and which IAM actions it needs, as the local S3's IAM check
// reads them (the Service Authorization Reference's table for Amazon S3).
import * as assert from "node:assert/strict";
import { keysToDelete, s3Operation, targetOf } from "../../local/s3Operations";

const B = "arn:aws:s3:::bkt";

function operation(method: string, url: string, headers: Record<string, string> = {}, body = "") {
  const [path, query = ""] = url.split("?");
  return s3Operation(
    method,
    targetOf("127.0.0.1:4568", path),
    new URLSearchParams(query),
    headers,
    body,
  );
}

describe("the local S3's operations and their IAM actions", () => {
  it("finds the bucket and key path-style at an address, virtual-hosted under .localhost", () => {
    assert.deepEqual(targetOf("127.0.0.1:4568", "/bkt/imports/a%20b%2Bc.csv"), {
      bucket: "bkt",
      key: "imports/a b+c.csv",
    });
    assert.deepEqual(targetOf("localhost:4568", "/bkt"), { bucket: "bkt" });
    assert.deepEqual(targetOf("bkt.localhost:4568", "/imports/x.csv"), {
      bucket: "bkt",
      key: "imports/x.csv",
    });
    assert.deepEqual(targetOf("bkt.localhost:4568", "/"), { bucket: "bkt" });
    assert.deepEqual(targetOf("127.0.0.1", "/"), {});
    assert.throws(() => targetOf("127.0.0.1", "/bkt/%E0%A4%A"));
  });

  it("maps each object operation to its action on the object's ARN", () => {
    const cases: [string, string, Record<string, string>, string, string[]][] = [
      ["GET", "/bkt/k", {}, "GetObject", ["s3:GetObject"]],
      ["GET", "/bkt/k?versionId=v1", {}, "GetObject", ["s3:GetObjectVersion"]],
      ["HEAD", "/bkt/k", {}, "HeadObject", ["s3:GetObject"]],
      ["PUT", "/bkt/k", {}, "PutObject", ["s3:PutObject"]],
      ["DELETE", "/bkt/k", {}, "DeleteObject", ["s3:DeleteObject"]],
      ["DELETE", "/bkt/k?versionId=v1", {}, "DeleteObject", ["s3:DeleteObjectVersion"]],
      ["POST", "/bkt/k?uploads", {}, "CreateMultipartUpload", ["s3:PutObject"]],
      ["PUT", "/bkt/k?partNumber=1&uploadId=u", {}, "UploadPart", ["s3:PutObject"]],
      ["POST", "/bkt/k?uploadId=u", {}, "CompleteMultipartUpload", ["s3:PutObject"]],
      ["DELETE", "/bkt/k?uploadId=u", {}, "AbortMultipartUpload", ["s3:AbortMultipartUpload"]],
      ["GET", "/bkt/k?uploadId=u", {}, "ListParts", ["s3:ListMultipartUploadParts"]],
      ["GET", "/bkt/k?tagging", {}, "GetObjectTagging", ["s3:GetObjectTagging"]],
      ["PUT", "/bkt/k?tagging&versionId=v", {}, "PutObjectTagging", ["s3:PutObjectVersionTagging"]],
    ];
    for (const [method, url, headers, name, actions] of cases) {
      const found = operation(method, url, headers);
      assert.equal(found.name, name, `${method} ${url}`);
      assert.deepEqual(
        found.actions,
        actions.map((action) => ({ action, resource: `${B}/k` })),
        `${method} ${url}`,
      );
    }
  });

  it("asks a copy for the read of its source as well, and says which operations create objects", () => {
    const copy = operation("PUT", "/bkt/results/k", {
      "x-amz-copy-source": "/bkt/imports/a%20b.csv?versionId=v9",
    });
    assert.equal(copy.name, "CopyObject");
    assert.deepEqual(copy.actions, [
      { action: "s3:PutObject", resource: `${B}/results/k` },
      { action: "s3:GetObjectVersion", resource: `${B}/imports/a b.csv` },
    ]);
    assert.equal(copy.creates, "CopyObject");
    assert.equal(operation("PUT", "/bkt/k").creates, "PutObject");
    assert.equal(operation("POST", "/bkt/k?uploadId=u").creates, "CompleteMultipartUpload");
    assert.equal(operation("PUT", "/bkt/k?partNumber=1&uploadId=u").creates, undefined);
  });

  it("maps bucket operations to their actions on the bucket's ARN", () => {
    const cases: [string, string, string, string][] = [
      ["GET", "/bkt?list-type=2&prefix=imports%2F", "ListObjectsV2", "s3:ListBucket"],
      ["GET", "/bkt", "ListObjects", "s3:ListBucket"],
      ["HEAD", "/bkt", "HeadBucket", "s3:ListBucket"],
      ["GET", "/bkt?versions", "ListObjectVersions", "s3:ListBucketVersions"],
      ["GET", "/bkt?location", "GetBucketLocation", "s3:GetBucketLocation"],
      ["GET", "/bkt?policy", "GetBucketPolicy", "s3:GetBucketPolicy"],
      ["PUT", "/bkt?cors", "PutBucketCORS", "s3:PutBucketCORS"],
      ["PUT", "/bkt", "CreateBucket", "s3:CreateBucket"],
      ["DELETE", "/bkt", "DeleteBucket", "s3:DeleteBucket"],
    ];
    for (const [method, url, name, action] of cases) {
      assert.deepEqual(
        operation(method, url),
        { name, actions: [{ action, resource: B }] },
        `${method} ${url}`,
      );
    }
    assert.deepEqual(operation("GET", "/"), {
      name: "ListBuckets",
      actions: [{ action: "s3:ListAllMyBuckets", resource: "*" }],
    });
  });

  it("asks DeleteObjects for each key's delete, and knows no actions for what it does not map", () => {
    const body =
      "<Delete><Object><Key>imports/a&amp;b.csv</Key></Object><Object><Key>x&#47;y</Key></Object></Delete>";
    assert.deepEqual(keysToDelete(body), ["imports/a&b.csv", "x/y"]);
    assert.deepEqual(operation("POST", "/bkt?delete", {}, body).actions, [
      { action: "s3:DeleteObject", resource: `${B}/imports/a&b.csv` },
      { action: "s3:DeleteObject", resource: `${B}/x/y` },
    ]);
    assert.deepEqual(operation("POST", "/bkt/k").actions, []);
    assert.deepEqual(operation("PATCH", "/bkt").actions, []);
  });
});
