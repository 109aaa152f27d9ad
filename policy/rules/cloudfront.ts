// A CloudFront distribution answers over HTTPS only and sends security headers on every
// response: each cache behaviour redirects (or refuses) plain HTTP and names a response headers
// policy.
import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { PreviewGaps, isUnknown } from "../previewGaps";

const HTTPS_ONLY = ["redirect-to-https", "https-only"];

interface Behaviour {
  pathPattern?: string;
  viewerProtocolPolicy?: string;
  responseHeadersPolicyId?: string;
}

export const cloudfrontHttpsWithSecurityHeaders: ResourceValidationPolicy = {
  name: "cloudfront-https-with-security-headers",
  description:
    "Every cache behaviour of a CloudFront distribution redirects or refuses plain HTTP (redirect-to-https or https-only) and has a response headers policy.",
  validateResource: validateResourceOfType(
    aws.cloudfront.Distribution,
    (distribution, args, report) => {
      const gaps = new PreviewGaps();
      const behaviours: { label: string; behaviour: Behaviour }[] = [
        {
          label: "the default cache behaviour",
          behaviour: distribution.defaultCacheBehavior as Behaviour,
        },
        ...((distribution.orderedCacheBehaviors ?? []) as Behaviour[]).map((behaviour) => ({
          label: `the cache behaviour for "${behaviour.pathPattern}"`,
          behaviour,
        })),
      ];
      for (const { label, behaviour } of behaviours) {
        const protocol = gaps.read(() => behaviour.viewerProtocolPolicy);
        if (isUnknown(protocol)) gaps.skip(protocol);
        else if (!HTTPS_ONLY.includes(String(protocol))) {
          report(
            `Distribution "${args.name}": ${label} lets viewers use plain HTTP ` +
              `(viewerProtocolPolicy ${protocol ?? "unset"}): use redirect-to-https.`,
          );
        }
        // An id still unknown in a preview is an id: the policy is being created.
        const headers = gaps.read(() => behaviour.responseHeadersPolicyId);
        if (!isUnknown(headers) && !headers) {
          report(
            `Distribution "${args.name}": ${label} has no response headers policy, so its ` +
              "responses carry no security headers (CSP, HSTS, nosniff, frame options).",
          );
        }
      }
      gaps.finish();
    },
  ),
};
