// Who signed a request: the local DynamoDB front takes the caller from the request's SigV4
// signature, checked with that caller's secret, never from a claimed access key id alone. The
// signature is computed again by @smithy/signature-v4 (the AWS SDK's own signer) over exactly
// the headers the client signed, and compared in constant time.
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

interface Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

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

/** `20250101T000000Z` → a Date; undefined when malformed. */
function signingDate(amzDate: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate ?? "");
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

/** Signers by credential scope and secret: each keeps its derived signing keys between calls. */
const signers = new Map<string, SignatureV4>();
const MAX_SIGNERS = 1_000;

function signerFor(auth: Authorization, secretAccessKey: string): SignatureV4 {
  const key = [auth.accessKeyId, secretAccessKey, auth.region, auth.service].join("\n");
  let signer = signers.get(key);
  if (!signer) {
    if (signers.size >= MAX_SIGNERS) signers.clear();
    signer = new SignatureV4({
      credentials: { accessKeyId: auth.accessKeyId, secretAccessKey },
      region: auth.region,
      service: auth.service,
      sha256: Sha256,
      applyChecksum: false,
    });
    signers.set(key, signer);
  }
  return signer;
}

/** True when the request's signature is the one `secretAccessKey` makes. */
export async function signatureMatches(
  request: SignedRequest,
  auth: Authorization,
  secretAccessKey: string,
): Promise<boolean> {
  const date = signingDate(String(request.headers["x-amz-date"] ?? ""));
  if (!date || !auth.signedHeaders.includes("host")) return false;
  // A signer may send the payload's hash in x-amz-content-sha256 and sign that instead of the
  // body (the SDK's signer does by default): it must then be the hash of the body received.
  const claimedHash = request.headers["x-amz-content-sha256"];
  if (
    claimedHash !== undefined &&
    claimedHash !== createHash("sha256").update(request.body).digest("hex")
  ) {
    return false;
  }
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return false;
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const [path, query = ""] = request.url.split(/\?(.*)/s);
  const signer = signerFor(auth, secretAccessKey);
  const signed = await signer.sign(
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
  const given = Buffer.from(auth.signature);
  return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected));
}
