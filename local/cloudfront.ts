// The CloudFront site as `npm start` serves it, read from what the program declared: the
// distribution's bucket and objects, its default root object and error document, and the
// headers of its response headers policy, sent on every response as CloudFront sends them.
// Locally the policy's cloud origins (the API's, Cognito's) name their local stand-ins, as the
// page's config.js does, so a CSP that would block the page on AWS blocks it here too.
import { executeApiOrigin } from "../infra/api";
import { cognitoEndpoint } from "../infra/siteConfig";
import { originOf } from "../infra/securityHeaders";
import type { LocalApp, LocalSite } from "./model";
import { objectsOf, only, str } from "./model";
import type { RecordedResource } from "./recordStack";

interface SecurityHeadersConfig {
  contentSecurityPolicy?: { contentSecurityPolicy: string };
  strictTransportSecurity?: {
    accessControlMaxAgeSec: number;
    includeSubdomains?: boolean;
    preload?: boolean;
  };
  contentTypeOptions?: object;
  frameOptions?: { frameOption: string };
  referrerPolicy?: { referrerPolicy: string };
}

/**
 * The headers CloudFront adds for a policy's security headers config (CloudFront developer
 * guide, "Understand response headers policies": security headers).
 */
export function securityHeaders(config: SecurityHeadersConfig): Record<string, string> {
  const headers: Record<string, string> = {};
  if (config.contentSecurityPolicy) {
    headers["Content-Security-Policy"] = config.contentSecurityPolicy.contentSecurityPolicy;
  }
  const hsts = config.strictTransportSecurity;
  if (hsts) {
    headers["Strict-Transport-Security"] = [
      `max-age=${hsts.accessControlMaxAgeSec}`,
      ...(hsts.includeSubdomains ? ["includeSubDomains"] : []),
      ...(hsts.preload ? ["preload"] : []),
    ].join("; ");
  }
  if (config.contentTypeOptions) headers["X-Content-Type-Options"] = "nosniff";
  if (config.frameOptions) headers["X-Frame-Options"] = config.frameOptions.frameOption;
  if (config.referrerPolicy) headers["Referrer-Policy"] = config.referrerPolicy.referrerPolicy;
  return headers;
}

/** The distribution's site: its one S3 origin's objects, served the way CloudFront serves them. */
export function cloudFrontSite(all: RecordedResource[]): LocalSite {
  const ofType = (type: string) => all.filter((r) => r.type === `aws:${type}`);
  const distribution = only(ofType("cloudfront/distribution:Distribution"), "distributions");
  const [origin] = distribution.inputs.origins as { domainName: string }[];
  const bucket = ofType("s3/bucket:Bucket").find(
    (b) => b.state.bucketRegionalDomainName === origin.domainName,
  );
  if (!bucket) throw new Error(`no declared bucket is the origin ${origin.domainName}`);
  const behaviour = distribution.inputs.defaultCacheBehavior as {
    responseHeadersPolicyId?: string;
  };
  const policy = ofType("cloudfront/responseHeadersPolicy:ResponseHeadersPolicy").find(
    (p) => p.id === behaviour.responseHeadersPolicyId,
  );
  // A missing key is a 403 from a bucket CloudFront may not list.
  const errors = (distribution.inputs.customErrorResponses ?? []) as {
    errorCode: number;
    responseCode?: number;
    responsePagePath?: string;
  }[];
  const missing = errors.find((e) => e.errorCode === 403 && e.responsePagePath);
  return {
    bucket: str(bucket.state.bucket),
    hosting: "cloudfront",
    indexDocument: str(distribution.inputs.defaultRootObject),
    errorDocument: missing?.responsePagePath?.replace(/^\//, ""),
    errorStatus: missing?.responseCode ?? 403,
    headers: securityHeaders((policy?.inputs.securityHeadersConfig ?? {}) as SecurityHeadersConfig),
    objects: objectsOf(all, bucket.id),
  };
}

/** Every occurrence of each cloud origin in a CSP's source lists, as its local stand-in. */
export function localizeOrigins(policy: string, origins: Record<string, string>): string {
  return policy
    .split(";")
    .map((directive) =>
      directive
        .split(" ")
        .map((source) => origins[source] ?? source)
        .join(" "),
    )
    .join(";");
}

/** The site's CSP naming the local API and user pool where the program named AWS's. */
export function pointSiteHeadersAt(app: LocalApp, local: { api: string; cognito?: string }): void {
  const headers = app.site.headers ?? {};
  const csp = headers["Content-Security-Policy"];
  if (!csp || app.api.id === undefined) return;
  const origins: Record<string, string> = {
    [executeApiOrigin(app.api.id, app.region, "amazonaws.com")]: originOf(local.api),
  };
  if (local.cognito) origins[originOf(cognitoEndpoint(app.region))] = originOf(local.cognito);
  headers["Content-Security-Policy"] = localizeOrigins(csp, origins);
}
