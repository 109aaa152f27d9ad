import assert from "node:assert/strict";
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { tables } from "../../app/routes";
import { startDynamoEmulator } from "../../local/dynamodb";
import type { AuthorizationRequest, DynamoEmulator } from "../../local/dynamodb";
import { accessDeniedMessage, evaluate } from "../../local/iam";
import type { PolicyStatement } from "../../local/model";
import { createTables, tableContents } from "../support/tables";
import type { Item } from "../support/tables";

const REGION = "ap-northeast-2";
const ACCOUNT = "123456789012";
const NOTES = tables.notes.name;
const MEMBERS = tables.members.name;
const tableArn = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;

/** Each access key stands for one function's role, as `npm start` gives each function its own. */
const identities: Record<string, { principal: string; statements: PolicyStatement[] }> = {
  READER: {
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/notes-get-role/notes-get`,
    statements: [{ Effect: "Allow", Action: "dynamodb:GetItem", Resource: tableArn(NOTES) }],
  },
  WRITER: {
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/notes-import-role/notes-import`,
    statements: [
      {
        Effect: "Allow",
        Action: ["dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem"],
        Resource: tableArn(NOTES),
      },
      { Effect: "Deny", Action: "dynamodb:DeleteItem", Resource: "*" },
    ],
  },
  ADMIN: {
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/admin-role/admin`,
    statements: [{ Effect: "Allow", Action: "dynamodb:*", Resource: "*" }],
  },
};

const note = (userId: string, noteId: string, text: string): Item => ({
  UserId: { S: userId },
  NoteId: { S: noteId },
  Note: { S: text },
});
const mood = (name: string, status: string): Item => ({ name: { S: name }, status: { S: status } });

/** What the SDK threw, for assertions that fail when nothing was thrown. */
async function rejection(call: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await call;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  assert.fail("the call succeeded; expected it to be refused");
}

describe("DynamoDB emulator", () => {
  describe("with authorisation", () => {
    let emulator: DynamoEmulator;
    let seen: AuthorizationRequest[] = [];
    const clients: DynamoDBClient[] = [];
    const clientFor = (accessKeyId: string) => {
      const client = new DynamoDBClient({
        endpoint: emulator.endpoint,
        region: REGION,
        credentials: { accessKeyId, secretAccessKey: "x" },
      });
      clients.push(client);
      return client;
    };
    let admin: DynamoDBClient;
    let reader: DynamoDBClient;
    let writer: DynamoDBClient;
    /** The authorisations asked for one identity's calls (the admin also arranges and inspects). */
    const asked = (accessKeyId: string) => seen.filter((r) => r.accessKeyId === accessKeyId);
    const notes = () => tableContents(admin, NOTES);
    const members = () => tableContents(admin, MEMBERS);

    before(async () => {
      emulator = await startDynamoEmulator({
        authorize: (request) => {
          seen.push(request);
          const identity = identities[request.accessKeyId];
          if (!identity) return { allowed: false, message: "The security token is invalid." };
          const resource = request.tableName ? tableArn(request.tableName) : "*";
          const { decision } = evaluate(identity.statements, request.action, resource);
          return decision === "allow"
            ? { allowed: true }
            : {
                allowed: false,
                message: accessDeniedMessage(
                  identity.principal,
                  request.action,
                  resource,
                  decision,
                ),
              };
        },
      });
      admin = clientFor("ADMIN");
      reader = clientFor("READER");
      writer = clientFor("WRITER");
      await createTables(admin, [tables.notes, tables.members]);
      await admin.send(new PutItemCommand({ TableName: NOTES, Item: note("ama", "n1", "hello") }));
      await admin.send(new PutItemCommand({ TableName: MEMBERS, Item: mood("Ama", "Happy") }));
    });
    beforeEach(() => {
      seen = [];
    });
    after(async () => {
      for (const client of clients) client.destroy();
      await emulator?.close();
    });

    it("lets an allowed call through", async () => {
      const got = await reader.send(
        new GetItemCommand({
          TableName: NOTES,
          Key: { UserId: { S: "ama" }, NoteId: { S: "n1" } },
        }),
      );
      assert.deepEqual(got.Item, note("ama", "n1", "hello"));
      assert.deepEqual(asked("READER"), [
        { accessKeyId: "READER", action: "dynamodb:GetItem", tableName: NOTES },
      ]);
    });

    it("refuses a call no statement allows, as DynamoDB does, and stores nothing", async () => {
      const before = await notes();
      const err = await rejection(
        reader.send(new PutItemCommand({ TableName: NOTES, Item: note("ama", "n2", "sneaky") })),
      );
      assert.equal(err.name, "AccessDeniedException");
      assert.equal(
        err.message,
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/notes-get-role/notes-get is not authorized ` +
          `to perform: dynamodb:PutItem on resource: ${tableArn(NOTES)} ` +
          "because no identity-based policy allows the dynamodb:PutItem action",
      );
      assert.equal((err.$metadata as { httpStatusCode?: number }).httpStatusCode, 400);
      assert.deepEqual(await notes(), before);
    });

    it("refuses an explicitly denied call with the explicit-deny message", async () => {
      const before = await notes();
      const err = await rejection(
        writer.send(
          new DeleteItemCommand({
            TableName: NOTES,
            Key: { UserId: { S: "ama" }, NoteId: { S: "n1" } },
          }),
        ),
      );
      assert.equal(err.name, "AccessDeniedException");
      assert.equal(
        err.message,
        `User: ${identities.WRITER.principal} is not authorized to perform: dynamodb:DeleteItem ` +
          `on resource: ${tableArn(NOTES)} with an explicit deny in an identity-based policy`,
      );
      assert.deepEqual(await notes(), before);
    });

    it("authorises a batch write on each of its tables", async () => {
      await writer.send(
        new BatchWriteItemCommand({
          RequestItems: { [NOTES]: [{ PutRequest: { Item: note("jone", "n1", "batched") } }] },
        }),
      );
      assert.deepEqual(asked("WRITER"), [
        { accessKeyId: "WRITER", action: "dynamodb:BatchWriteItem", tableName: NOTES },
      ]);
      assert.ok((await notes()).some((item) => item.UserId.S === "jone"));
    });

    it("refuses a whole batch write when one of its tables is denied, writing nothing", async () => {
      const [notesBefore, membersBefore] = [await notes(), await members()];
      const err = await rejection(
        writer.send(
          new BatchWriteItemCommand({
            RequestItems: {
              [NOTES]: [{ PutRequest: { Item: note("zon", "n1", "half a batch") } }],
              [MEMBERS]: [{ PutRequest: { Item: mood("Zon", "Sad") } }],
            },
          }),
        ),
      );
      assert.equal(err.name, "AccessDeniedException");
      assert.equal(
        err.message,
        accessDeniedMessage(
          identities.WRITER.principal,
          "dynamodb:BatchWriteItem",
          tableArn(MEMBERS),
          "implicitDeny",
        ),
      );
      assert.deepEqual(
        asked("WRITER").map((r) => r.tableName),
        [NOTES, MEMBERS],
      );
      assert.deepEqual(await notes(), notesBefore);
      assert.deepEqual(await members(), membersBefore);
    });

    it("authorises ListTables on no table", async () => {
      const listed = await admin.send(new ListTablesCommand({}));
      assert.deepEqual(listed.TableNames, [MEMBERS, NOTES].sort());
      assert.deepEqual(seen, [{ accessKeyId: "ADMIN", action: "dynamodb:ListTables" }]);
      const err = await rejection(reader.send(new ListTablesCommand({})));
      assert.equal(err.name, "AccessDeniedException");
    });

    it("returns the old item on a failed condition without needing GetItem", async () => {
      const err = await rejection(
        writer.send(
          new PutItemCommand({
            TableName: NOTES,
            Item: note("ama", "n1", "overwrite"),
            ConditionExpression: "attribute_not_exists(UserId)",
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        ),
      );
      assert.ok(err instanceof ConditionalCheckFailedException, String(err));
      assert.deepEqual(err.Item, note("ama", "n1", "hello"));
    });

    it("answers a request without a signature, or of another API version, without the store", async () => {
      const before = await notes();
      const post = (target: string, headers: Record<string, string> = {}) =>
        fetch(emulator.endpoint, {
          method: "POST",
          headers: {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": target,
            ...headers,
          },
          body: JSON.stringify({ TableName: NOTES, Item: note("penny", "n1", "unsigned") }),
        });
      const unsigned = await post("DynamoDB_20120810.PutItem");
      assert.equal(unsigned.status, 400);
      assert.equal(
        ((await unsigned.json()) as { __type: string }).__type,
        "com.amazon.coral.service#MissingAuthenticationTokenException",
      );
      const legacy = await post("DynamoDB_20111205.PutItem", {
        authorization:
          "AWS4-HMAC-SHA256 Credential=ADMIN/20250101/ap-northeast-2/dynamodb/aws4_request, " +
          "SignedHeaders=host, Signature=x",
        "x-amz-date": "20250101T000000Z",
      });
      assert.equal(legacy.status, 400);
      assert.equal(
        ((await legacy.json()) as { __type: string }).__type,
        "com.amazon.coral.service#UnknownOperationException",
      );
      assert.deepEqual(asked("ADMIN"), [
        { accessKeyId: "ADMIN", action: "dynamodb:Scan", tableName: NOTES },
      ]);
      assert.deepEqual(await notes(), before);
    });
  });

  describe("without authorisation", () => {
    let emulator: DynamoEmulator;
    let client: DynamoDBClient;

    before(async () => {
      emulator = await startDynamoEmulator();
      client = new DynamoDBClient({
        endpoint: emulator.endpoint,
        region: REGION,
        credentials: { accessKeyId: "ANYONE", secretAccessKey: "x" },
      });
      await createTables(client, [tables.notes]);
    });
    after(async () => {
      client?.destroy();
      await emulator?.close();
    });

    it("allows every call, whatever the access key", async () => {
      await client.send(new PutItemCommand({ TableName: NOTES, Item: note("ama", "n1", "hello") }));
      const got = await client.send(
        new GetItemCommand({
          TableName: NOTES,
          Key: { UserId: { S: "ama" }, NoteId: { S: "n1" } },
        }),
      );
      assert.deepEqual(got.Item, note("ama", "n1", "hello"));
      assert.deepEqual((await client.send(new ListTablesCommand({}))).TableNames, [NOTES]);
    });

    it("returns the old item on a failed condition", async () => {
      const err = await rejection(
        client.send(
          new PutItemCommand({
            TableName: NOTES,
            Item: note("ama", "n1", "overwrite"),
            ConditionExpression: "attribute_not_exists(UserId)",
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        ),
      );
      assert.ok(err instanceof ConditionalCheckFailedException, String(err));
      assert.deepEqual(err.Item, note("ama", "n1", "hello"));
    });
  });
});
