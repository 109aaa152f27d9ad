// Buckets are private and TLS-only, except the website bucket, which anyone may read objects from
// (S3 website endpoints speak plain HTTP, so it is also the one bucket without the TLS rule).
import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { BucketPolicyDocument, BucketRef, Buckets } from "../buckets";
import {
  Statement,
  asList,
  describeStatement,
  isEveryone,
  parseDocument,
  quoted,
} from "../policyDocument";
import { ProductionConfig, isProduction, productionConfigSchema } from "../environment";
import { PreviewGaps, isUnknown } from "../previewGaps";

const BLOCK_FLAGS = [
  "blockPublicAcls",
  "ignorePublicAcls",
  "blockPublicPolicy",
  "restrictPublicBuckets",
] as const;
/** The flags that keep ACLs from making anything public; the website needs only the other two off. */
const ACL_FLAGS: readonly string[] = ["blockPublicAcls", "ignorePublicAcls"];

const PUBLIC_CANNED_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const PUBLIC_GRANTEES = [
  "http://acs.amazonaws.com/groups/global/AllUsers",
  "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
];

/** An Allow statement anyone may use: to everyone, or to everyone but someone (NotPrincipal). */
const isPublicGrant = (s: Statement): boolean =>
  s.Effect === "Allow" && (isEveryone(s.Principal) || s.NotPrincipal !== undefined);

export const s3PublicOnlyWebsiteObjectReads: StackValidationPolicy = {
  name: "s3-public-only-website-object-reads",
  description:
    "Only a bucket with a website configuration may be public, and only for s3:GetObject; ACLs never make anything public.",
  validateStack: (args, report) => {
    const gaps = new PreviewGaps();
    const s3 = new Buckets(args.resources, gaps);

    for (const { resource, bucket, document } of s3.policyDocuments()) {
      const parsed = isUnknown(document) ? document : gaps.read(() => parseDocument(document));
      if (isUnknown(parsed)) {
        gaps.skip(parsed);
        continue;
      }
      // An unreadable document is iam-no-wildcard-actions' to report.
      if ("error" in parsed) continue;
      parsed.statements.forEach((statement, i) => {
        const grant = gaps.read(() =>
          isPublicGrant(statement)
            ? {
                label: `${describeStatement(statement, i)} of the policy "${resource.name}"`,
                actions: [...asList(statement.Action)],
                notAction: statement.NotAction && [...asList(statement.NotAction)],
              }
            : undefined,
        );
        if (isUnknown(grant)) {
          gaps.skip(grant);
          return;
        }
        if (!grant) return;
        const website = isUnknown(bucket) ? bucket : s3.isWebsite(bucket);
        if (isUnknown(website)) {
          gaps.skip(website);
        } else if (!website) {
          report(
            `${grant.label} makes ${s3.describe(bucket as BucketRef)} public, but only the ` +
              "website bucket may be public: grant access to named principals instead.",
            resource.urn,
          );
          return;
        }
        const beyondRead = grant.actions.filter((a) => a.toLowerCase() !== "s3:getobject");
        if (grant.notAction || grant.actions.length === 0 || beyondRead.length > 0) {
          const granted = grant.notAction
            ? `everything except ${quoted(grant.notAction)}`
            : quoted(beyondRead);
          report(
            `${grant.label} lets anyone use ${granted}: a public statement may allow s3:GetObject only.`,
            resource.urn,
          );
        }
      });
    }

    for (const block of s3.ofType(aws.s3.BucketPublicAccessBlock)) {
      const flags = gaps.read(() => BLOCK_FLAGS.map((f) => [f, block.props[f]] as const));
      if (isUnknown(flags)) {
        gaps.skip(flags);
        continue;
      }
      const off = flags.filter(([, on]) => on !== true).map(([f]) => f);
      if (off.length === 0) continue;
      const bucket = s3.bucketOf(block);
      const website = isUnknown(bucket) ? bucket : s3.isWebsite(bucket);
      if (isUnknown(website)) {
        gaps.skip(website);
      } else if (!website) {
        report(
          `Public access block "${block.name}" leaves ${off.join(", ")} off on ` +
            `${s3.describe(bucket as BucketRef)}, but only the website bucket may be public: ` +
            "turn all four on.",
          block.urn,
        );
      } else if (off.some((f) => ACL_FLAGS.includes(f))) {
        report(
          `Public access block "${block.name}" of the website bucket leaves ` +
            `${off.filter((f) => ACL_FLAGS.includes(f)).join(", ")} off: the site is public ` +
            "through its bucket policy only, so ACLs stay blocked.",
          block.urn,
        );
      }
    }

    const withCannedAcl = s3.ofType(
      aws.s3.Bucket,
      aws.s3.BucketV2,
      aws.s3.BucketAcl,
      aws.s3.BucketAclV2,
      aws.s3.BucketObject,
      aws.s3.BucketObjectv2,
    );
    for (const resource of withCannedAcl) {
      const acl = gaps.read(() => resource.props.acl as string | undefined);
      if (isUnknown(acl)) gaps.skip(acl);
      else if (acl && PUBLIC_CANNED_ACLS.includes(acl)) {
        report(`"${resource.name}" sets the public ACL "${acl}": keep ACLs private.`, resource.urn);
      }
    }
    for (const resource of s3.ofType(aws.s3.BucketAcl, aws.s3.BucketAclV2)) {
      const grantees = gaps.read(() =>
        ((resource.props.accessControlPolicy?.grants ?? []) as { grantee?: { uri?: string } }[])
          .map((g) => g.grantee?.uri)
          .filter((uri): uri is string => uri !== undefined),
      );
      if (isUnknown(grantees)) gaps.skip(grantees);
      else if (grantees.some((uri) => PUBLIC_GRANTEES.includes(uri))) {
        report(
          `"${resource.name}" grants access to a public group: keep ACLs private.`,
          resource.urn,
        );
      }
    }

    gaps.finish();
  },
};

