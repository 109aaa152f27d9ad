import assert from "node:assert/strict";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { S3Event } from "aws-lambda";
import { importNotes, objectKey, MAX_CSV_BYTES } from "../../app/importNotes";
import type { ImportSummary } from "../../app/importNotes";
import { tables, tasks } from "../../app/routes";
import { objectCreatedEvent } from "../support/awsEvents";
import { startTestDynamo } from "../support/dynamo";
import type { TestDynamo } from "../support/dynamo";
import { S3RVER_CREDENTIALS, getObject, listKeys, startTestS3 } from "../support/s3";
import type { TestS3 } from "../support/s3";
import { createTables, tableContents } from "../support/tables";

const BUCKET = "notes-bucket";

/** One SDK call, as the IAM action it needs and the object key it names (S3 only). */
interface Call {
  action: string;
  key?: string;
}

/** Records every DynamoDB and S3 call any client makes while `run` runs. */
async function recordCalls<T>(run: () => Promise<T>): Promise<{ result: T; calls: Call[] }> {
  const calls: Call[] = [];
  const patched = [
    [DynamoDBClient.prototype, "dynamodb"],
    [S3Client.prototype, "s3"],
  ] as const;
  const originals = patched.map(([proto]) => proto.send);
  patched.forEach(([proto, service], i) => {
    const send = originals[i] as (...args: unknown[]) => Promise<unknown>;
    (proto as { send: unknown }).send = function (this: unknown, ...args: unknown[]) {
      const command = args[0] as { constructor: { name: string }; input: { Key?: string } };
      const action = `${service}:${command.constructor.name.replace(/Command$/, "")}`;
      calls.push(service === "s3" ? { action, key: command.input.Key } : { action });
      return send.apply(this, args);
    };
  });
  try {
    return { result: await run(), calls };
  } finally {
    patched.forEach(([proto], i) => ((proto as { send: unknown }).send = originals[i]));
  }
}

