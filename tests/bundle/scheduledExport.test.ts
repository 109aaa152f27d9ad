// The scheduled export as deployed: the recorded function of the stack whose config schedules it,
// run as the Lambda runtime runs it on the event EventBridge sends, against the S3 emulator and
// the DynamoDB emulator; what it writes must be exactly what the table holds.
import assert from "node:assert/strict";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { putAll } from "../../app/batchWrite";
import type { NotesExport } from "../../app/notes";
import type { ExportSummary } from "../../app/scheduledExport";
import { startDynamoEmulator } from "../../local/dynamodb";
import type { DynamoEmulator } from "../../local/dynamodb";
import { stackGraph } from "../harness/graph";
import type { StackGraph } from "../harness/graph";
import { scheduledEvent } from "../support/awsEvents";
import {
  createDeclaredTables,
  functionOf,
  resultOf,
  sdkEntries,
  startBundled,
} from "../support/bundled";
import type { Bundled } from "../support/bundled";
import { S3RVER_CREDENTIALS, getObject, listKeys, startTestS3 } from "../support/s3";
import type { TestS3 } from "../support/s3";
import { queryNotes } from "../support/tables";
import type { Item } from "../support/tables";

/** The stack whose config file schedules the export (dev's says `off`). */
const STACK = "prod";

/** Every user id in the table, by a direct Scan. */
async function scanUsers(client: DynamoDBClient, table: string): Promise<string[]> {
  const users = new Set<string>();
  let startKey: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) users.add(String(item.UserId.S));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return [...users].sort();
}

describe(`the bundled scheduled export runs (${STACK})`, function () {
  this.timeout(120_000);
  let graph: StackGraph;
  let dynamo: DynamoEmulator;
  let client: DynamoDBClient;
  let s3: TestS3;
  let exporter: Bundled;
  let bucket: string;
  let table: string;

  before(async () => {
    graph = await stackGraph(STACK);
    assert.notEqual(graph.config("serverless-notes:exportSchedule"), "off");
    bucket = String(graph.outputs.notesBucketName);
    table = String(graph.outputs.notesTableName);
    const region = graph.config("aws:region");
    dynamo = await startDynamoEmulator();
    s3 = await startTestS3([bucket], region);
    client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region,
      credentials: S3RVER_CREDENTIALS,
    });
    await createDeclaredTables(client, graph);
    exporter = startBundled(functionOf(graph, "exportAllNotes"), {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    });
  });

  after(async () => {
    await exporter?.close();
    client?.destroy();
    await s3?.close();
    await dynamo?.close();
  });

  it("ships the serialised handler and the SDK it requires, writing to the stack's notes bucket", () => {
    const { inputs } = exporter.resource;
    assert.deepEqual(
      Object.keys((inputs.code as { $archive: { assets: object } }).$archive.assets).sort(),
      [
        "__index.js",
        ...sdkEntries("@aws-sdk/client-dynamodb"),
        ...sdkEntries("@aws-sdk/client-s3"),
        ...sdkEntries("@aws-sdk/util-dynamodb"),
        "node_modules/.aws-sdk/index.js",
        "node_modules/.aws-sdk/package.json",
      ].sort(),
    );
    assert.equal(exporter.variables.BUCKET_NAME, bucket);
    assert.equal(exporter.variables.TABLE_NAME, table);
  });

  it("writes each user's notes to exports/<date>/<userId>.json, exactly as the table holds them", async () => {
    // One user with more than a 1 MB Query page of notes, and a few small ones.
    const big = Array.from({ length: 120 }, (_, i) => ({
      UserId: "ada",
      NoteId: `n${String(i).padStart(3, "0")}`,
      Note: `${i} ${"x".repeat(9_990)}`,
    }));
    const small = ["grace", "linus", "user_4-x"].flatMap((userId, u) =>
      Array.from({ length: u + 1 }, (_, i) => ({
        UserId: userId,
        NoteId: `01K${u}${i}`,
        Note: `note ${i} of ${userId}, "quoted" — ünïcödé`,
      })),
    );
    const now = "2026-11-20T12:00:00.000Z";
    await putAll(
      client,
      table,
      [...big, ...small].map((n) => marshall({ ...n, CreatedAt: now, UpdatedAt: now, Version: 1 })),
    );

    const time = "2026-11-21T03:00:00Z";
    const ruleArn = `arn:aws:events:ap-northeast-2:123456789012:rule/exportAllNotes`;
    const summary = resultOf(
      await exporter.fn.invoke(scheduledEvent(ruleArn, time)),
      "exportAllNotes",
    ) as ExportSummary;

    const users = await scanUsers(client, table);
    assert.deepEqual(users, ["ada", "grace", "linus", "user_4-x"]);
    assert.deepEqual(summary, { date: "2026-11-21", users: 4, notes: 126 });
    assert.deepEqual(
      await listKeys(s3.client, bucket, "exports/"),
      users.map((u) => `exports/2026-11-21/${u}.json`),
    );
    for (const userId of users) {
      const { notes, pages } = await queryNotes(client, table, userId);
      if (userId === "ada") assert.ok(pages > 1, `ada's notes take ${pages} Query page(s)`);
      const exported = await getObject(s3.client, bucket, `exports/2026-11-21/${userId}.json`);
      assert.ok(exported);
      assert.equal(exported.contentType, "application/json");
      const expected: NotesExport = { userId, notes };
      assert.deepEqual(JSON.parse(exported.body), expected);
    }
  });
});
