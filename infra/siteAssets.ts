// How the CloudFront site is laid out in its bucket so that a deploy shows at once without an
// invalidation: every asset under a key named for its content (`assets/<hash>/<file>`), cached
// for a year; the pages, which name those keys, never cached. A changed stylesheet is a new key,
// so no cache anywhere can serve the old one to a new page.
//
// Why not an invalidation: pulumi-aws has no invalidation resource (pulumi/pulumi-aws#916: "use
// the SDK or a dynamic provider"; terraform-provider-aws's invalidation is a Terraform action,
// which Pulumi cannot run), so one would need code of ours at deploy time, AWS credentials in
// the program and `cloudfront:CreateInvalidation` for the deploy role, and would still leave a
// window while it propagates. Content-addressed keys need none of that.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { contentTypeOf, siteFiles } from "./siteBucket";

/** The folder of content-addressed keys; the distribution caches it for long. */
export const ASSET_PREFIX = "assets/";
export const ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable";
/** Pages and `config.js`: the browser and CloudFront ask again every time. */
export const PAGE_CACHE_CONTROL = "no-cache";

export interface SiteObject {
  /** The file's path under the site folder, e.g. `app.js`. */
  path: string;
  /** Its key in the bucket, e.g. `assets/68214ce610ab/app.js`. */
  key: string;
  contentType: string;
  cacheControl: string;
  /** A file uploaded as it is … */
  file?: string;
  /** … or a page whose asset references were rewritten. */
  content?: string;
}

const isPage = (key: string) => key.endsWith(".html");

/** `assets/<first 12 hex of the file's SHA-256>/<file>`. */
export function assetKey(file: string, key: string): string {
  const hash = createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 12);
  return `${ASSET_PREFIX}${hash}/${key}`;
}

/** Every `src="…"`/`href="…"` naming a site file (relative or from the root) names its asset key. */
export function rewriteReferences(html: string, keys: ReadonlyMap<string, string>): string {
  return html.replace(/\b(src|href)="([^"]*)"/g, (whole, attribute: string, value: string) => {
    const key = keys.get(value.replace(/^\//, ""));
    return key ? `${attribute}="/${key}"` : whole;
  });
}

/** The objects of the site folder, pages at their own keys and assets under content keys. */
export function versionedSite(siteDir: string): SiteObject[] {
  const files = siteFiles(siteDir);
  const keys = new Map(
    files.filter((f) => !isPage(f)).map((f) => [f, assetKey(path.join(siteDir, f), f)]),
  );
  return files.map((f): SiteObject => {
    const file = path.join(siteDir, f);
    const contentType = contentTypeOf(f);
    return isPage(f)
      ? {
          path: f,
          key: f,
          contentType,
          cacheControl: PAGE_CACHE_CONTROL,
          content: rewriteReferences(fs.readFileSync(file, "utf8"), keys),
        }
      : { path: f, key: keys.get(f)!, contentType, cacheControl: ASSET_CACHE_CONTROL, file };
  });
}