describe("importNotes", () => {
  let dynamo: TestDynamo;
  let s3: TestS3;
  // The handler logs a line per run; these tests read what it returns and writes instead.
  const logging = { log: console.log, warn: console.warn };
  before(() => Object.assign(console, { log: () => undefined, warn: () => undefined }));
  after(() => Object.assign(console, logging));

  before(async () => {
    s3 = await startTestS3([BUCKET], "ap-northeast-2");
    dynamo = await startTestDynamo({
      TABLE_NAME: tables.notes.name,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    });
    await createTables(dynamo.client, [tables.notes]);
  });

  after(async () => {
    await dynamo.close();
    await s3.close();
  });

  async function upload(key: string, text: string): Promise<S3Event> {
    const body = Buffer.from(text, "utf8");
    await s3.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: "text/csv" }),
    );
    return objectCreatedEvent(BUCKET, key, body.length);
  }

  it("reads the key S3 URL-encodes, with + for a space", () => {
    const event = objectCreatedEvent(BUCKET, "imports/my notes (1)+ü.csv", 1);
    assert.equal(event.Records[0].s3.object.key, "imports/my+notes+(1)%2B%C3%BC.csv");
    assert.equal(objectKey(event.Records[0]), "imports/my notes (1)+ü.csv");
  });

  it("calls exactly its task's actions: BatchWriteItem, and S3 reads and writes under imports/", async () => {
    const event = await upload("imports/calls.csv", "UserId,NoteId,Note\ncalls,n1,one\n");
    const { result, calls } = await recordCalls(() => importNotes()(event));
    assert.equal(result[0].stored, 1);
    const task = tasks.importNotes;
    const dynamoActions = calls.filter((c) => c.action.startsWith("dynamodb:"));
    assert.deepEqual([...new Set(dynamoActions.map((c) => c.action))], task.actions);
    const s3Calls = calls.filter((c) => c.action.startsWith("s3:"));
    assert.deepEqual([...new Set(s3Calls.map((c) => c.action))].sort(), task.objects.actions);
    for (const call of s3Calls) assert.ok(call.key?.startsWith(task.objects.prefix), call.key);
    assert.deepEqual(
      s3Calls.map((c) => `${c.action} ${c.key}`),
      [
        "s3:GetObject imports/calls.csv",
        "s3:GetObject imports/calls.json",
        "s3:PutObject imports/calls.errors.json",
        "s3:PutObject imports/calls.json",
      ],
    );
  });

  it("loads nothing and says why when the header is missing, and writes an empty conversion", async () => {
    const handler = importNotes();
    const event = await upload("imports/headless.csv", "headless,n1,x\n");
    const [summary] = await handler(event);
    assert.deepEqual(summary, {
      bucket: BUCKET,
      key: "imports/headless.csv",
      stored: 0,
      rejected: 1,
      alreadyImported: false,
    });
    const errors = await getObject(s3.client, BUCKET, "imports/headless.errors.json");
    assert.deepEqual(
      JSON.parse(String(errors?.body)).map((r: { code: string }) => r.code),
      ["InvalidHeader"],
    );
    assert.equal((await getObject(s3.client, BUCKET, "imports/headless.json"))?.body, "[]\n");
  });

  it("imports a changed file again: its rows overwrite the notes they name", async () => {
    const handler = importNotes();
    const key = "imports/changing.csv";
    await handler(await upload(key, "UserId,NoteId,Note\nchanging,n1,first\n"));
    const [summary] = await handler(await upload(key, "UserId,NoteId,Note\nchanging,n1,second\n"));
    assert.equal(summary.stored, 1);
    const notes = (await tableContents(dynamo.client, tables.notes.name)).filter(
      (i) => i.UserId.S === "changing",
    );
    assert.deepEqual(
      notes.map((n) => [n.NoteId.S, n.Note.S, n.Version.N]),
      [["n1", "second", "1"]],
    );
  });

  it("refuses a file over the size limit without reading it", async () => {
    const event = await upload("imports/huge.csv", "UserId,NoteId,Note\n");
    event.Records[0].s3.object.size = MAX_CSV_BYTES + 1;
    const { result, calls } = await recordCalls(() => importNotes()(event));
    assert.deepEqual(result, [
      { bucket: BUCKET, key: "imports/huge.csv", stored: 0, rejected: 1, alreadyImported: false },
    ] satisfies ImportSummary[]);
    assert.deepEqual(calls, [{ action: "s3:PutObject", key: "imports/huge.errors.json" }]);
  });

  it("ignores any object that is not a .csv under imports/, so its own results never loop", async () => {
    const event = objectCreatedEvent(BUCKET, "imports/calls.json", 10);
    const { result, calls } = await recordCalls(() => importNotes()(event));
    assert.deepEqual(result, []);
    assert.deepEqual(calls, []);
  });

  it("takes S3's 403 for a missing conversion as missing: without ListBucket S3 says no, not 404", async () => {
    const event = await upload("imports/denied.csv", "UserId,NoteId,Note\ndenied,n1,x\n");
    const send = S3Client.prototype.send;
    S3Client.prototype.send = function (this: S3Client, ...args: unknown[]) {
      const command = args[0] as { input: { Key?: string }; constructor: { name: string } };
      if (command.constructor.name === "GetObjectCommand" && command.input.Key?.endsWith(".json")) {
        return Promise.reject(Object.assign(new Error("Access Denied"), { name: "AccessDenied" }));
      }
      return (send as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    } as typeof send;
    try {
      const [summary] = await importNotes()(event);
      assert.equal(summary.stored, 1);
    } finally {
      S3Client.prototype.send = send;
    }
    assert.ok((await listKeys(s3.client, BUCKET, "imports/")).includes("imports/denied.json"));
  });

  it("fails at start-up without TABLE_NAME", () => {
    const saved = process.env.TABLE_NAME;
    delete process.env.TABLE_NAME;
    try {
      assert.throws(() => importNotes(), /TABLE_NAME/);
    } finally {
      process.env.TABLE_NAME = saved;
    }
  });
});
