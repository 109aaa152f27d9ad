import { strict as assert } from "node:assert";
import * as path from "node:path";
import { contentTypeOf, siteFiles } from "../../infra/siteBucket";
import { SITE_DIR } from "../../stacks/build";
import { Match } from "../harness/graph";
import { forEachStack, stacksWhere } from "../support/stackSuite";

const EXPECTED_TYPES: Record<string, string> = {
  ".html": "text/html",
  ".css": "text/css",
  ".js": "application/javascript",
};

// The S3 website, where the stack file chooses it (dev): public for object reads over HTTP.
forEachStack(
  "SiteBucket",
  (graph) => {
    const siteBucket = () => {
      const component = graph().resource("serverless-notes:site:SiteBucket");
      const [bucket] = graph().children(component, "aws:s3/bucket:Bucket");
      assert.ok(bucket, "the site has no bucket");
      return bucket;
    };

    it("hosts a website with the index and error documents", () => {
      graph().hasResource("aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration", {
        bucket: siteBucket().id,
        indexDocument: { suffix: "index.html" },
        errorDocument: { key: "error.html" },
      });
      assert.equal(
        graph().outputs.siteUrl,
        `http://${String(siteBucket().state.bucket)}.s3-website.${graph().config("aws:region")}.amazonaws.com`,
      );
    });

    it("lets everyone read objects and nothing else", () => {
      const bucket = siteBucket();
      const policy = graph().resource("aws:s3/bucketPolicy:BucketPolicy", { bucket: bucket.id });
      assert.deepEqual(policy.inputs.policy, {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "PublicReadGetObject",
            Effect: "Allow",
            Principal: "*",
            Action: "s3:GetObject",
            Resource: `${String(bucket.state.arn)}/*`,
          },
        ],
      });
      graph().hasResource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
        bucket: bucket.id,
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      });
      graph().hasResource("aws:s3/bucketOwnershipControls:BucketOwnershipControls", {
        bucket: bucket.id,
        rule: { objectOwnership: "BucketOwnerEnforced" },
      });
    });

    it("uploads every file under site/ with its content type and a cache header", () => {
      const files = siteFiles(SITE_DIR);
      assert.ok(files.includes("index.html") && files.includes("error.html"));
      for (const key of files) {
        const expectedType = EXPECTED_TYPES[path.extname(key)];
        assert.ok(expectedType, `no expected type for ${key}`);
        assert.equal(contentTypeOf(key), expectedType);
        const [object] = graph().resources("aws:s3/bucketObject:BucketObject", {
          bucket: siteBucket().id,
          key,
          contentType: expectedType,
          cacheControl: key.endsWith(".html") ? "no-cache" : "public, max-age=300",
          source: { $asset: { path: path.join(SITE_DIR, key) } },
        });
        assert.ok(object);
      }
      const objects = graph().resources("aws:s3/bucketObject:BucketObject", {
        bucket: siteBucket().id,
      });
      assert.equal(objects.length, files.length + 1);
    });

    it("writes config.js pointing the page at this stack's API and user pool", () => {
      const [configJs] = graph().resources("aws:s3/bucketObject:BucketObject", {
        key: "config.js",
        contentType: "application/javascript",
        cacheControl: "no-cache",
        source: Match.absent(),
      });
      const script = String(configJs.inputs.content);
      const window: { SERVERLESS_NOTES_CONFIG?: unknown } = {};
      new Function("window", script)(window);
      const region = graph().config("aws:region");
      assert.deepEqual(window.SERVERLESS_NOTES_CONFIG, {
        apiUrl: graph().outputs.apiUrl,
        auth: {
          region,
          userPoolId: graph().outputs.userPoolId,
          clientId: graph().outputs.userPoolClientId,
          endpoint: `https://cognito-idp.${region}.amazonaws.com/`,
        },
      });
    });
  },
  stacksWhere("siteHosting", "s3-website"),
);
