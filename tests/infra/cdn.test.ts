// The CloudFront site, where the stack file chooses it (prod): a private bucket only this
// distribution reads, HTTPS only, security headers, and caching that a deploy cannot outlive.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { siteFiles } from "../../infra/siteBucket";
import { SITE_DIR } from "../../stacks/build";
import { Match, mismatches as mismatchesOf, recordStack } from "../harness/graph";
import type { RecordedResource, StackGraph } from "../harness/graph";
import { assertPrivateBucket } from "../support/privateBucket";
import { forEachStack, physical, stacksWhere } from "../support/stackSuite";

const T = {
  cdn: "serverless-notes:site:Cdn",
  distribution: "aws:cloudfront/distribution:Distribution",
  accessControl: "aws:cloudfront/originAccessControl:OriginAccessControl",
  headers: "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
  cachePolicy: "aws:cloudfront/cachePolicy:CachePolicy",
  object: "aws:s3/bucketObject:BucketObject",
  certificate: "aws:acm/certificate:Certificate",
  validation: "aws:acm/certificateValidation:CertificateValidation",
  record: "aws:route53/record:Record",
};

/** The one resource of a type inside the Cdn component (at any depth). */
function inCdn(g: StackGraph, type: string, name?: string): RecordedResource {
  const found = g
    .all()
    .filter((r) => r.type === type && (name === undefined || r.name === name))
    .filter((r) => g.ancestor(r, T.cdn) !== undefined);
  assert.equal(found.length, 1, `${type} ${name ?? ""} in the Cdn`);
  return found[0];
}

const siteBucket = (g: StackGraph) => inCdn(g, "aws:s3/bucket:Bucket");
const distribution = (g: StackGraph) => inCdn(g, T.distribution);

/** What every cache behaviour shares: HTTPS, reads only, compressed, the security headers. */
function behaviourOf(g: StackGraph) {
  return {
    targetOriginId: "site",
    viewerProtocolPolicy: "redirect-to-https",
    allowedMethods: ["GET", "HEAD"],
    cachedMethods: ["GET", "HEAD"],
    compress: true,
    responseHeadersPolicyId: inCdn(g, T.headers).id,
  };
}

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

