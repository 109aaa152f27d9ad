import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import mime from "mime";
import { policyDocument, publicObjectRead } from "./iamDocuments";
import { SiteRuntimeConfig, siteConfigScript } from "./siteConfig";

export interface SiteBucketArgs {
  /** The folder whose files become the website, one object per file. */
  siteDir: string;
  /** Written into the bucket as `config.js`, which the page loads before its own script. */
  runtimeConfig: pulumi.Input<SiteRuntimeConfig>;
  /** Start of the bucket's generated name. */
  bucketPrefix?: string;
  /** Default `index.html`. */
  indexDocument?: string;
  /** Default `error.html`. */
  errorDocument?: string;
  /** Cache-Control of assets other than HTML and `config.js`; default five minutes. */
  assetCacheControl?: string;
}

/** Pages and `config.js` must be fetched fresh after a deploy; other assets may be cached. */
const NO_CACHE = "no-cache";

/** Every file below a folder, as paths relative to it with forward slashes. */
export function siteFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? siteFiles(path.join(dir, entry.name)).map((f) => `${entry.name}/${f}`)
        : [entry.name],
    )
    .sort();
}

export function contentTypeOf(key: string): string {
  return mime.getType(key) ?? "application/octet-stream";
}

/** An S3 static website: public for object reads only, one object per file plus `config.js`. */
export class SiteBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly websiteEndpoint: pulumi.Output<string>;
  /** `http://<website endpoint>`: both the page's address and its origin. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: SiteBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-notes:site:SiteBucket", name, {}, opts);
    const child = { parent: this };
    const indexDocument = args.indexDocument ?? "index.html";
    const errorDocument = args.errorDocument ?? "error.html";
    const assetCacheControl = args.assetCacheControl ?? "public, max-age=300";

    const bucket = new aws.s3.Bucket(
      name,
      { bucketPrefix: args.bucketPrefix, forceDestroy: true },
      child,
    );

    // ACLs off: the bucket owner owns every object and only the bucket policy grants access.
    const ownership = new aws.s3.BucketOwnershipControls(
      name,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      child,
    );

    // Public access stays blocked for ACLs; only a public bucket policy is allowed through.
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      name,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      },
      child,
    );

    const website = new aws.s3.BucketWebsiteConfiguration(
      name,
      {
        bucket: bucket.id,
        indexDocument: { suffix: indexDocument },
        errorDocument: { key: errorDocument },
      },
      child,
    );

    // Everyone may read objects; nothing else is public.
    new aws.s3.BucketPolicy(
      name,
      { bucket: bucket.id, policy: policyDocument(publicObjectRead(bucket.arn)) },
      { parent: this, dependsOn: [publicAccess, ownership] },
    );

    for (const key of siteFiles(args.siteDir)) {
      // One object per site file, served with its content type.
      new aws.s3.BucketObject(
        `${name}/${key}`,
        {
          bucket: bucket.id,
          key,
          source: new pulumi.asset.FileAsset(path.join(args.siteDir, key)),
          contentType: contentTypeOf(key),
          cacheControl: key.endsWith(".html") ? NO_CACHE : assetCacheControl,
        },
        { parent: this, dependsOn: [ownership] },
      );
    }

    // The deployment's own values for the page, so nothing in `site/` names an environment.
    new aws.s3.BucketObject(
      `${name}/config.js`,
      {
        bucket: bucket.id,
        key: "config.js",
        content: pulumi.output(args.runtimeConfig).apply(siteConfigScript),
        contentType: contentTypeOf("config.js"),
        cacheControl: NO_CACHE,
      },
      { parent: this, dependsOn: [ownership] },
    );

    this.bucketName = bucket.bucket;
    this.websiteEndpoint = website.websiteEndpoint;
    this.url = pulumi.interpolate`http://${website.websiteEndpoint}`;
    this.registerOutputs({ bucketName: this.bucketName, url: this.url });
  }
}
