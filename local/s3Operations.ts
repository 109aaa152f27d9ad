// Which S3 operation a REST request is, and the IAM actions it needs on which resources, so the
// local S3 refuses what a function's role would not allow. From the Amazon S3 API Reference
// (each operation's request syntax) and the Service Authorization Reference, "Actions,
// resources, and condition keys for Amazon S3" (the permissions each operation needs).

export interface S3Target {
  bucket?: string;
  /** The object key, decoded; absent for bucket and service requests. */
  key?: string;
}

export interface S3Operation {
  /** The API operation's name, e.g. `PutObject`. */
  name: string;
  /** Every action it needs, each on its resource ARN; empty when the request is not known here. */
  actions: { action: string; resource: string }[];
  /** The event S3 sends to EventBridge when the operation succeeds, if it creates an object. */
  creates?: "PutObject" | "CopyObject" | "CompleteMultipartUpload";
}

const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

/** Bucket subresources read with GET and written with PUT, and the action of each. */
const BUCKET_SUBRESOURCES: Record<string, [get: string, put: string]> = {
  acl: ["GetBucketAcl", "PutBucketAcl"],
  cors: ["GetBucketCORS", "PutBucketCORS"],
  encryption: ["GetEncryptionConfiguration", "PutEncryptionConfiguration"],
  lifecycle: ["GetLifecycleConfiguration", "PutLifecycleConfiguration"],
  notification: ["GetBucketNotification", "PutBucketNotification"],
  ownershipControls: ["GetBucketOwnershipControls", "PutBucketOwnershipControls"],
  policy: ["GetBucketPolicy", "PutBucketPolicy"],
  publicAccessBlock: ["GetBucketPublicAccessBlock", "PutBucketPublicAccessBlock"],
  tagging: ["GetBucketTagging", "PutBucketTagging"],
  versioning: ["GetBucketVersioning", "PutBucketVersioning"],
  website: ["GetBucketWebsite", "PutBucketWebsite"],
};

/**
 * Where the request points: path-style (`/bucket/key`) at an IP address or `localhost`, or
 * virtual-hosted (`bucket.localhost`), as the AWS CLI and SDKs address a custom endpoint.
 */
export function targetOf(host: string, rawPath: string): S3Target {
  const hostname = host.replace(/:\d+$/, "");
  const segments = rawPath.split("/").slice(1);
  const decode = (s: string) => decodeURIComponent(s);
  const virtual = /^(.+)\.localhost$/.exec(hostname)?.[1];
  if (virtual) {
    const key = segments.map(decode).join("/");
    return key ? { bucket: virtual, key } : { bucket: virtual };
  }
  const [bucket, ...rest] = segments;
  if (!bucket) return {};
  const key = rest.map(decode).join("/");
  return key ? { bucket: decode(bucket), key } : { bucket: decode(bucket) };
}

/** The keys a DeleteObjects request's XML body names. */
export function keysToDelete(body: string): string[] {
  const entities: Record<string, string> = {
    amp: "&",
    lt: "<",
    gt: ">",
    quot: '"',
    apos: "'",
  };
  return [...body.matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) =>
    m[1].replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
      e.startsWith("#x")
        ? String.fromCodePoint(parseInt(e.slice(2), 16))
        : e.startsWith("#")
          ? String.fromCodePoint(Number(e.slice(1)))
          : entities[e],
    ),
  );
}

