// The local EventBridge's pattern matcher, on the program's own upload rule and on the pattern
// features it evaluates; anything else is refused by name rather than guessed.
import * as assert from "node:assert/strict";
import { CSV_SUFFIX, IMPORTS_PREFIX } from "../../app/bucketLayout";
import { uploadPattern } from "../../infra/importWorkflow";
import { UnsupportedPattern, compilePattern } from "../../local/eventPattern";

const BUCKET = "notes-bucket";

/** An "Object Created" event of S3, in the shape EventBridge delivers it. */
function created(key: string, bucket = BUCKET, detailType = "Object Created") {
  return {
    version: "0",
    id: "17793124-05d4-b198-2fde-7ededc63b103",
    "detail-type": detailType,
    source: "aws.s3",
    account: "123456789012",
    time: "2026-01-01T00:00:00Z",
    region: "ap-northeast-2",
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: "0",
      bucket: { name: bucket },
      object: { key, size: 5, etag: "b1946ac92492d2347c6235b4d2611184" },
      reason: "PutObject",
    },
  };
}

describe("the local EventBridge's event patterns", () => {
  const imports = compilePattern(
    uploadPattern(BUCKET, IMPORTS_PREFIX, CSV_SUFFIX) as Record<string, unknown>,
  );

  it("matches the program's upload rule to every CSV under imports/, in any case", () => {
    for (const key of [
      "imports/notes.csv",
      "imports/notes.CSV",
      "imports/Spreadsheet Export.Csv",
      "imports/2026/01/team.cSv",
      "imports/.csv",
    ]) {
      assert.equal(imports(created(key)), true, key);
    }
  });

  it("matches no other key, bucket, event type or source", () => {
    for (const key of [
      "imports/a.txt",
      "other/a.csv",
      "imports/a.csv.bak",
      "imports/a.csvx",
      "Imports/a.csv",
      "imports",
      "a/imports/b.csv",
    ]) {
      assert.equal(imports(created(key)), false, key);
    }
    assert.equal(imports(created("imports/a.csv", "another-bucket")), false);
    assert.equal(imports(created("imports/a.csv", BUCKET, "Object Deleted")), false);
    assert.equal(imports({ ...created("imports/a.csv"), source: "my.app" }), false);
    const { detail, ...withoutDetail } = created("imports/a.csv");
    assert.ok(detail);
    assert.equal(imports(withoutDetail), false);
  });

  it("matches a value against each element of an array in the event", () => {
    const byResource = compilePattern({ resources: ["arn:aws:s3:::notes-bucket"] });
    assert.equal(byResource(created("x")), true);
    assert.equal(
      byResource({ resources: ["arn:aws:s3:::other", "arn:aws:s3:::notes-bucket"] }),
      true,
    );
    assert.equal(byResource({ resources: [] }), false);
    assert.equal(byResource({ resources: "arn:aws:s3:::notes-bucket" }), true);
  });

  it("compares exact values by type, and null only with null", () => {
    const size = compilePattern({ detail: { object: { size: [5], flag: [null], on: [true] } } });
    assert.equal(size({ detail: { object: { size: 5, flag: null, on: true } } }), true);
    assert.equal(size({ detail: { object: { size: "5", flag: null, on: true } } }), false);
    assert.equal(size({ detail: { object: { size: 5, on: true } } }), false);
  });

  it("reads wildcards as EventBridge does: * spans slashes, \\* and \\\\ are literal", () => {
    const match = (wildcard: string, value: string) =>
      compilePattern({ key: [{ wildcard }] })({ key: value });
    assert.equal(match("a/*/c", "a/b/x/c"), true);
    assert.equal(match("*.png", "dir/x.png"), true);
    assert.equal(match("*.png", "x.PNG"), false, "case-sensitive");
    assert.equal(match("a\\*b", "a*b"), true);
    assert.equal(match("a\\*b", "axb"), false);
    assert.equal(match("a\\\\b", "a\\b"), true);
    assert.equal(match("a.c", "abc"), false, "a dot is a dot");
    assert.equal(compilePattern({ key: [{ wildcard: "*" }] })({ key: 5 }), false);
  });

  it("refuses, by name, what it does not evaluate", () => {
    const refusals: [Record<string, unknown>, RegExp][] = [
      [
        { detail: { key: [{ prefix: "imports/" }] } },
        /\$\.detail\.key\[0\]: the "prefix" operator/,
      ],
      [{ detail: { key: [{ "anything-but": "x" }] } }, /"anything-but" operator/],
      [{ key: [{ wildcard: "a**b" }] }, /consecutive wildcard/],
      [{ source: "aws.s3" }, /\$\.source: "aws\.s3" must be a list/],
      [{ source: [] }, /an empty list/],
    ];
    for (const [pattern, message] of refusals) {
      assert.throws(
        () => compilePattern(pattern),
        (e: unknown) => e instanceof UnsupportedPattern && message.test(e.message),
        JSON.stringify(pattern),
      );
    }
  });
});