forEachStack(
  "Cdn",
  (graph) => {
    it("keeps the site in a private bucket that only this distribution may read", () => {
      const g = graph();
      const bucket = siteBucket(g);
      assert.equal(bucket.inputs.bucketPrefix, `${physical(g, "site")}-`);
      assertPrivateBucket(g, bucket, [
        {
          Sid: "CloudFrontReadsTheSite",
          Effect: "Allow",
          Principal: { Service: "cloudfront.amazonaws.com" },
          Action: ["s3:GetObject"],
          Resource: `${String(bucket.state.arn)}/*`,
          Condition: {
            ArnLike: { "aws:SourceArn": distribution(g).state.arn },
            StringEquals: { "aws:SourceAccount": "123456789012" },
          },
        },
      ]);
      assert.equal(g.count("aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration"), 0);
    });

    it("reads the bucket through an origin access control that signs every request", () => {
      const g = graph();
      const accessControl = inCdn(g, T.accessControl);
      assert.deepEqual(
        {
          type: accessControl.inputs.originAccessControlOriginType,
          signing: accessControl.inputs.signingBehavior,
          protocol: accessControl.inputs.signingProtocol,
        },
        { type: "s3", signing: "always", protocol: "sigv4" },
      );
      assert.deepEqual(distribution(g).inputs.origins, [
        {
          originId: "site",
          domainName: siteBucket(g).state.bucketRegionalDomainName,
          originAccessControlId: accessControl.id,
        },
      ]);
    });

    it("serves HTTPS only, over HTTP/2 and 3, on its cloudfront.net name without a domain", () => {
      const g = graph();
      const d = distribution(g);
      assert.deepEqual(
        mismatchesOf(d.inputs, {
          enabled: true,
          isIpv6Enabled: true,
          httpVersion: "http2and3",
          defaultRootObject: "index.html",
          aliases: Match.absent(),
          viewerCertificate: Match.exact({ cloudfrontDefaultCertificate: true }),
          restrictions: { geoRestriction: { restrictionType: "none" } },
        }),
        [],
      );
      const behaviours = [
        d.inputs.defaultCacheBehavior,
        ...(d.inputs.orderedCacheBehaviors as unknown[]),
      ];
      for (const b of behaviours) assert.deepEqual(mismatchesOf(b, behaviourOf(g)), []);
      assert.equal(g.outputs.siteUrl, `https://${String(d.state.domainName)}`);
    });

    it("sends the security headers on every response, the CSP naming only the API and Cognito", () => {
      const g = graph();
      const region = g.config("aws:region");
      const apiOrigin = new URL(String(g.outputs.apiUrl)).origin;
      assert.deepEqual(inCdn(g, T.headers).inputs.securityHeadersConfig, {
        contentSecurityPolicy: {
          contentSecurityPolicy:
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
            `connect-src ${apiOrigin} https://cognito-idp.${region}.amazonaws.com; ` +
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAgeSec: 63_072_000,
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: "DENY", override: true },
        referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
      });
    });

    it("caches content-addressed assets for a year and never the pages or config.js", () => {
      const g = graph();
      const d = distribution(g);
      const assets = inCdn(g, T.cachePolicy, "site-assets");
      const pages = inCdn(g, T.cachePolicy, "site-pages");
      const year = 31_536_000;
      const nothingInKey = {
        cookiesConfig: { cookieBehavior: "none" },
        headersConfig: { headerBehavior: "none" },
        queryStringsConfig: { queryStringBehavior: "none" },
      };
      assert.deepEqual(
        mismatchesOf(assets.inputs, { minTtl: year, defaultTtl: year, maxTtl: year }),
        [],
      );
      assert.deepEqual(mismatchesOf(pages.inputs, { minTtl: 0, defaultTtl: 0, maxTtl: 0 }), []);
      assert.deepEqual(assets.inputs.parametersInCacheKeyAndForwardedToOrigin, {
        ...nothingInKey,
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
      });
      assert.deepEqual(pages.inputs.parametersInCacheKeyAndForwardedToOrigin, {
        ...nothingInKey,
        enableAcceptEncodingGzip: false,
        enableAcceptEncodingBrotli: false,
      });
      assert.equal(
        (d.inputs.defaultCacheBehavior as { cachePolicyId: string }).cachePolicyId,
        pages.id,
      );
      assert.deepEqual(
        (d.inputs.orderedCacheBehaviors as { pathPattern: string; cachePolicyId: string }[]).map(
          (b) => [b.pathPattern, b.cachePolicyId],
        ),
        [["assets/*", assets.id]],
      );
    });

    it("uploads assets under keys named for their content, and pages that name those keys", () => {
      const g = graph();
      const bucket = siteBucket(g);
      const objects = g.resources(T.object, { bucket: bucket.id });
      const byKey = new Map(objects.map((o) => [String(o.inputs.key), o]));
      const files = siteFiles(SITE_DIR);
      const assetKeys = new Map<string, string>();
      for (const file of files.filter((f) => !f.endsWith(".html"))) {
        const key = `assets/${sha256(path.join(SITE_DIR, file)).slice(0, 12)}/${file}`;
        const object = byKey.get(key);
        assert.ok(object, `${file} is not uploaded as ${key}`);
        assert.equal(object.inputs.cacheControl, "public, max-age=31536000, immutable");
        assetKeys.set(file, key);
      }
      for (const page of files.filter((f) => f.endsWith(".html"))) {
        const object = byKey.get(page);
        assert.ok(object, `${page} is not uploaded`);
        assert.equal(object.inputs.cacheControl, "no-cache");
        const html = String(object.inputs.content);
        const references = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
        for (const ref of references) {
          if (/^(data:|#|https?:)/.test(ref) || ref === "config.js" || ref === "/index.html")
            continue;
          assert.ok(
            byKey.has(ref.replace(/^\//, "")),
            `${page} names ${ref}, which is not uploaded`,
          );
          assert.match(ref, /^\/assets\/[0-9a-f]{12}\//, `${page} names ${ref} by its path`);
        }
      }
      assert.match(
        String(byKey.get("index.html")?.inputs.content),
        new RegExp(`src="/${assetKeys.get("app.js")}"`),
      );
      const configJs = byKey.get("config.js");
      assert.equal(configJs?.inputs.cacheControl, "no-cache");
      assert.equal(objects.length, files.length + 1);
    });

    it("answers a missing page (403 or 404 from the bucket) with error.html and 404", () => {
      assert.deepEqual(distribution(graph()).inputs.customErrorResponses, [
        {
          errorCode: 403,
          responseCode: 404,
          responsePagePath: "/error.html",
          errorCachingMinTtl: 10,
        },
        {
          errorCode: 404,
          responseCode: 404,
          responsePagePath: "/error.html",
          errorCachingMinTtl: 10,
        },
      ]);
    });

    it("is the one origin the API allows where the stack file says site", () => {
      const g = graph();
      if (g.config("serverless-notes:corsOrigin") !== "site") return;
      for (const fn of g.resources("aws:lambda/function:Function", {})) {
        const variables = (fn.inputs.environment as { variables?: Record<string, string> })
          ?.variables;
        if (variables?.CORS_ORIGIN !== undefined)
          assert.equal(variables.CORS_ORIGIN, g.outputs.siteUrl);
      }
      g.hasResource("aws:apigateway/response:Response", {
        responseParameters: {
          "gatewayresponse.header.Access-Control-Allow-Origin": `'${String(g.outputs.siteUrl)}'`,
        },
      });
    });
  },
  stacksWhere("siteHosting", "cloudfront"),
);

describe("Cdn with a custom domain (prod with siteDomainName set)", function () {
  this.timeout(120_000);
  let g: StackGraph;
  before(async () => {
    g = await recordStack("prod", {
      set: {
        "serverless-notes:siteDomainName": "notes.example.com",
        "serverless-notes:siteHostedZone": "example.com",
      },
    });
    assert.equal(g.recorded.error, undefined);
  });

  it("gets an ACM certificate in us-east-1 through a second, explicit provider", () => {
    const east = g.resource("pulumi:providers:aws", { region: "us-east-1" });
    const certificate = g.resource(T.certificate, {
      domainName: "notes.example.com",
      validationMethod: "DNS",
    });
    assert.match(String(certificate.provider), new RegExp(`::${east.name}::`));
    const validation = g.resource(T.validation, { certificateArn: certificate.state.arn });
    assert.match(String(validation.provider), new RegExp(`::${east.name}::`));
  });

  it("proves the domain with the certificate's DNS record in the configured zone", () => {
    const [option] = g.resource(T.certificate).state.domainValidationOptions as Record<
      string,
      string
    >[];
    const record = g.resource(T.record, {
      name: option.resourceRecordName,
      type: "CNAME",
      records: [option.resourceRecordValue],
    });
    assert.match(String(record.inputs.zoneId), /^Z[0-9A-F]+$/);
    g.resource(T.validation, { validationRecordFqdns: [record.state.fqdn] });
  });

  it("serves the domain with that certificate over SNI and TLS 1.2 at least, via alias records", () => {
    const d = distribution(g);
    assert.deepEqual(d.inputs.aliases, ["notes.example.com"]);
    assert.deepEqual(d.inputs.viewerCertificate, {
      acmCertificateArn: g.resource(T.certificate).state.arn,
      sslSupportMethod: "sni-only",
      minimumProtocolVersion: "TLSv1.2_2021",
    });
    for (const type of ["A", "AAAA"]) {
      g.resource(T.record, {
        name: "notes.example.com",
        type,
        aliases: [
          { name: d.state.domainName, zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false },
        ],
      });
    }
    assert.equal(g.outputs.siteUrl, "https://notes.example.com");
  });
});
