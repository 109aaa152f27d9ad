// Who signed a request: the local DynamoDB and S3 fronts take the caller from the request's SigV4
// signature, checked with that caller's secret, never from a claimed access key id alone. The
// signature is computed again by @smithy/signature-v4 (the AWS SDK's own signer) over exactly
// the headers the client signed, and compared in constant time. S3 adds what its requests may
// carry ("Authenticating Requests (AWS Signature Version 4)", Amazon S3 API Reference): a
// literal in place of the payload's hash (UNSIGNED-PAYLOAD, STREAMING-…), paths that are not
// normalised, presigned URLs (the signature in the query string) and signed chunks.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Hash, Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";

type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytesOf = (data: SourceData): string | Buffer =>
  typeof data === "string"
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** The SDK's checksum interface over node:crypto (what @smithy/hash-node provides). */
export class Sha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined
      ? createHash("sha256")
      : createHmac("sha256", bytesOf(this.secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export interface SignedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** A presigned URL's signature: the header's fields, plus when it was made and for how long. */
export interface QueryAuthorization extends Authorization {
  /** `X-Amz-Date`, e.g. `20250101T000000Z`. */
  amzDate: string;
  /** `X-Amz-Expires`, in seconds. */
  expiresSeconds: number;
}

/**
 * What S3 accepts in x-amz-content-sha256 instead of the payload's hash: the signature then
 * covers the literal, and the body is unsigned, or signed chunk by chunk (see awsChunked.ts).
 */
export const S3_PAYLOAD_LITERALS = new Set([
  "UNSIGNED-PAYLOAD",
  "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
]);

export interface VerifyOptions {
  /** S3's rules: paths signed as sent, and the payload literals above. */
  s3?: boolean;
}

const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** `AWS4-HMAC-SHA256 Credential=<id>/<date>/<region>/<service>/aws4_request, SignedHeaders=…, Signature=…` */
export function parseAuthorization(header: string): Authorization | undefined {
  const field = (name: string) => new RegExp(`(?:^|[\\s,])${name}=([^\\s,]*)`).exec(header)?.[1];
  const scope = field("Credential")?.split("/") ?? [];
  const signedHeaders = field("SignedHeaders")?.split(";") ?? [];
  const signature = field("Signature");
  if (!header.startsWith("AWS4-HMAC-SHA256 ") || scope.length !== 5 || !signature) return;
  const [accessKeyId, date, region, service] = scope;
  if (!accessKeyId) return;
  return { accessKeyId, date, region, service, signedHeaders, signature };
}

/**
 * The signature of a presigned URL (`X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…`), or
 * undefined when the query holds none or a malformed one.
 */
export function parseQueryAuthorization(query: URLSearchParams): QueryAuthorization | undefined {
  const scope = query.get("X-Amz-Credential")?.split("/") ?? [];
  const signature = query.get("X-Amz-Signature");
  const amzDate = query.get("X-Amz-Date") ?? "";
  const expires = query.get("X-Amz-Expires") ?? "";
  if (query.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256" || scope.length !== 5) return;
  if (!signature || !/^\d+$/.test(expires) || !signingDate(amzDate) || !scope[0]) return;
  const [accessKeyId, date, region, service] = scope;
  const signedHeaders = (query.get("X-Amz-SignedHeaders") ?? "").split(";");
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders,
    signature,
    amzDate,
    expiresSeconds: Number(expires),
  };
}

/** `20250101T000000Z` → a Date; undefined when malformed. */
export function signingDate(amzDate: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate ?? "");
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

/**
 * Whether the body is what x-amz-content-sha256 claims: its hash, or (for S3) a literal that
 * leaves the body to be checked elsewhere. A request without the header signs the body itself.
 */
export function payloadMatchesClaim(request: SignedRequest, options: VerifyOptions = {}): boolean {
  const claimed = request.headers["x-amz-content-sha256"];
  if (claimed === undefined) return true;
  if (options.s3 && S3_PAYLOAD_LITERALS.has(String(claimed))) return true;
  return claimed === sha256Hex(request.body);
}

/** Signers by credential scope, secret and kind: each keeps its derived signing keys. */
const signers = new Map<string, SignatureV4>();
const MAX_SIGNERS = 1_000;

function signerFor(
  auth: Authorization,
  secretAccessKey: string,
  options: VerifyOptions,
): SignatureV4 {
  const key = [auth.accessKeyId, secretAccessKey, auth.region, auth.service, !!options.s3].join(
    "\n",
  );
  let signer = signers.get(key);
  if (!signer) {
    if (signers.size >= MAX_SIGNERS) signers.clear();
    signer = new SignatureV4({
      credentials: { accessKeyId: auth.accessKeyId, secretAccessKey },
      region: auth.region,
      service: auth.service,
      sha256: Sha256,
      applyChecksum: false,
      uriEscapePath: !options.s3,
    });
    signers.set(key, signer);
  }
  return signer;
}

/** The headers the client signed, as it signed them; undefined when one of them is missing. */
function signedHeaderValues(
  request: SignedRequest,
  names: string[],
): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = request.headers[name];
    if (value === undefined) return undefined;
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  return headers;
}

/** Constant-time comparison of two hex signatures. */
export const sameSignature = (given: string, expected: string) =>
  Buffer.byteLength(given) === Buffer.byteLength(expected) &&
  timingSafeEqual(Buffer.from(given), Buffer.from(expected));

/** True when the request's signature is the one `secretAccessKey` makes. */
export async function signatureMatches(
  request: SignedRequest,
  auth: Authorization,
  secretAccessKey: string,
  options: VerifyOptions = {},
): Promise<boolean> {
  const date = signingDate(String(request.headers["x-amz-date"] ?? ""));
  if (!date || !auth.signedHeaders.includes("host")) return false;
  // A signer may send the payload's hash in x-amz-content-sha256 and sign that instead of the
  // body (the SDK's signer does by default): it must then be the hash of the body received.
  if (!payloadMatchesClaim(request, options)) return false;
  const headers = signedHeaderValues(request, auth.signedHeaders);
  if (!headers) return false;
  const [path, query = ""] = request.url.split(/\?(.*)/s);
  const signed = await signerFor(auth, secretAccessKey, options).sign(
    {
      method: request.method,
      protocol: "http:",
      hostname: headers.host.split(":")[0],
      path,
      query: Object.fromEntries(new URLSearchParams(query)),
      headers,
      body: request.body,
    },
    { signingDate: date, signableHeaders: new Set(auth.signedHeaders) },
  );
  const expected = parseAuthorization(String(signed.headers.authorization))?.signature ?? "";
  return sameSignature(auth.signature, expected);
}

/**
 * True when a presigned URL's signature is the one `secretAccessKey` makes. S3 signs a
 * presigned request's payload as UNSIGNED-PAYLOAD ("Authenticating Requests: Using Query
 * Parameters"); expiry is the caller's to check.
 */
export async function presignedSignatureMatches(
  request: SignedRequest,
  auth: QueryAuthorization,
  secretAccessKey: string,
): Promise<boolean> {
  if (!auth.signedHeaders.includes("host")) return false;
  const headers = signedHeaderValues(request, auth.signedHeaders);
  if (!headers) return false;
  const [path, rawQuery = ""] = request.url.split(/\?(.*)/s);
  const query = new URLSearchParams(rawQuery);
  query.delete("X-Amz-Signature");
  const signedPayload = "x-amz-content-sha256" in headers;
  const presigned = await signerFor(auth, secretAccessKey, { s3: true }).presign(
    {
      method: request.method,
      protocol: "http:",
      hostname: headers.host.split(":")[0],
      path,
      query: Object.fromEntries(query),
      // The payload's hash, as S3 takes it, without signing it as a header when it was not.
      headers: signedPayload ? headers : { ...headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    },
    {
      signingDate: signingDate(auth.amzDate),
      expiresIn: auth.expiresSeconds,
      signableHeaders: new Set(auth.signedHeaders),
      unsignableHeaders: signedPayload ? undefined : new Set(["x-amz-content-sha256"]),
      // Signed x-amz-* headers stay headers; the query already holds whatever was hoisted.
      unhoistableHeaders: new Set([...Object.keys(headers), "x-amz-content-sha256"]),
    },
  );
  return sameSignature(auth.signature, String(presigned.query?.["X-Amz-Signature"] ?? ""));
}

/**
 * The signature of one chunk of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body, chained to the one
 * before it (the seed: the request's own signature). Amazon S3 API Reference, "Signature
 * Calculations for the Authorization Header: Transferring Payload in Multiple Chunks".
 */
export async function chunkSignature(
  auth: Authorization,
  secretAccessKey: string,
  amzDate: string,
  previousSignature: string,
  chunk: Buffer,
): Promise<string> {
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const toSign = [
    "AWS4-HMAC-SHA256-PAYLOAD",
    amzDate,
    scope,
    previousSignature,
    sha256Hex(""),
    sha256Hex(chunk),
  ].join("\n");
  return signerFor(auth, secretAccessKey, { s3: true }).sign(toSign, {
    signingDate: signingDate(amzDate),
    signingRegion: auth.region,
    signingService: auth.service,
  });
}

/**
 * The signature of the trailing headers after the last chunk (`x-amz-trailer-signature`),
 * chained to the last chunk's ("Signature calculations for trailing headers").
 */
export async function trailerSignature(
  auth: Authorization,
  secretAccessKey: string,
  amzDate: string,
  previousSignature: string,
  trailer: [string, string][],
): Promise<string> {
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const canonical = trailer.map(([name, value]) => `${name}:${value}\n`).join("");
  const toSign = [
    "AWS4-HMAC-SHA256-TRAILER",
    amzDate,
    scope,
    previousSignature,
    sha256Hex(canonical),
  ].join("\n");
  return signerFor(auth, secretAccessKey, { s3: true }).sign(toSign, {
    signingDate: signingDate(amzDate),
    signingRegion: auth.region,
    signingService: auth.service,
  });
}
