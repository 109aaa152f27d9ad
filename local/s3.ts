// S3 on loopback: s3rver (an npm S3 emulator) keeps the buckets and objects on disk, behind a
// front that does what s3rver does not and that the program relies on:
// - SigV4 verified for every request (header or presigned URL, signed chunks included) with
//   the caller's own secret, so the caller is who signed, never a claimed access key id;
// - each operation checked against the caller's IAM policy (s3Operations.ts), and a missing
//   key answered 403 instead of 404 to a caller that may not list the bucket, as S3 does;
// - `aws-chunked` bodies decoded (s3rver would store the framing as the object's bytes) and
//   their checksums (CRC32, SHA-1, SHA-256) checked, as S3 checks them;
// - `If-Match` on reads (s3rver ignores it: a replaced object would be read as the old one);
// - each object created reported, for EventBridge's "Object Created" events.
// Not emulated: versioning (one version per key), bucket policies (the TLS-only policy would
// refuse every local call, which is plain HTTP), and ACLs.
//
// What the AWS CLI sends here, read in botocore (the CLI's core, 1.43): over plain HTTP it signs
// the payload's SHA-256 (auth.py, S3SigV4Auth._should_sha256_sign_payload) and sends its default
// CRC32 checksum as a header, keeping aws-chunked trailers for HTTPS (httpchecksum.py,
// resolve_request_checksum_algorithm); at an IP address it addresses buckets path-style. The
// SDK for JavaScript sends a streamed Body aws-chunked whatever the scheme (@aws-sdk/checksums,
// flexibleChecksumsMiddleware).
import { createHash, randomBytes } from "node:crypto";
import * as http from "node:http";
import * as zlib from "node:zlib";
import S3rver from "s3rver";
import { MalformedChunks, decodeAwsChunked } from "./awsChunked";
import type { DecodedBody } from "./awsChunked";
import { listen } from "./listen";
import type { Listening } from "./listen";
import type { LocalObject } from "./model";
import { s3Operation, targetOf } from "./s3Operations";
import type { S3Operation, S3Target } from "./s3Operations";
import {
  S3_PAYLOAD_LITERALS,
  chunkSignature,
  parseAuthorization,
  parseQueryAuthorization,
  payloadMatchesClaim,
  presignedSignatureMatches,
  sameSignature,
  signatureMatches,
  signingDate,
  trailerSignature,
} from "./sigv4";
import type { Authorization, SignedRequest } from "./sigv4";

export interface S3EmulatorOptions {
  /** Where s3rver keeps buckets and objects: kept across restarts. */
  dataDir: string;
  host?: string;
  /** The front's port; 0 picks a free one. */
  port?: number;
  /** The buckets to have, with the objects the program uploads into them. */
  buckets: { name: string; objects: LocalObject[] }[];
  /** Each caller's secret access key; an unknown access key id is refused. */
  secretOf: (accessKeyId: string) => string | undefined;
  /** Whether the caller may take every one of these actions; every request is asked. */
  authorize: (
    accessKeyId: string,
    actions: S3Operation["actions"],
    operation: string,
  ) => { allowed: true } | { allowed: false; message: string };
  /** An object was created (PutObject, CopyObject, CompleteMultipartUpload succeeded). */
  onObjectCreated?: (created: ObjectCreated) => void;
  /** One entry per request answered. */
  onRequest?: (entry: S3RequestEntry) => void;
}

export interface ObjectCreated {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  reason: NonNullable<S3Operation["creates"]>;
  accessKeyId: string;
  sourceIp: string;
  requestId: string;
}

export interface S3RequestEntry {
  operation: string;
  bucket?: string;
  key?: string;
  status: number;
  /** The verified caller; absent when the request was refused before that was known. */
  accessKeyId?: string;
  /** S3's error code, when refused. */
  error?: string;
  /** A missing key answered 403 because the caller may not list the bucket (S3's way). */
  missingKey?: true;
}

