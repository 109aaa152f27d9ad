// The local S3 (s3rver behind the front in local/s3.ts): who may call is read from the request's
// signature, what they may do from their IAM policy; aws-chunked bodies are stored decoded; and
// what the AWS CLI sends works. Checked with the AWS SDK for JavaScript (the functions' client),
// raw requests for what the SDK never sends (AWS's own published example of a signed chunked
// upload), and the AWS CLI itself where it is installed.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { SignatureV4 } from "@smithy/signature-v4";
import { evaluate } from "../../local/iam";
import type { PolicyStatement } from "../../local/model";
import { startS3Emulator } from "../../local/s3";
import type { ObjectCreated, S3Emulator } from "../../local/s3";
import { Sha256 } from "../../local/sigv4";

const BUCKET = "bkt";
const REGION = "ap-northeast-2";
const OPERATOR = { accessKeyId: "operator", secretAccessKey: "operator-secret" };
const FUNCTION = { accessKeyId: "LOCAL-fn", secretAccessKey: "function-secret" };
/** AWS's example key pair, for its published chunked upload. */
const EXAMPLE = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
/** The function may read uploads and write results, nothing else (no s3:ListBucket). */
const FUNCTION_POLICY: PolicyStatement[] = [
  { Effect: "Allow", Action: ["s3:GetObject"], Resource: `arn:aws:s3:::${BUCKET}/imports/*` },
  { Effect: "Allow", Action: ["s3:PutObject"], Resource: `arn:aws:s3:::${BUCKET}/results/*` },
];
const SECRETS = new Map(
  [OPERATOR, FUNCTION, EXAMPLE].map((c) => [c.accessKeyId, c.secretAccessKey] as const),
);

const run = promisify(execFile);

/** One raw HTTP request: status, headers and body as received. */
function raw(
  endpoint: string,
  request: { method: string; path: string; headers: Record<string, string>; body?: Buffer },
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: hostname,
        port,
        method: request.method,
        path: request.path,
        headers: request.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    req.on("error", reject);
    req.end(request.body);
  });
}

