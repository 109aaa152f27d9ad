// GET /users/{userId}/notes/export against dynalite and s3rver: answered inline while small, and
// otherwise written to the notes bucket and answered with a presigned URL whose content is the
// very bytes the inline answer would have been. The URL's signature is checked by
// tests/support/presignedUrl.ts (s3rver does not check it), then the URL is fetched from s3rver.
import assert from "node:assert/strict";
import { S3Client } from "@aws-sdk/client-s3";
import { marshall } from "@aws-sdk/util-dynamodb";
import { putAll } from "../../app/batchWrite";
import { ON_DEMAND_EXPORTS_PREFIX } from "../../app/bucketLayout";
import type { Handler } from "../../app/http";
import { EXPORT_URL_SECONDS, exportNotes } from "../../app/notesExport";
import type { NotesExportLink } from "../../app/notesExport";
import { writeObject } from "../../app/objectWriter";
import { presignedGet } from "../../app/presignedGet";
import { tables } from "../../app/routes";
import { startTestDynamo } from "../support/dynamo";
import type { TestDynamo } from "../support/dynamo";
import { capturingConsoleError, errorOf, invoke } from "../support/invoke";
import type { Reply } from "../support/invoke";
import { presignedParts, signatureHolds } from "../support/presignedUrl";
import { S3RVER_CREDENTIALS, getObject, listKeys, startTestS3 } from "../support/s3";
import type { TestS3 } from "../support/s3";
import { createTables, queryNotes } from "../support/tables";

const BUCKET = "notes-bucket";
const REGION = "ap-northeast-2";
const EXPORT = "/users/{userId}/notes/export";
const MiB = 1024 * 1024;
const KEY = /^exports\/on-demand\/([A-Za-z0-9_-]+)\/(\d{8}T\d{6}Z)-([0-9a-f-]{36})\.json$/;

