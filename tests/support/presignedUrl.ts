// Checks a presigned S3 URL the way S3 does, written from the Signature Version 4 specification
// rather than with the SDK that made it ("Authenticating Requests: Using Query Parameters (AWS
// Signature Version 4)", https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html):
// the canonical request from the URL as sent (S3's path is not encoded a second time), the string
// to sign, the signing key derived from the secret, the signature compared. s3rver, which serves
// the URLs in the tests, checks the access key and the expiry but not the signature.
import { createHash, createHmac } from "node:crypto";

export interface PresignedParts {
  accessKeyId: string;
  date: Date;
  expiresSeconds: number;
  region: string;
  service: string;
  signedHeaders: string[];
}

const hmac = (key: string | Buffer, data: string) =>
  createHmac("sha256", key).update(data).digest();
const rfc3986 = (value: string) =>
  encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/** The URL's signing parameters; throws when one is missing or malformed. */
export function presignedParts(url: URL): PresignedParts {
  const q = url.searchParams;
  const [accessKeyId, day, region, service, terminator] = String(q.get("X-Amz-Credential")).split(
    "/",
  );
  const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(String(q.get("X-Amz-Date")));
  if (q.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256" || !stamp || terminator !== "aws4_request") {
    throw new Error(`not a SigV4 presigned URL: ${url.search}`);
  }
  if (stamp.slice(1, 4).join("") !== day) throw new Error("the credential's day is not the date's");
  return {
    accessKeyId,
    date: new Date(Date.UTC(+stamp[1], +stamp[2] - 1, +stamp[3], +stamp[4], +stamp[5], +stamp[6])),
    expiresSeconds: Number(q.get("X-Amz-Expires")),
    region,
    service,
    signedHeaders: String(q.get("X-Amz-SignedHeaders")).split(";"),
  };
}

/** True when the URL's X-Amz-Signature is the one `secretAccessKey` makes for a GET of it. */
export function signatureHolds(url: URL, secretAccessKey: string): boolean {
  const parts = presignedParts(url);
  if (parts.signedHeaders.join(";") !== "host") return false;
  // Sorted by encoded name, then value, byte by byte.
  const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const query = [...url.searchParams.entries()]
    .filter(([name]) => name !== "X-Amz-Signature")
    .map(([name, value]) => [rfc3986(name), rfc3986(value)])
    .sort(([an, av], [bn, bv]) => byBytes(an, bn) || byBytes(av, bv))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  const canonicalRequest = [
    "GET",
    url.pathname,
    query,
    `host:${url.host}\n`,
    "host",
    "UNSIGNED-PAYLOAD",
  ].join("\n");
  const amzDate = String(url.searchParams.get("X-Amz-Date"));
  const scope = `${amzDate.slice(0, 8)}/${parts.region}/${parts.service}/aws4_request`;
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    scope,
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");
  const dateKey = hmac(`AWS4${secretAccessKey}`, amzDate.slice(0, 8));
  const key = hmac(hmac(hmac(dateKey, parts.region), parts.service), "aws4_request");
  return hmac(key, stringToSign).toString("hex") === url.searchParams.get("X-Amz-Signature");
}