/** The body of AWS's example: 66,560 bytes of "a" in chunks of 65,536, 1,024 and 0. */
function exampleChunkedBody(corruptSecondChunk = false): Buffer {
  const chunks: [number, string][] = [
    [65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"],
    [1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"],
    [0, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"],
  ];
  const parts = chunks.flatMap(([size, signature]) => {
    const data = Buffer.alloc(size, "a");
    if (corruptSecondChunk && size === 1024) data[10] = 0x62;
    // Each chunk's data ends with CRLF; the final, empty chunk is followed by a blank line.
    return [
      Buffer.from(`${size.toString(16)};chunk-signature=${signature}\r\n`),
      data,
      Buffer.from("\r\n"),
    ];
  });
  return Buffer.concat(parts);
}

/**
 * AWS's published "PUT Object" with a chunked, signed payload (Amazon S3 API Reference,
 * "Signature Calculations for the Authorization Header: Transferring Payload in Multiple
 * Chunks"): every header and signature as the example gives them.
 */
function exampleChunkedUpload(body: Buffer) {
  return {
    method: "PUT",
    path: "/examplebucket/chunkObject.txt",
    headers: {
      Host: "s3.amazonaws.com",
      "x-amz-date": "20130524T000000Z",
      "x-amz-storage-class": "REDUCED_REDUNDANCY",
      Authorization:
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
      "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "Content-Encoding": "aws-chunked",
      "x-amz-decoded-content-length": "66560",
      "Content-Length": String(body.length),
    },
    body,
  };
}

describe("the local S3: s3rver behind a SigV4 and IAM front", function () {
  this.timeout(60_000);
  let dataDir: string;
  let s3: S3Emulator;
  let operator: S3Client;
  let fn: S3Client;
  const created: ObjectCreated[] = [];

  const client = (credentials: typeof OPERATOR) =>
    new S3Client({ endpoint: s3.endpoint, region: REGION, credentials });
  const start = async () =>
    startS3Emulator({
      dataDir,
      buckets: [
        { name: BUCKET, objects: [] },
        { name: "examplebucket", objects: [] },
      ],
      secretOf: (key) => SECRETS.get(key),
      authorize: (key, actions, operation) => {
        if (key !== FUNCTION.accessKeyId) return { allowed: true };
        if (actions.length === 0) return { allowed: false, message: `unmapped ${operation}` };
        const denied = actions.find(
          (a) => evaluate(FUNCTION_POLICY, a.action, a.resource).decision !== "allow",
        );
        return denied
          ? { allowed: false, message: `no ${denied.action} on ${denied.resource}` }
          : { allowed: true };
      },
      onObjectCreated: (c) => created.push(c),
    });
  const text = async (c: S3Client, key: string) =>
    (await c.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body?.transformToString();
  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
    }
    assert.fail("the call succeeded");
  };

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "local-s3-"));
    s3 = await start();
    operator = client(OPERATOR);
    fn = client(FUNCTION);
  });
  after(async () => {
    operator?.destroy();
    fn?.destroy();
    await s3?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("stores and serves objects for a caller whose signature it verifies", async () => {
    await operator.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "imports/a b+c.csv",
        Body: "UserId,NoteId,Note\n",
      }),
    );
    assert.equal(await text(operator, "imports/a b+c.csv"), "UserId,NoteId,Note\n");
    const last = created.at(-1);
    assert.deepEqual(
      { ...last, sourceIp: undefined, requestId: undefined },
      {
        bucket: BUCKET,
        key: "imports/a b+c.csv",
        size: 19,
        etag: createHash("md5").update("UserId,NoteId,Note\n").digest("hex"),
        reason: "PutObject",
        accessKeyId: OPERATOR.accessKeyId,
        sourceIp: undefined,
        requestId: undefined,
      },
    );
  });

  it("refuses an unknown key, a wrong secret, no signature and a body that is not the one signed", async () => {
    const stranger = client({ accessKeyId: "nobody", secretAccessKey: "x" });
    assert.equal((await failure(text(stranger, "imports/a b+c.csv"))).name, "InvalidAccessKeyId");
    const forger = client({ accessKeyId: FUNCTION.accessKeyId, secretAccessKey: "guessed" });
    assert.equal((await failure(text(forger, "imports/a b+c.csv"))).name, "SignatureDoesNotMatch");
    stranger.destroy();
    forger.destroy();
    const anonymous = await raw(s3.endpoint, {
      method: "GET",
      path: `/${BUCKET}/imports/a%20b%2Bc.csv`,
      headers: {},
    });
    assert.equal(anonymous.status, 403);
    assert.match(anonymous.body, /<Code>AccessDenied<\/Code>/);

    // A request signed for one body and sent with another: its payload hash no longer holds.
    const signer = new SignatureV4({
      credentials: OPERATOR,
      region: REGION,
      service: "s3",
      sha256: Sha256,
      uriEscapePath: false,
    });
    const host = new URL(s3.endpoint).host;
    const signed = await signer.sign({
      method: "PUT",
      protocol: "http:",
      hostname: host.split(":")[0],
      port: Number(host.split(":")[1]),
      path: `/${BUCKET}/imports/tampered.csv`,
      headers: { host, "content-length": "4" },
      body: "good",
    });
    const tampered = await raw(s3.endpoint, {
      method: "PUT",
      path: `/${BUCKET}/imports/tampered.csv`,
      headers: signed.headers,
      body: Buffer.from("evil"),
    });
    assert.equal(tampered.status, 400);
    assert.match(tampered.body, /XAmzContentSHA256Mismatch/);
    assert.equal((await failure(text(operator, "imports/tampered.csv"))).name, "NoSuchKey");
  });

  it("holds a function to its policy, and answers it 403 for a missing key it may not list", async () => {
    assert.equal(await text(fn, "imports/a b+c.csv"), "UserId,NoteId,Note\n");
    await fn.send(new PutObjectCommand({ Bucket: BUCKET, Key: "results/r.json", Body: "{}" }));
    const put = await failure(
      fn.send(new PutObjectCommand({ Bucket: BUCKET, Key: "imports/x.csv", Body: "x" })),
    );
    assert.deepEqual([put.name, put.status], ["AccessDenied", 403]);
    assert.match(put.message, /no s3:PutObject on arn:aws:s3:::bkt\/imports\/x\.csv/);
    const read = await failure(text(fn, "results/r.json"));
    assert.deepEqual(
      [read.name, read.message],
      ["AccessDenied", "no s3:GetObject on arn:aws:s3:::bkt/results/r.json"],
    );
    // CopyObject needs the read of its source as well as the write of its target.
    const copy = await failure(
      fn.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: "results/copy.json",
          CopySource: `${BUCKET}/results/r.json`,
        }),
      ),
    );
    assert.match(copy.message, /no s3:GetObject on arn:aws:s3:::bkt\/results\/r\.json/);
    // Without s3:ListBucket, S3 does not say whether a key exists; the operator is told.
    assert.deepEqual(
      [
        (await failure(text(fn, "imports/missing.csv"))).name,
        (await failure(text(operator, "imports/missing.csv"))).name,
      ],
      ["AccessDenied", "NoSuchKey"],
    );
  });

  it("stores a streamed upload's aws-chunked body decoded, its trailing checksum checked", async () => {
    const body = Buffer.alloc(200_000, "n");
    body.write("first bytes");
    // A stream makes the SDK send STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer.
    await operator.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "results/streamed.bin",
        Body: Readable.from([body]),
        ContentLength: body.length,
      }),
    );
    const got = await operator.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: "results/streamed.bin" }),
    );
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(body));
    assert.equal(got.ContentEncoding, undefined, "aws-chunked is not the object's encoding");
  });

  it("verifies AWS's own example of a signed chunked upload, and refuses it with a chunk changed", async () => {
    const refused = await raw(s3.endpoint, exampleChunkedUpload(exampleChunkedBody(true)));
    assert.equal(refused.status, 403);
    assert.match(refused.body, /SignatureDoesNotMatch/);
    const accepted = await raw(s3.endpoint, exampleChunkedUpload(exampleChunkedBody()));
    assert.equal(accepted.status, 200, accepted.body);
    const stored = await operator.send(
      new GetObjectCommand({ Bucket: "examplebucket", Key: "chunkObject.txt" }),
    );
    const bytes = Buffer.from(await stored.Body!.transformToByteArray());
    assert.ok(bytes.equals(Buffer.alloc(66560, "a")), `${bytes.length} bytes stored`);
  });

  it("refuses a body whose checksum does not match, and stores nothing", async () => {
    const bad = await failure(
      operator.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: "results/bad.json",
          Body: "{}",
          ChecksumCRC32: "AAAAAA==",
        }),
      ),
    );
    assert.deepEqual([bad.name, bad.status], ["BadDigest", 400]);
    assert.equal((await failure(text(operator, "results/bad.json"))).name, "NoSuchKey");
  });

  it("honours If-Match, which s3rver ignores", async () => {
    const head = await operator.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "imports/a b+c.csv" }),
    );
    const read = (IfMatch: string) =>
      operator.send(new GetObjectCommand({ Bucket: BUCKET, Key: "imports/a b+c.csv", IfMatch }));
    assert.equal((await read(String(head.ETag))).$metadata.httpStatusCode, 200);
    assert.deepEqual([(await failure(read('"0123456789abcdef0123456789abcdef"'))).status], [412]);
  });

  it("serves a presigned URL until it expires, and not once it is changed", async () => {
    const host = new URL(s3.endpoint).host;
    const presign = (expiresIn: number, signingDate = new Date()) =>
      new SignatureV4({
        credentials: OPERATOR,
        region: REGION,
        service: "s3",
        sha256: Sha256,
        uriEscapePath: false,
      }).presign(
        {
          method: "GET",
          protocol: "http:",
          hostname: host.split(":")[0],
          port: Number(host.split(":")[1]),
          path: `/${BUCKET}/imports/a%20b%2Bc.csv`,
          headers: { host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
        },
        {
          expiresIn,
          signingDate,
          unsignableHeaders: new Set(["x-amz-content-sha256"]),
          unhoistableHeaders: new Set(["x-amz-content-sha256"]),
        },
      );
    const url = (request: Awaited<ReturnType<typeof presign>>) =>
      `${s3.endpoint}${request.path}?${new URLSearchParams(request.query as Record<string, string>)}`;
    const fresh = await fetch(url(await presign(300)));
    assert.equal(fresh.status, 200);
    assert.equal(await fresh.text(), "UserId,NoteId,Note\n");
    const expired = await fetch(url(await presign(60, new Date(Date.now() - 120_000))));
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /Request has expired/);
    const changed = url(await presign(300)).replace("a%20b%2Bc.csv", "other.csv");
    assert.equal((await fetch(changed)).status, 403);
  });

  it("keeps its objects across a restart on the same folder", async () => {
    await s3.close();
    s3 = await start();
    operator.destroy();
    operator = client(OPERATOR);
    assert.equal(await text(operator, "imports/a b+c.csv"), "UserId,NoteId,Note\n");
  });

  it("takes what the AWS CLI sends: a signed PUT, a multipart upload, a listing (skipped without the CLI)", async function () {
    const found = await run("aws", ["--version"]).catch(() => undefined);
    if (!found) this.skip();
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: OPERATOR.accessKeyId,
      AWS_SECRET_ACCESS_KEY: OPERATOR.secretAccessKey,
      AWS_DEFAULT_REGION: REGION,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    };
    const small = path.join(dataDir, "..", `${path.basename(dataDir)}-notes.csv`);
    const large = path.join(dataDir, "..", `${path.basename(dataDir)}-large.csv`);
    // Over the CLI's 8 MiB multipart threshold: CreateMultipartUpload, UploadPart…, Complete.
    const big = Buffer.alloc(9 * 1024 * 1024, "x");
    fs.writeFileSync(small, "UserId,NoteId,Note\nada,n1,hello\n");
    fs.writeFileSync(large, big);
    try {
      const cli = (...args: string[]) =>
        run("aws", [...args, "--endpoint-url", s3.endpoint], { env });
      await cli("s3", "cp", small, `s3://${BUCKET}/imports/`);
      await cli("s3", "cp", large, `s3://${BUCKET}/imports/large.csv`);
      const { stdout } = await cli("s3", "ls", `s3://${BUCKET}/imports/`);
      assert.match(stdout, new RegExp(`${big.length} large\\.csv`));
      assert.equal(
        await text(operator, `imports/${path.basename(small)}`),
        "UserId,NoteId,Note\nada,n1,hello\n",
      );
      const stored = await operator.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: "imports/large.csv" }),
      );
      assert.ok(Buffer.from(await stored.Body!.transformToByteArray()).equals(big));
      assert.deepEqual(
        created.slice(-2).map((c) => [c.key, c.reason, c.size]),
        [
          [`imports/${path.basename(small)}`, "PutObject", 32],
          ["imports/large.csv", "CompleteMultipartUpload", big.length],
        ],
      );
    } finally {
      fs.rmSync(small, { force: true });
      fs.rmSync(large, { force: true });
    }
  });
});