describe("the notes export route, small and large", function () {
  this.timeout(120_000);
  let dynamo: TestDynamo;
  let s3: TestS3;
  let users = 0;
  const newUser = () => `export-${++users}`;
  const logging = console.log;

  before(async () => {
    console.log = () => undefined;
    s3 = await startTestS3([BUCKET], REGION);
    dynamo = await startTestDynamo({
      TABLE_NAME: tables.notes.name,
      BUCKET_NAME: BUCKET,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    });
    await createTables(dynamo.client, [tables.notes]);
  });

  after(async () => {
    await dynamo?.close();
    await s3?.close();
    console.log = logging;
  });

  /** `count` notes of about `chars` characters each for a new user; the export's JSON text. */
  async function userWith(count: number, chars: number): Promise<{ userId: string; text: string }> {
    const userId = newUser();
    const items = Array.from({ length: count }, (_, i) => ({
      UserId: userId,
      NoteId: `n${String(i).padStart(5, "0")}`,
      Note: `${i}: "quoted" \\ back\nslash é ${"x".repeat(chars)}`.slice(0, 10_000),
      CreatedAt: "2026-11-20T12:00:00.000Z",
      UpdatedAt: "2026-11-20T12:00:00.000Z",
      Version: 1 + (i % 4),
    }));
    await putAll(
      dynamo.client,
      tables.notes.name,
      items.map((item) => marshall(item)),
    );
    const { notes } = await queryNotes(dynamo.client, tables.notes.name, userId);
    return { userId, text: JSON.stringify({ userId, notes }) };
  }

  const exportOf = (handler: Handler, userId: string): Promise<Reply> =>
    invoke(handler, { method: "GET", resource: EXPORT, pathParameters: { userId } });

  /** The bytes the inline body adds to Lambda's response, where it is one JSON string. */
  const responseBytes = (text: string) => Buffer.byteLength(JSON.stringify(text)) - 2;

  const exportsOf = async (userId: string) =>
    listKeys(s3.client, BUCKET, `${ON_DEMAND_EXPORTS_PREFIX}${userId}/`);

  /** Checks a link answer against the export's text; returns the object's key. */
  async function followLink(reply: Reply, userId: string, text: string): Promise<string> {
    assert.equal(reply.status, 200, reply.rawBody.slice(0, 300));
    assert.equal(reply.headers["Cache-Control"], "no-store");
    const link = reply.body as NotesExportLink;
    assert.deepEqual(Object.keys(link).sort(), [
      "bytes",
      "expiresAt",
      "noteCount",
      "url",
      "userId",
    ]);
    assert.equal(link.userId, userId);
    assert.equal(link.bytes, Buffer.byteLength(text));
    assert.equal(link.noteCount, (JSON.parse(text) as { notes: unknown[] }).notes.length);

    const url = new URL(link.url);
    assert.ok(signatureHolds(url, S3RVER_CREDENTIALS.secretAccessKey), link.url);
    const parts = presignedParts(url);
    assert.equal(parts.expiresSeconds, EXPORT_URL_SECONDS);
    assert.equal(parts.region, REGION);
    assert.equal(parts.service, "s3");
    assert.equal(Date.parse(link.expiresAt), parts.date.getTime() + EXPORT_URL_SECONDS * 1000);
    assert.ok(Math.abs(parts.date.getTime() - Date.now()) < 60_000, "signed now");

    const fetched = await fetch(url);
    assert.equal(fetched.status, 200);
    assert.equal(fetched.headers.get("content-type"), "application/json");
    assert.equal(
      fetched.headers.get("content-disposition"),
      `attachment; filename="notes-${userId}.json"`,
    );
    assert.equal(await fetched.text(), text);
    const key = decodeURIComponent(url.pathname.replace(`/${BUCKET}/`, ""));
    const [, keyUser, stamp] = KEY.exec(key) ?? [];
    assert.equal(keyUser, userId, key);
    assert.ok(
      Math.abs(
        Date.parse(stamp.replace(/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})/, "$1-$2-$3T$4:$5:")) -
          Date.now(),
      ) < 60_000,
    );
    return key;
  }

  it("answers a small export itself: every note, every Query page, the bytes JSON.stringify makes", async () => {
    // 120 notes of 10 KB: over DynamoDB's 1 MB Query page, well under the inline limit.
    const { userId, text } = await userWith(120, 10_000);
    const reply = await exportOf(exportNotes(), userId);
    assert.equal(reply.status, 200);
    assert.equal(reply.rawBody, text);
    assert.equal(reply.headers["Content-Type"], "application/json");
    assert.deepEqual(await exportsOf(userId), []);
  });

  it("answers an export at the limit itself, and one a byte over it with a link to the same bytes", async () => {
    const { userId, text } = await userWith(30, 200);
    const limit = responseBytes(text);
    const atLimit = await exportOf(exportNotes(limit), userId);
    assert.equal(atLimit.rawBody, text);
    assert.deepEqual(await exportsOf(userId), []);

    const over = await exportOf(exportNotes(limit - 1), userId);
    const key = await followLink(over, userId, text);
    assert.deepEqual(await exportsOf(userId), [key]);
  });

  it("counts the limit as the body travels in Lambda's response, escapes included", async () => {
    // Quotes, backslashes and line breaks take two bytes each once more in the response.
    const { userId, text } = await userWith(5, 100);
    assert.ok(responseBytes(text) > Buffer.byteLength(text));
    const reply = await exportOf(exportNotes(Buffer.byteLength(text)), userId);
    await followLink(reply, userId, text);
  });

  it("answers an export over 5 MB with a link, the object uploaded in 8 MiB parts as it is read", async () => {
    // 950 notes of 10,000 characters: about 9.6 MB, more than the inline limit and than a part.
    const { userId, text } = await userWith(950, 10_000);
    assert.ok(Buffer.byteLength(text) > 8 * MiB);
    const s3Calls: string[] = [];
    const handler = exportNotes();
    const reply = await recordingS3Calls(s3Calls, () => exportOf(handler, userId));
    await followLink(reply, userId, text);
    assert.deepEqual(s3Calls, [
      "CreateMultipartUploadCommand",
      "UploadPartCommand",
      "UploadPartCommand",
      "CompleteMultipartUploadCommand",
    ]);
  });

  it("gives two requests of the same user, even within one second, two objects", async () => {
    const { userId, text } = await userWith(3, 50);
    const handler = exportNotes(10);
    const [a, b] = await Promise.all([exportOf(handler, userId), exportOf(handler, userId)]);
    const keys = [await followLink(a, userId, text), await followLink(b, userId, text)];
    assert.notEqual(keys[0], keys[1]);
    assert.deepEqual(await exportsOf(userId), keys.sort());
  });

  it("answers 500 without internals when the bucket refuses the export, leaving nothing", async () => {
    const { userId } = await userWith(3, 50);
    process.env.BUCKET_NAME = "no-such-bucket";
    let handler: Handler;
    try {
      handler = exportNotes(10);
    } finally {
      process.env.BUCKET_NAME = BUCKET;
    }
    const { result, logged } = await capturingConsoleError(() => exportOf(handler, userId));
    assert.equal(result.status, 500);
    assert.deepEqual(errorOf(result), { code: "InternalError", message: "Internal server error" });
    assert.match(logged.flat().map(String).join(" "), /NoSuchBucket|does not exist/);
    assert.deepEqual(await exportsOf(userId), []);
  });

  describe("presigned URLs", () => {
    it("stop working when they expire", async () => {
      const key = `${ON_DEMAND_EXPORTS_PREFIX}expiry/x.json`;
      await writeObject(
        s3.client,
        { Bucket: BUCKET, Key: key, ContentType: "application/json" },
        (write) => write("{}"),
      );
      const fresh = await presignedGet(s3.client, { Bucket: BUCKET, Key: key }, 300);
      assert.equal((await fetch(fresh.url)).status, 200);
      const tenMinutesAgo = new Date(Date.now() - 600_000);
      const stale = await presignedGet(s3.client, { Bucket: BUCKET, Key: key }, 300, tenMinutesAgo);
      assert.ok(signatureHolds(new URL(stale.url), S3RVER_CREDENTIALS.secretAccessKey));
      assert.equal((await fetch(stale.url)).status, 403);
      // The check itself refuses a signature made with another secret.
      assert.equal(signatureHolds(new URL(fresh.url), "another secret"), false);
    });

    it("say they end with the signing credentials when those expire first", async () => {
      const expiration = new Date(Date.now() + 60_000);
      const client = new S3Client({
        region: REGION,
        // As on AWS: not the emulator this suite points every client at.
        ignoreConfiguredEndpointUrls: true,
        credentials: {
          accessKeyId: "ASIAEXAMPLE",
          secretAccessKey: "secret",
          sessionToken: "token",
          expiration,
        },
      });
      try {
        const now = new Date();
        const signed = await presignedGet(
          client,
          { Bucket: "notes-bucket", Key: "exports/on-demand/u/x.json" },
          300,
          now,
        );
        assert.equal(signed.expiresAt, expiration.toISOString());
        const url = new URL(signed.url);
        // On AWS: virtual-hosted style, HTTPS, the session token signed in, nothing of the SDK's.
        assert.equal(url.origin, `https://notes-bucket.s3.${REGION}.amazonaws.com`, signed.url);
        assert.equal(url.pathname, "/exports/on-demand/u/x.json");
        assert.equal(url.searchParams.get("X-Amz-Security-Token"), "token");
        assert.ok(signatureHolds(url, "secret"));
        assert.doesNotMatch(url.search, /user-agent|amz-sdk/i);
        const later = await presignedGet(client, { Bucket: "notes-bucket", Key: "k" }, 30, now);
        const second = Math.floor(now.getTime() / 1000) * 1000;
        assert.equal(later.expiresAt, new Date(second + 30_000).toISOString());
      } finally {
        client.destroy();
      }
    });
  });

  describe("writeObject", () => {
    it("sends a small object whole, and a large one in parts of the given size", async () => {
      const calls: string[] = [];
      const small = await recordingS3Calls(calls, () =>
        writeObject(
          s3.client,
          { Bucket: BUCKET, Key: "exports/on-demand/w/small", ContentType: "text/plain" },
          async (write) => {
            await write("a");
            await write(Buffer.from("b"));
          },
        ),
      );
      assert.deepEqual(small, { bytes: 2, parts: 0 });
      assert.deepEqual(calls.splice(0), ["PutObjectCommand"]);
      assert.equal((await getObject(s3.client, BUCKET, "exports/on-demand/w/small"))?.body, "ab");

      const chunk = "z".repeat(MiB - 1) + "\n";
      const large = await recordingS3Calls(calls, () =>
        writeObject(
          s3.client,
          { Bucket: BUCKET, Key: "exports/on-demand/w/large", ContentType: "text/plain" },
          async (write) => {
            for (let i = 0; i < 11; i++) await write(chunk);
          },
          5 * MiB,
        ),
      );
      assert.deepEqual(large, { bytes: 11 * MiB, parts: 3 });
      assert.equal(calls.filter((c) => c === "UploadPartCommand").length, 3);
      const stored = await getObject(s3.client, BUCKET, "exports/on-demand/w/large");
      assert.equal(stored?.body, chunk.repeat(11));
    });

    it("keeps a character whole where a part ends inside it", async () => {
      // One ASCII byte, then two- and three-byte characters: 5 MiB falls inside one of them.
      const text = `x${"é€".repeat(1_100_000)}`;
      const key = "exports/on-demand/w/multibyte";
      const written = await writeObject(
        s3.client,
        { Bucket: BUCKET, Key: key, ContentType: "text/plain" },
        (write) => write(text),
        5 * MiB,
      );
      assert.deepEqual(written, { bytes: Buffer.byteLength(text), parts: 2 });
      assert.equal((await getObject(s3.client, BUCKET, key))?.body, text);
    });

    it("aborts the upload and leaves no object when the writing fails part-way", async () => {
      const calls: string[] = [];
      const key = "exports/on-demand/w/failed";
      // s3rver answers AbortMultipartUpload with 405 (it does not implement it), which the
      // writer logs; on S3 the upload and its part are gone. The call is what is checked here.
      const { result } = await capturingConsoleError(() =>
        assert.rejects(
          recordingS3Calls(calls, () =>
            writeObject(
              s3.client,
              { Bucket: BUCKET, Key: key, ContentType: "text/plain" },
              async (write) => {
                await write("y".repeat(6 * MiB));
                throw new Error("the Query failed");
              },
              5 * MiB,
            ),
          ),
          /the Query failed/,
        ),
      );
      assert.equal(result, undefined);
      assert.deepEqual(calls, [
        "CreateMultipartUploadCommand",
        "UploadPartCommand",
        "AbortMultipartUploadCommand",
      ]);
      assert.equal(await getObject(s3.client, BUCKET, key), undefined);
    });

    it("refuses parts smaller than S3 takes", async () => {
      await assert.rejects(
        writeObject(
          s3.client,
          { Bucket: BUCKET, Key: "k", ContentType: "text/plain" },
          async () => undefined,
          MiB,
        ),
        /smaller than S3's/,
      );
    });
  });
});

/** Records the name of every S3 command any client sends while `run` runs. */
async function recordingS3Calls<T>(calls: string[], run: () => Promise<T>): Promise<T> {
  const proto = S3Client.prototype as unknown as Record<string, unknown>;
  const wasOwn = Object.prototype.hasOwnProperty.call(proto, "send");
  const send = proto.send as (this: S3Client, ...args: unknown[]) => Promise<unknown>;
  proto.send = function (this: S3Client, ...args: unknown[]) {
    calls.push((args[0] as { constructor: { name: string } }).constructor.name);
    return send.apply(this, args);
  };
  try {
    return await run();
  } finally {
    if (wasOwn) proto.send = send;
    else delete proto.send;
  }
}
