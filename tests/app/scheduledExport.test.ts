import assert from "node:assert/strict";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { marshall } from "@aws-sdk/util-dynamodb";
import { putAll } from "../../app/batchWrite";
import { tables, tasks } from "../../app/routes";
import { exportAllNotes } from "../../app/scheduledExport";
import { scheduledEvent } from "../support/awsEvents";
import { startTestDynamo } from "../support/dynamo";
import type { TestDynamo } from "../support/dynamo";
import { S3RVER_CREDENTIALS, getObject, listKeys, startTestS3 } from "../support/s3";
import type { TestS3 } from "../support/s3";
import { createTables } from "../support/tables";

const BUCKET = "notes-bucket";
const RULE = "arn:aws:events:ap-northeast-2:123456789012:rule/export";

describe("exportAllNotes", () => {
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
      BUCKET_NAME: BUCKET,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    });
    await createTables(dynamo.client, [tables.notes]);
    const at = "2026-01-01T00:00:00.000Z";
    await putAll(
      dynamo.client,
      tables.notes.name,
      ["b", "a", "b"].map((userId, i) =>
        marshall({
          UserId: userId,
          NoteId: `n${i}`,
          Note: `note ${i}`,
          CreatedAt: at,
          UpdatedAt: at,
          Version: 1,
        }),
      ),
    );
  });

  after(async () => {
    await dynamo.close();
    await s3.close();
  });

  it("calls exactly its task's actions: Scan and Query, and S3 writes under exports/", async () => {
    const calls: string[] = [];
    const originals = [DynamoDBClient.prototype.send, S3Client.prototype.send] as const;
    const record = (service: string, send: (...a: unknown[]) => Promise<unknown>) =>
      function (this: unknown, ...args: unknown[]) {
        const command = args[0] as { constructor: { name: string }; input: { Key?: string } };
        const action = `${service}:${command.constructor.name.replace(/Command$/, "")}`;
        calls.push(command.input.Key ? `${action} ${command.input.Key}` : action);
        return send.apply(this, args);
      };
    DynamoDBClient.prototype.send = record("dynamodb", originals[0] as never) as never;
    S3Client.prototype.send = record("s3", originals[1] as never) as never;
    try {
      const summary = await exportAllNotes()(scheduledEvent(RULE, "2026-11-21T00:00:00Z"));
      assert.deepEqual(summary, { date: "2026-11-21", users: 2, notes: 3 });
    } finally {
      DynamoDBClient.prototype.send = originals[0];
      S3Client.prototype.send = originals[1];
    }
    const task = tasks.exportAllNotes;
    assert.deepEqual(
      [...new Set(calls.filter((c) => c.startsWith("dynamodb:")))].sort(),
      [...task.actions].sort(),
    );
    assert.deepEqual(
      calls.filter((c) => c.startsWith("s3:")),
      ["s3:PutObject exports/2026-11-21/a.json", "s3:PutObject exports/2026-11-21/b.json"],
    );
    for (const call of calls.filter((c) => c.startsWith("s3:"))) {
      assert.ok(task.objects.actions.includes(call.split(" ")[0]), call);
      assert.ok(call.split(" ")[1].startsWith(task.objects.prefix), call);
    }
  });

  it("files a run under the day it was scheduled for, in UTC", async () => {
    await exportAllNotes()(scheduledEvent(RULE, "2026-12-31T23:59:59Z"));
    const keys = await listKeys(s3.client, BUCKET, "exports/2026-12-31/");
    assert.deepEqual(keys, ["exports/2026-12-31/a.json", "exports/2026-12-31/b.json"]);
    const b = await getObject(s3.client, BUCKET, "exports/2026-12-31/b.json");
    assert.deepEqual(
      JSON.parse(String(b?.body)).notes.map((n: { noteId: string }) => n.noteId),
      ["n0", "n2"],
    );
  });

  it("fails at start-up without BUCKET_NAME", () => {
    const saved = process.env.BUCKET_NAME;
    delete process.env.BUCKET_NAME;
    try {
      assert.throws(() => exportAllNotes(), /BUCKET_NAME/);
    } finally {
      process.env.BUCKET_NAME = saved;
    }
  });
});
