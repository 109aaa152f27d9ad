// The ready-made events of `npm run invoke`: one per route (its method and path, and the
// caller's claims where the route is a person's own), and import steps' inputs that describe the
// repository's notes.csv as an upload of it stores it, so that they run against that upload.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { routes } from "../../app/routes";
import type { StackContext } from "../../local/control";
import { PLACEHOLDERS, fillSample, sampleNames, sampleText } from "../../local/samples";
import { REPO_ROOT } from "../../local/stackConfig";

const CONTEXT: StackContext = {
  stack: "dev",
  region: "ap-northeast-2",
  account: "123456789012",
  demoUserSub: "6f1c0a6e-0000-4000-8000-00000000d3e0",
  outputs: { notesBucketName: "serverless-notes-dev-notes-abc" },
  functions: [],
  scheduledRules: [],
};
const sample = (name: string) => fillSample(name, sampleText(name), CONTEXT) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("the sample events of npm run invoke", () => {
  it("fill every placeholder they hold", () => {
    for (const name of sampleNames()) {
      const text = sampleText(name);
      for (const [, placeholder] of text.matchAll(/\{\{(\w+)\}\}/g)) {
        assert.ok(placeholder in PLACEHOLDERS, `${name}: {{${placeholder}}}`);
      }
      assert.doesNotMatch(JSON.stringify(sample(name)), /\{\{/, name);
    }
    assert.throws(
      () => fillSample("x", '{"a":"{{nope}}"}', CONTEXT),
      /sample x holds an unknown placeholder \{\{nope\}\}/,
    );
  });

  it("give each route an event of its method and path, with the owner's claims where it asks", () => {
    for (const route of routes) {
      const event = sample(route.name);
      assert.deepEqual([event.httpMethod, event.resource], [route.method, route.path], route.name);
      assert.equal(event.requestContext.stage, "dev");
      const claims = event.requestContext.authorizer?.claims;
      if (route.access === "owner") {
        assert.equal(claims.sub, CONTEXT.demoUserSub, route.name);
        assert.equal(event.pathParameters.userId, CONTEXT.demoUserSub, route.name);
        assert.equal(event.path.split("/")[2], CONTEXT.demoUserSub, route.name);
      } else {
        assert.equal(claims, undefined, route.name);
      }
    }
  });

  it("describe notes.csv as uploaded to imports/notes.csv: its ETag, size and one part", () => {
    const csv = fs.readFileSync(path.join(REPO_ROOT, "notes.csv"));
    const etag = createHash("md5").update(csv).digest("hex");
    const header = csv.indexOf("\n") + 1;
    const uploaded = sample("s3-object-created").detail.object;
    assert.deepEqual(
      [uploaded.key, uploaded.etag, uploaded.size],
      ["imports/notes.csv", etag, csv.length],
    );
    for (const name of ["import-split", "import-load-part", "import-report"]) {
      const object = name === "import-report" ? sample(name).checked.object : sample(name).object;
      assert.deepEqual(
        [object.bucket, object.key, object.etag, object.size],
        ["serverless-notes-dev-notes-abc", "imports/notes.csv", etag, csv.length],
        name,
      );
    }
    assert.deepEqual(sample("import-load-part").part, {
      index: 1,
      start: header,
      end: csv.length,
      firstLine: 2,
    });
    assert.match(
      sample("import-report").loaded[0].resultKey,
      new RegExp(`/${etag}/part-00001\\.json$`),
    );
  });
});