export interface S3Emulator {
  /** The endpoint clients use (`--endpoint-url`, `AWS_ENDPOINT_URL_S3`). */
  endpoint: string;
  port: number;
  /**
   * Makes sure these buckets exist and holds the program's objects in them (`npm start`'s
   * reload): a new bucket is created, a kept one keeps what was stored in it.
   */
  declareBuckets(buckets: { name: string; objects: LocalObject[] }[]): Promise<void>;
  close(): Promise<void>;
}

/** An answer the front gives itself, in S3's XML error shape. */
class S3Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const AUTH_QUERY = [
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-SignedHeaders",
  "X-Amz-Signature",
  "X-Amz-Security-Token",
];

/** `/bucket/key` as s3rver takes it: each part URI-encoded, the key's slashes kept. */
function objectPath(bucket: string, key?: string): string {
  const encodedKey = key === undefined ? "" : `/${encodeURIComponent(key).replace(/%2F/g, "/")}`;
  return `/${encodeURIComponent(bucket)}${encodedKey}`;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function sendRefusal(res: http.ServerResponse, method: string, refusal: S3Refusal, id: string) {
  const body =
    method === "HEAD"
      ? ""
      : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code>` +
        `<Message>${escapeXml(refusal.message)}</Message><RequestId>${id}</RequestId></Error>`;
  res.writeHead(refusal.status, {
    "Content-Type": "application/xml",
    "Content-Length": Buffer.byteLength(body),
    "x-amz-request-id": id,
  });
  res.end(body);
}

/** Who signed the request; throws the refusal S3 would answer otherwise. */
async function authenticate(
  request: SignedRequest,
  query: URLSearchParams,
  secretOf: S3EmulatorOptions["secretOf"],
): Promise<{ auth: Authorization; secret: string; amzDate: string }> {
  const header = String(request.headers.authorization ?? "").trim();
  const presigned = !header && query.has("X-Amz-Algorithm");
  if (!header && !presigned) throw new S3Refusal(403, "AccessDenied", "Access Denied");
  if (header && !header.startsWith("AWS4-HMAC-SHA256 ")) {
    throw new S3Refusal(
      400,
      "InvalidRequest",
      "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
    );
  }
  const queryAuth = presigned ? parseQueryAuthorization(query) : undefined;
  const auth: Authorization | undefined = presigned ? queryAuth : parseAuthorization(header);
  if (!auth) {
    throw presigned
      ? new S3Refusal(
          400,
          "AuthorizationQueryParametersError",
          "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
        )
      : new S3Refusal(
          400,
          "AuthorizationHeaderMalformed",
          "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.",
        );
  }
  if (auth.service !== "s3") {
    throw new S3Refusal(
      400,
      "AuthorizationHeaderMalformed",
      `The authorization header is malformed; incorrect service "${auth.service}". This endpoint belongs to "s3".`,
    );
  }
  const secret = secretOf(auth.accessKeyId);
  if (secret === undefined) {
    throw new S3Refusal(
      403,
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
    );
  }
  const claimed = String(request.headers["x-amz-content-sha256"] ?? "");
  if (claimed.startsWith("STREAMING-") && !S3_PAYLOAD_LITERALS.has(claimed)) {
    throw new S3Refusal(501, "NotImplemented", `${claimed} bodies are not supported locally`);
  }
  if (!payloadMatchesClaim(request, { s3: true })) {
    throw new S3Refusal(
      400,
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  let amzDate: string;
  let matches: boolean;
  if (queryAuth) {
    amzDate = queryAuth.amzDate;
    const expires = Number(signingDate(amzDate)) + queryAuth.expiresSeconds * 1000;
    if (Date.now() > expires) throw new S3Refusal(403, "AccessDenied", "Request has expired");
    matches = await presignedSignatureMatches(request, queryAuth, secret);
  } else {
    amzDate = String(request.headers["x-amz-date"] ?? "");
    matches = await signatureMatches(request, auth, secret, { s3: true });
  }
  if (!matches) {
    throw new S3Refusal(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
  }
  return { auth, secret, amzDate };
}

/** The signed chunks and trailer of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body, checked in order. */
async function verifyChunks(
  decoded: DecodedBody,
  signer: { auth: Authorization; secret: string; amzDate: string },
  withTrailer: boolean,
): Promise<void> {
  const { auth, secret, amzDate } = signer;
  let previous = auth.signature;
  for (const chunk of decoded.chunks) {
    const expected = await chunkSignature(auth, secret, amzDate, previous, chunk.data);
    if (!chunk.signature || !sameSignature(chunk.signature, expected)) {
      throw new S3Refusal(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided.",
      );
    }
    previous = expected;
  }
  if (!withTrailer) return;
  const expected = await trailerSignature(auth, secret, amzDate, previous, decoded.trailer);
  if (!decoded.trailerSignature || !sameSignature(decoded.trailerSignature, expected)) {
    throw new S3Refusal(
      403,
      "SignatureDoesNotMatch",
      "The trailer signature we calculated does not match the one you provided.",
    );
  }
}

/** The checksums S3 compares with the body it received; others (CRC32C, CRC64NVME) pass. */
const CHECKSUMS: Record<string, (data: Buffer) => string | undefined> = {
  crc32: (data) => {
    const crc32 = (zlib as { crc32?: (data: Buffer) => number }).crc32;
    if (!crc32) return undefined;
    const out = Buffer.alloc(4);
    out.writeUInt32BE(crc32(data) >>> 0);
    return out.toString("base64");
  },
  sha1: (data) => createHash("sha1").update(data).digest("base64"),
  sha256: (data) => createHash("sha256").update(data).digest("base64"),
};

function checkChecksums(data: Buffer, claimed: [string, string][]): void {
  for (const [name, value] of claimed) {
    const algorithm = /^x-amz-checksum-(\w+)$/.exec(name)?.[1];
    const computed = algorithm ? CHECKSUMS[algorithm]?.(data) : undefined;
    if (computed !== undefined && computed !== value) {
      throw new S3Refusal(
        400,
        "BadDigest",
        `The ${algorithm?.toUpperCase()} you specified did not match the calculated checksum.`,
      );
    }
  }
}

/**
 * The body s3rver should store: the decoded payload of an aws-chunked body, its signatures and
 * checksums checked; otherwise the body as received, its checksum headers checked.
 */
async function payloadOf(
  request: SignedRequest,
  signer: { auth: Authorization; secret: string; amzDate: string },
): Promise<Buffer> {
  const headers = request.headers;
  const claimed = String(headers["x-amz-content-sha256"] ?? "");
  const checksumHeaders = Object.entries(headers)
    .filter(([name]) => name.startsWith("x-amz-checksum-") && name !== "x-amz-checksum-type")
    .map(([name, value]) => [name, String(value)] as [string, string]);
  const chunked =
    claimed.startsWith("STREAMING-") ||
    /(^|,)\s*aws-chunked\s*(,|$)/.test(String(headers["content-encoding"] ?? ""));
  if (!chunked) {
    checkChecksums(request.body, checksumHeaders);
    return request.body;
  }
  let decoded: DecodedBody;
  try {
    decoded = decodeAwsChunked(request.body);
  } catch (error) {
    if (!(error instanceof MalformedChunks)) throw error;
    throw new S3Refusal(
      400,
      "IncompleteBody",
      `The aws-chunked body is malformed: ${error.message}`,
    );
  }
  const declared = Number(headers["x-amz-decoded-content-length"]);
  if (declared !== decoded.data.length) {
    throw new S3Refusal(
      400,
      "IncompleteBody",
      `x-amz-decoded-content-length says ${String(headers["x-amz-decoded-content-length"])} bytes; the chunks hold ${decoded.data.length}`,
    );
  }
  if (claimed.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")) {
    await verifyChunks(decoded, signer, claimed.endsWith("-TRAILER"));
  }
  checkChecksums(decoded.data, [...checksumHeaders, ...decoded.trailer]);
  return decoded.data;
}

/** The request as s3rver takes it: path-style, unsigned, plain body. */
function upstreamRequest(
  req: http.IncomingMessage,
  target: S3Target,
  query: URLSearchParams,
  body: Buffer,
): { path: string; headers: http.OutgoingHttpHeaders } {
  const headers: http.OutgoingHttpHeaders = { ...req.headers };
  for (const name of [
    "authorization",
    "host",
    "expect",
    "transfer-encoding",
    "x-amz-decoded-content-length",
    "x-amz-trailer",
  ]) {
    delete headers[name];
  }
  const encoding = String(req.headers["content-encoding"] ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e && e !== "aws-chunked");
  if (encoding.length > 0) headers["content-encoding"] = encoding.join(",");
  else delete headers["content-encoding"];
  headers["content-length"] = String(body.length);
  const kept = new URLSearchParams([...query].filter(([name]) => !AUTH_QUERY.includes(name)));
  const path =
    (target.bucket ? objectPath(target.bucket, target.key) : "/") +
    (kept.size ? `?${kept.toString().replace(/=(&|$)/g, "$1")}` : "");
  return { path, headers };
}

export async function startS3Emulator(options: S3EmulatorOptions): Promise<S3Emulator> {
  const host = options.host ?? "127.0.0.1";
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    directory: options.dataDir,
    silent: true,
    configureBuckets: options.buckets.map(({ name }) => ({ name })),
  });
  const { port: upstreamPort } = await server.run();
  const agent = new http.Agent({ keepAlive: true });

  const upstream = (
    method: string,
    path: string,
    headers: http.OutgoingHttpHeaders,
    body?: Buffer,
  ): Promise<http.IncomingMessage> =>
    new Promise((resolve, reject) => {
      const request = http.request(
        { host: "127.0.0.1", port: upstreamPort, method, path, headers, agent },
        resolve,
      );
      request.on("error", reject);
      request.end(body);
    });
  const drained = async (response: http.IncomingMessage) => readBody(response);

  /** The stored object's size and ETag (without quotes), or undefined when there is none. */
  const head = async (bucket: string, key: string) => {
    const response = await upstream("HEAD", objectPath(bucket, key), {
      "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    });
    await drained(response);
    if (response.statusCode !== 200) return undefined;
    return {
      size: Number(response.headers["content-length"]),
      etag: String(response.headers.etag ?? "").replace(/"/g, ""),
    };
  };

  // The program's own objects (a website's pages, say), as `pulumi up` uploads them.
  const upload = async (buckets: S3EmulatorOptions["buckets"]) => {
    for (const bucket of buckets) {
      for (const object of bucket.objects) {
        const response = await upstream(
          "PUT",
          objectPath(bucket.name, object.key),
          {
            "content-type": object.contentType,
            "content-length": String(object.body.length),
            "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
            ...(object.cacheControl ? { "cache-control": object.cacheControl } : {}),
          },
          object.body,
        );
        await drained(response);
      }
    }
  };
  await upload(options.buckets);

  /** Creates the buckets s3rver does not hold yet (kept ones keep their objects), then uploads. */
  const declareBuckets = async (buckets: S3EmulatorOptions["buckets"]) => {
    for (const { name } of buckets) {
      const response = await upstream("PUT", objectPath(name), {
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
        "content-length": "0",
      });
      await drained(response);
      // 409 BucketAlreadyOwnedByYou/BucketAlreadyExists: it is kept, objects and all.
      if (response.statusCode !== 200 && response.statusCode !== 409) {
        throw new Error(`the local S3 could not create bucket ${name}: ${response.statusCode}`);
      }
    }
    await upload(buckets);
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, requestId: string) {
    const method = req.method ?? "GET";
    const rawUrl = req.url ?? "/";
    const [rawPath, rawQuery = ""] = rawUrl.split(/\?(.*)/s);
    const query = new URLSearchParams(rawQuery);
    const received = await readBody(req);
    const entry: S3RequestEntry = { operation: method, status: 0 };
    try {
      let target: S3Target;
      try {
        target = targetOf(String(req.headers.host ?? ""), rawPath);
      } catch {
        throw new S3Refusal(400, "InvalidURI", "Couldn't parse the specified URI.");
      }
      Object.assign(entry, target);
      // CORS preflights carry no signature: s3rver answers them from the bucket's CORS rules.
      if (method === "OPTIONS") {
        await forward(req, res, { target, query, body: received, entry, requestId });
        return;
      }
      const request: SignedRequest = { method, url: rawUrl, headers: req.headers, body: received };
      const signer = await authenticate(request, query, options.secretOf);
      entry.accessKeyId = signer.auth.accessKeyId;
      const body = await payloadOf(request, signer);
      // Only DeleteObjects' body names what it acts on.
      const listed = method === "POST" && query.has("delete") ? body.toString("utf8") : "";
      const operation = s3Operation(method, target, query, req.headers, listed);
      entry.operation = operation.name;
      const decision = options.authorize(
        signer.auth.accessKeyId,
        operation.actions,
        operation.name,
      );
      if (!decision.allowed) throw new S3Refusal(403, "AccessDenied", decision.message);
      await forward(req, res, { target, query, body, operation, entry, requestId });
    } catch (error) {
      if (!(error instanceof S3Refusal)) throw error;
      entry.status = error.status;
      entry.error = error.code;
      sendRefusal(res, method, error, requestId);
    } finally {
      options.onRequest?.(entry);
    }
  }

  async function forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    call: {
      target: S3Target;
      query: URLSearchParams;
      body: Buffer;
      operation?: S3Operation;
      entry: S3RequestEntry;
      requestId: string;
    },
  ) {
    const { target, query, body, operation, entry } = call;
    const method = req.method ?? "GET";
    const { bucket, key } = target;
    const reading = (method === "GET" || method === "HEAD") && bucket && key !== undefined;
    const ifMatch = req.headers["if-match"];
    if (reading && ifMatch) {
      const stored = await head(bucket, key);
      const wanted = String(ifMatch)
        .split(",")
        .map((t) => t.trim().replace(/"/g, ""));
      if (stored && !wanted.includes("*") && !wanted.includes(stored.etag)) {
        throw new S3Refusal(
          412,
          "PreconditionFailed",
          "At least one of the pre-conditions you specified did not hold",
        );
      }
    }
    const { path, headers } = upstreamRequest(req, target, query, body);
    delete headers["if-match"];
    const response = await upstream(method, path, headers, body);
    const status = response.statusCode ?? 500;
    entry.status = status;
    // Without s3:ListBucket, S3 will not say whether a key exists: 403, not 404.
    if (reading && status === 404 && entry.accessKeyId && bucket) {
      const listing = options.authorize(
        entry.accessKeyId,
        [{ action: "s3:ListBucket", resource: `arn:aws:s3:::${bucket}` }],
        "ListBucket",
      );
      if (!listing.allowed) {
        await drained(response);
        entry.missingKey = true;
        throw new S3Refusal(403, "AccessDenied", "Access Denied");
      }
    }
    if (operation?.creates && bucket && key !== undefined) {
      // A CopyObject or CompleteMultipartUpload may fail inside a 200: read before deciding.
      const text = await drained(response);
      res.writeHead(status, response.headers);
      res.end(text);
      if (status === 200 && !text.includes("<Error>")) {
        const stored = await head(bucket, key);
        if (stored) {
          options.onObjectCreated?.({
            bucket,
            key,
            ...stored,
            reason: operation.creates,
            accessKeyId: String(entry.accessKeyId),
            sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
            requestId: call.requestId,
          });
        }
      }
      return;
    }
    res.writeHead(status, response.headers);
    response.pipe(res);
    // A client gone before the end (or the front closing) stops s3rver's side of it too.
    await new Promise<void>((resolve) =>
      res.on("close", () => {
        response.destroy();
        resolve();
      }),
    );
  }

  const front = http.createServer((req, res) => {
    const requestId = randomBytes(8).toString("hex").toUpperCase();
    handle(req, res, requestId).catch((error: unknown) => {
      const refusal = new S3Refusal(500, "InternalError", String(error));
      if (!res.headersSent) sendRefusal(res, req.method ?? "GET", refusal, requestId);
      else res.destroy();
    });
  });
  const listening: Listening = await listen(front, host, options.port ?? 0);

  return {
    endpoint: listening.url,
    port: listening.port,
    declareBuckets,
    close: async () => {
      await listening.close();
      agent.destroy();
      // s3rver logs a response when its socket closes: let those lines come before its logger goes.
      await new Promise((resolve) => setImmediate(resolve));
      await server.close();
    },
  };
}
