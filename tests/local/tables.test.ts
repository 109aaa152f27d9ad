import * as assert from "node:assert/strict";
import {
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { startDynamoEmulator } from "../../local/dynamodb";
import type { DynamoEmulator } from "../../local/dynamodb";
import type { LocalTable } from "../../local/model";
import { ensureTables } from "../../local/tables";

const notes = (name: string, extra: Partial<LocalTable> = {}): LocalTable => ({
  name,
  arn: `arn:aws:dynamodb:ap-northeast-2:123456789012:table/${name}`,
  partitionKey: { name: "UserId", type: "S" },
  sortKey: { name: "NoteId", type: "S" },
  globalIndexes: [],
  localIndexes: [],
  ...extra,
});

describe("local/tables", () => {
  let dynamo: DynamoEmulator;
  let client: DynamoDBClient;
  before(async () => {
    dynamo = await startDynamoEmulator();
    client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: "ap-northeast-2",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
  });
  after(async () => {
    client.destroy();
    await dynamo.close();
  });

  it("creates a declared table with its keys and secondary indexes", async () => {
    const table = notes("with-indexes", {
      globalIndexes: [
        {
          name: "byText",
          partitionKey: { name: "Note", type: "S" },
          projectionType: "KEYS_ONLY",
        },
      ],
      localIndexes: [
        {
          name: "byCreated",
          partitionKey: { name: "UserId", type: "S" },
          sortKey: { name: "CreatedAt", type: "S" },
          projectionType: "INCLUDE",
          nonKeyAttributes: ["Note"],
        },
      ],
    });
    assert.deepEqual(await ensureTables(client, [table]), []);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table.name }));
    assert.deepEqual(Table?.KeySchema, [
      { AttributeName: "UserId", KeyType: "HASH" },
      { AttributeName: "NoteId", KeyType: "RANGE" },
    ]);
    assert.equal(Table?.GlobalSecondaryIndexes?.[0].IndexName, "byText");
    assert.equal(Table?.LocalSecondaryIndexes?.[0].IndexName, "byCreated");
    assert.deepEqual(Table?.LocalSecondaryIndexes?.[0].Projection, {
      ProjectionType: "INCLUDE",
      NonKeyAttributes: ["Note"],
    });
    await client.send(
      new PutItemCommand({
        TableName: table.name,
        Item: { UserId: { S: "u" }, NoteId: { S: "n" }, Note: { S: "hi" }, CreatedAt: { S: "t" } },
      }),
    );
    const byText = await client.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: "byText",
        KeyConditionExpression: "Note = :n",
        ExpressionAttributeValues: { ":n": { S: "hi" } },
      }),
    );
    assert.equal(byText.Count, 1);
    // A second start finds it as declared and keeps its data.
    assert.deepEqual(await ensureTables(client, [table]), []);
    assert.equal((await client.send(new ScanCommand({ TableName: table.name }))).Count, 1);
  });

  it("reports, and keeps, a table whose keys or indexes no longer match", async () => {
    const before = notes("drifted");
    await ensureTables(client, [before]);
    await client.send(
      new PutItemCommand({
        TableName: "drifted",
        Item: { UserId: { S: "u" }, NoteId: { S: "n" } },
      }),
    );
    const rekeyed = notes("drifted", { sortKey: { name: "CreatedAt", type: "S" } });
    assert.deepEqual(await ensureTables(client, [rekeyed]), [
      { table: "drifted", declared: "UserId:S CreatedAt:S", existing: "UserId:S NoteId:S" },
    ]);
    const indexed = notes("drifted", {
      globalIndexes: [
        { name: "byText", partitionKey: { name: "Note", type: "S" }, projectionType: "ALL" },
      ],
    });
    assert.deepEqual(await ensureTables(client, [indexed]), [
      {
        table: "drifted",
        declared: "UserId:S NoteId:S; gsi byText(Note:S)",
        existing: "UserId:S NoteId:S",
      },
    ]);
    assert.equal((await client.send(new ScanCommand({ TableName: "drifted" }))).Count, 1);
  });
});
