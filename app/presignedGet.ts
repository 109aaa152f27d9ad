// A presigned GET URL of one object, made with the S3 client alone.
//
// @aws-sdk/s3-request-presigner is the usual way, but the Lambda runtime is not documented to
// provide it, and it cannot ship in an archive the way csv-parse does (it requires
// @aws-sdk/signature-v4-multi-region, @smithy/core and @aws-sdk/core, not one file); nor can the
// handler import @smithy/signature-v4 itself, which the runtime keeps inside the SDK's own
// dependencies rather than as a top-level module (aws/aws-sdk-js-v3#6169: "@smithy/*" packages
// "not included" for a function to import). The S3 client has both pieces: this does what the
// presigner does (its getSignedUrl in aws/aws-sdk-js-v3, packages/s3-request-presigner) with them.
// It lets the client build the GetObject request as it would send it (endpoint rules, virtual-host
// or path style, custom endpoints), stops it just before the client would sign it, and signs
// it for the query string with the client's own signer class (`signerConstructor`,
// SignatureV4MultiRegion over @smithy/signature-v4) and credentials.
//
// A presigned URL carries the signer's permissions: it works while the signing role may
// s3:GetObject the key, and no longer than the credentials it was signed with ("If you created a
// presigned URL using a temporary token, then the URL expires when the token expires",
// https://repost.aws/knowledge-center/presigned-url-s3-bucket-expiration). `expiresAt` says the
// earlier of the two where the credentials tell their expiry.
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { S3Client } from "@aws-sdk/client-s3";
import type { FinalizeRequestMiddleware } from "@smithy/types";

export interface PresignedUrl {
  url: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** The parts of an HTTP request the signer reads and returns. */
interface SignableRequest {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** What the S3 client's resolved configuration holds for signing (not all of it is typed). */
interface SigningConfig {
  credentials: () => Promise<Credentials>;
  region: () => Promise<string>;
  signerConstructor: new (options: object) => {
    presign(request: SignableRequest, options: object): Promise<SignableRequest>;
  };
}

/** The client's request for `command`, as its stack builds it, captured before signing. */
async function unsignedRequest(
  s3: S3Client,
  command: GetObjectCommand,
): Promise<{ request: SignableRequest; signingRegion?: string; signingService?: string }> {
  const stack = s3.middlewareStack.clone();
  let captured: { request: SignableRequest; signingRegion?: string; signingService?: string };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const capture: FinalizeRequestMiddleware<any, any> = (_next, context) => async (args) => {
    captured = {
      request: args.request as SignableRequest,
      signingRegion: context.signing_region as string | undefined,
      signingService: context.signing_service as string | undefined,
    };
    // Nothing is sent: the stack ends here with an empty answer.
    return { response: {}, output: { $metadata: {} } };
  };
  stack.addRelativeTo(
    capture,
    // The name and place the SDK's own presigner uses: right before the signing middleware.
    { name: "captureUnsigned", relation: "before", toMiddleware: "awsAuthMiddleware" },
  );
  await command.resolveMiddleware(stack, s3.config, {})({ input: command.input });
  return captured!;
}

/** RFC 3986 percent-encoding, as SigV4 and the SDK's URL formatter use. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function formatUrl(request: SignableRequest): string {
  const query = Object.entries(request.query)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([name, value]) =>
      value === null
        ? [escapeUri(name)]
        : ([] as string[]).concat(value).map((v) => `${escapeUri(name)}=${escapeUri(v)}`),
    )
    .join("&");
  const port = request.port ? `:${request.port}` : "";
  return `${request.protocol}//${request.hostname}${port}${request.path}${query ? `?${query}` : ""}`;
}

/** A URL that GETs `Key` for `expiresInSeconds` (at most; see above). */
export async function presignedGet(
  s3: S3Client,
  object: { Bucket: string; Key: string },
  expiresInSeconds: number,
  now: Date = new Date(),
): Promise<PresignedUrl> {
  const config = s3.config as unknown as SigningConfig;
  const { request, signingRegion, signingService } = await unsignedRequest(
    s3,
    new GetObjectCommand(object),
  );
  // As the SDK's presigner prepares a request: no per-attempt or user-agent headers (they would
  // tell the SDK's version to whoever holds the URL), an unsigned payload, the host signed.
  for (const name of ["amz-sdk-invocation-id", "amz-sdk-request", "x-amz-user-agent"]) {
    delete request.headers[name];
  }
  request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
  request.headers.host = `${request.hostname}${request.port ? `:${request.port}` : ""}`;

  const credentials = await config.credentials();
  const signer = new config.signerConstructor({
    credentials,
    region: signingRegion ?? (await config.region()),
    service: signingService ?? "s3",
    sha256: (s3.config as unknown as { sha256: unknown }).sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signed = await signer.presign(request, {
    signingDate: now,
    expiresIn: expiresInSeconds,
    unsignableHeaders: new Set(["content-type"]),
  });
  // The signature holds its date to the second (X-Amz-Date): the URL ends that much earlier.
  const expiry = Math.floor(now.getTime() / 1000) * 1000 + expiresInSeconds * 1000;
  const ends = credentials.expiration ? Math.min(expiry, credentials.expiration.getTime()) : expiry;
  return { url: formatUrl(signed), expiresAt: new Date(ends).toISOString() };
}
