// The S3 buckets of a stack and what belongs to each: policies, public access blocks, website
// configurations. A bucket-scoped resource names its bucket in its `bucket` property; when that
// name is known it is matched to the bucket's name, and when it is not (during preview, before the
// bucket exists) the engine's record of which resources the property was computed from says.
import * as aws from "@pulumi/aws";
import type { PolicyResource } from "@pulumi/policy";
import { PreviewGaps, Unknown, isUnknown } from "./previewGaps";

/** A resource class, as `isType` takes it. */
type ResourceClass = Parameters<PolicyResource["isType"]>[0];

const BUCKET_TYPES: ResourceClass[] = [aws.s3.Bucket, aws.s3.BucketV2];
const WEBSITE_TYPES: ResourceClass[] = [
  aws.s3.BucketWebsiteConfiguration,
  aws.s3.BucketWebsiteConfigurationV2,
];

/** A bucket as something else refers to it: the stack's bucket resource, or only its name. */
export interface BucketRef {
  key: string;
  bucket?: PolicyResource;
  name?: string;
}

/** A bucket policy document, from a BucketPolicy resource or a bucket's inline `policy`. */
export interface BucketPolicyDocument {
  resource: PolicyResource;
  bucket: BucketRef | Unknown;
  document: unknown;
}

export class Buckets {
  readonly buckets: PolicyResource[];
  private readonly byName = new Map<string, PolicyResource>();

  constructor(
    private readonly resources: PolicyResource[],
    private readonly gaps: PreviewGaps,
  ) {
    this.buckets = resources.filter((r) => BUCKET_TYPES.some((t) => r.isType(t)));
    for (const bucket of this.buckets) {
      const name = gaps.read(() => bucket.props.bucket as string | undefined);
      if (typeof name === "string") this.byName.set(name, bucket);
    }
  }

  ofType(...types: ResourceClass[]): PolicyResource[] {
    return this.resources.filter((r) => types.some((t) => r.isType(t)));
  }

  refOf(bucket: PolicyResource): BucketRef {
    const name = this.gaps.read(() => bucket.props.bucket as string | undefined);
    return { key: bucket.urn, bucket, name: typeof name === "string" ? name : undefined };
  }

  /** The bucket a bucket-scoped resource belongs to. */
  bucketOf(resource: PolicyResource): BucketRef | Unknown {
    const name = this.gaps.read(() => resource.props.bucket as string);
    if (!isUnknown(name)) {
      const bucket = this.byName.get(name);
      return bucket ? this.refOf(bucket) : { key: `name:${name}`, name };
    }
    const sources = (resource.propertyDependencies.bucket ?? []).filter((d) =>
      this.buckets.some((b) => b.urn === d.urn),
    );
    return sources.length === 1 ? this.refOf(sources[0]) : name;
  }

  /** Whether a bucket serves a website: true, false, or unknown until the bucket exists. */
  isWebsite(ref: BucketRef): boolean | Unknown {
    if (ref.bucket) {
      // The deprecated inline `website` of the bucket itself.
      const inline = this.gaps.read(() => {
        const website = ref.bucket!.props.website as Record<string, unknown> | undefined;
        return Boolean(website?.indexDocument || website?.redirectAllRequestsTo);
      });
      if (inline !== false) return inline;
    }
    let undecided: Unknown | undefined;
    for (const website of this.ofType(...WEBSITE_TYPES)) {
      const owner = this.bucketOf(website);
      if (isUnknown(owner)) undecided ??= owner;
      else if (owner.key === ref.key) return true;
    }
    return undecided ?? false;
  }

  /** Every bucket policy document of the stack, with the bucket it applies to. */
  policyDocuments(): BucketPolicyDocument[] {
    const attached = this.ofType(aws.s3.BucketPolicy).map((resource) => ({
      resource,
      bucket: this.bucketOf(resource),
      document: this.gaps.read(() => resource.props.policy as unknown),
    }));
    const inline = this.buckets.flatMap((bucket) => {
      const document = this.gaps.read(() => bucket.props.policy as unknown);
      return document === undefined || document === ""
        ? []
        : [{ resource: bucket, bucket: this.refOf(bucket), document }];
    });
    return [...attached, ...inline];
  }

  /** How a message names a bucket: its resource name and, when known, its physical name. */
  describe(ref: BucketRef): string {
    if (!ref.bucket) return `bucket "${ref.name}"`;
    return ref.name ? `bucket "${ref.bucket.name}" (${ref.name})` : `bucket "${ref.bucket.name}"`;
  }
}