/** A statement denying every S3 action to everyone over plain HTTP, on the bucket and its objects. */
function deniesInsecureTransport(statement: Statement, bucketArn: string | undefined): boolean {
  const conditions = Object.entries(statement.Condition ?? {})
    .filter(([operator]) => operator === "Bool" || operator === "BoolIfExists")
    .flatMap(([, keys]) => Object.entries(keys ?? {}));
  const whenInsecure = conditions.some(
    ([key, value]) =>
      key.toLowerCase() === "aws:securetransport" &&
      asList(value).some((v) => String(v) === "false"),
  );
  const resources = asList(statement.Resource);
  const coversBucketAndObjects = bucketArn
    ? resources.includes(bucketArn) && resources.includes(`${bucketArn}/*`)
    : resources.some((r) => r.endsWith("/*")) && resources.some((r) => !r.endsWith("/*"));
  return (
    statement.Effect === "Deny" &&
    isEveryone(statement.Principal) &&
    asList(statement.Action).some((a) => a === "*" || a.toLowerCase() === "s3:*") &&
    whenInsecure &&
    coversBucketAndObjects
  );
}

export const s3DenyInsecureTransport: StackValidationPolicy = {
  name: "s3-deny-insecure-transport",
  description:
    "Every bucket but the website bucket has a bucket policy that denies requests without TLS (aws:SecureTransport false).",
  validateStack: (args, report) => {
    const gaps = new PreviewGaps();
    const s3 = new Buckets(args.resources, gaps);
    const documents = s3.policyDocuments();
    const undecidedOwner = documents.map((d) => d.bucket).find(isUnknown);

    for (const bucket of s3.buckets) {
      const ref = s3.refOf(bucket);
      const website = s3.isWebsite(ref);
      if (isUnknown(website)) {
        gaps.skip(website);
        continue;
      }
      // S3 website endpoints serve plain HTTP only; the site bucket holds nothing private.
      if (website) continue;

      const own = documents.filter(
        (d): d is BucketPolicyDocument & { bucket: BucketRef } =>
          !isUnknown(d.bucket) && d.bucket.key === ref.key,
      );
      if (own.length === 0) {
        if (undecidedOwner) gaps.skip(undecidedOwner);
        else {
          report(
            `${s3.describe(ref)} has no bucket policy, so it accepts plain-HTTP requests: add ` +
              "one that denies s3:* to everyone when aws:SecureTransport is false.",
            bucket.urn,
          );
        }
        continue;
      }
      const arn = gaps.read(() => bucket.props.arn as string | undefined);
      const bucketArn = typeof arn === "string" ? arn : undefined;
      // Per statement: one still unknown leaves the others decidable.
      const verdicts = own.flatMap((d) => {
        const parsed = isUnknown(d.document)
          ? d.document
          : gaps.read(() => parseDocument(d.document));
        if (isUnknown(parsed)) return [parsed];
        if ("error" in parsed) return [false];
        return parsed.statements.map((st) =>
          gaps.read(() => deniesInsecureTransport(st, bucketArn)),
        );
      });
      if (verdicts.includes(true)) continue;
      const pending = verdicts.find(isUnknown);
      if (pending) {
        gaps.skip(pending);
        continue;
      }
      report(
        `The policy "${own[0].resource.name}" of ${s3.describe(ref)} does not deny plain-HTTP ` +
          "requests: add a statement that denies s3:* to everyone on the bucket and its objects " +
          "when aws:SecureTransport is false.",
        own[0].resource.urn,
      );
    }

    gaps.finish();
  },
};

export const s3ProductionSiteNotPublic: StackValidationPolicy = {
  name: "s3-production-site-not-public",
  description:
    "In production no bucket serves an S3 website: the one public exception `s3-public-only-website-object-reads` allows is for other environments, and the production site goes through CloudFront from a private bucket.",
  configSchema: productionConfigSchema,
  validateStack: (args, report) => {
    const config = args.getConfig<ProductionConfig>();
    const gaps = new PreviewGaps();
    const s3 = new Buckets(args.resources, gaps);

    // Every other way of making a bucket public is refused for any bucket without a website
    // configuration; so in production, a website configuration is what remains to refuse.
    const websites = [
      ...s3.ofType(aws.s3.BucketWebsiteConfiguration, aws.s3.BucketWebsiteConfigurationV2),
      ...s3.buckets.filter((bucket) => {
        const inline = gaps.read(() => {
          const website = bucket.props.website as Record<string, unknown> | undefined;
          return Boolean(website?.indexDocument || website?.redirectAllRequestsTo);
        });
        if (isUnknown(inline)) gaps.skip(inline);
        return inline === true;
      }),
    ];
    for (const website of websites) {
      if (!isProduction(website.urn, config)) continue;
      report(
        `"${website.name}" serves a production bucket as a public S3 website (plain HTTP, no ` +
          "security headers): serve the site through CloudFront from a private bucket.",
        website.urn,
      );
    }
    gaps.finish();
  },
};