function bucketOperation(
  method: string,
  bucket: string,
  query: URLSearchParams,
  body: string,
): S3Operation {
  const on = (name: string, action = name): S3Operation => ({
    name,
    actions: [{ action: `s3:${action}`, resource: bucketArn(bucket) }],
  });
  const sub = Object.keys(BUCKET_SUBRESOURCES).find((s) => query.has(s));
  if (sub && (method === "GET" || method === "PUT")) {
    return on(BUCKET_SUBRESOURCES[sub][method === "GET" ? 0 : 1]);
  }
  if (method === "GET" && query.has("location")) return on("GetBucketLocation");
  if (method === "GET" && query.has("versions"))
    return on("ListObjectVersions", "ListBucketVersions");
  if (method === "GET" && query.has("uploads")) {
    return on("ListMultipartUploads", "ListBucketMultipartUploads");
  }
  if (method === "GET")
    return on(query.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects", "ListBucket");
  if (method === "HEAD") return on("HeadBucket", "ListBucket");
  if (method === "PUT") return on("CreateBucket");
  if (method === "DELETE" && !sub) return on("DeleteBucket");
  if (method === "POST" && query.has("delete")) {
    return {
      name: "DeleteObjects",
      actions: keysToDelete(body).map((key) => ({
        action: "s3:DeleteObject",
        resource: objectArn(bucket, key),
      })),
    };
  }
  return { name: `${method} bucket`, actions: [] };
}

/** `x-amz-copy-source: /bucket/key?versionId=…` → GetObject(Version) on the source object. */
function copySourceRead(copySource: string): { action: string; resource: string } {
  const [path, query = ""] = copySource.replace(/^\//, "").split("?");
  const [bucket, ...key] = decodeURIComponent(path).split("/");
  const versioned = new URLSearchParams(query).has("versionId");
  return {
    action: versioned ? "s3:GetObjectVersion" : "s3:GetObject",
    resource: objectArn(bucket, key.join("/")),
  };
}

function objectOperation(
  method: string,
  bucket: string,
  key: string,
  query: URLSearchParams,
  headers: Record<string, string | string[] | undefined>,
): S3Operation {
  const object = objectArn(bucket, key);
  const versioned = query.has("versionId");
  const on = (name: string, action: string, creates?: S3Operation["creates"]): S3Operation => ({
    name,
    actions: [{ action: `s3:${action}`, resource: object }],
    ...(creates ? { creates } : {}),
  });
  const copySource = headers["x-amz-copy-source"];
  const withSourceRead = (operation: S3Operation): S3Operation =>
    typeof copySource === "string"
      ? { ...operation, actions: [...operation.actions, copySourceRead(copySource)] }
      : operation;
  for (const [sub, get, put, del] of [
    ["tagging", "GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging"],
    ["acl", "GetObjectAcl", "PutObjectAcl", undefined],
  ] as const) {
    if (!query.has(sub)) continue;
    const action =
      method === "GET" ? get : method === "PUT" ? put : method === "DELETE" ? del : undefined;
    if (!action) break;
    return on(action, versioned ? action.replace("Object", "ObjectVersion") : action);
  }
  if (query.has("uploadId")) {
    if (method === "PUT")
      return withSourceRead(on(copySource ? "UploadPartCopy" : "UploadPart", "PutObject"));
    if (method === "POST")
      return on("CompleteMultipartUpload", "PutObject", "CompleteMultipartUpload");
    if (method === "DELETE") return on("AbortMultipartUpload", "AbortMultipartUpload");
    if (method === "GET") return on("ListParts", "ListMultipartUploadParts");
  }
  if (method === "POST" && query.has("uploads")) return on("CreateMultipartUpload", "PutObject");
  if (method === "GET" && query.has("attributes")) {
    return on(
      "GetObjectAttributes",
      versioned ? "GetObjectVersionAttributes" : "GetObjectAttributes",
    );
  }
  if (method === "GET" || method === "HEAD") {
    return on(
      method === "GET" ? "GetObject" : "HeadObject",
      versioned ? "GetObjectVersion" : "GetObject",
    );
  }
  if (method === "PUT") {
    return copySource
      ? withSourceRead(on("CopyObject", "PutObject", "CopyObject"))
      : on("PutObject", "PutObject", "PutObject");
  }
  if (method === "DELETE")
    return on("DeleteObject", versioned ? "DeleteObjectVersion" : "DeleteObject");
  return { name: `${method} object`, actions: [] };
}

/** The operation a request is, and what it needs. `body` is read only for DeleteObjects. */
export function s3Operation(
  method: string,
  target: S3Target,
  query: URLSearchParams,
  headers: Record<string, string | string[] | undefined>,
  body = "",
): S3Operation {
  if (!target.bucket) {
    return method === "GET"
      ? { name: "ListBuckets", actions: [{ action: "s3:ListAllMyBuckets", resource: "*" }] }
      : { name: `${method} service`, actions: [] };
  }
  if (target.key === undefined) return bucketOperation(method, target.bucket, query, body);
  return objectOperation(method, target.bucket, target.key, query, headers);
}
