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
import { SignatureV4 } from "@smithy/signature-v4";
import { tables } from "../../app/routes";
import { startDynamoEmulator } from "../../local/dynamodb";
import type { AuthorizationRequest, DynamoEmulator } from "../../local/dynamodb";
import { accessDeniedMessage, evaluate } from "../../local/iam";
import { Sha256 } from "../../local/sigv4";
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

/** Each identity's secret access key: what the front verifies signatures with. */
const secretOf = (accessKeyId: string) =>
  accessKeyId in identities ? `secret-of-${accessKeyId}` : undefined;

/** A DynamoDB JSON-protocol request signed as the SDK signs it, sent as is. */
async function signedPost(
  endpoint: string,
  target: string,
  body: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  tamper: (headers: Record<string, string>) => string = () => body,
): Promise<Response> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    credentials,
    region: REGION,
    service: "dynamodb",
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    headers: {
      host: url.host,
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": target,
    },
    body,
  });
  const headers = signed.headers as Record<string, string>;
  const sent = tamper(headers);
  delete headers.host;
  return fetch(endpoint, { method: "POST", headers, body: sent });
}

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
        credentials: { accessKeyId, secretAccessKey: secretOf(accessKeyId) ?? "unknown" },
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
        secretOf,
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
      const legacy = await signedPost(
        emulator.endpoint,
        "DynamoDB_20111205.PutItem",
        JSON.stringify({ TableName: NOTES, Item: note("penny", "n1", "old API") }),
        { accessKeyId: "ADMIN", secretAccessKey: `secret-of-ADMIN` },
      );
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

    describe("takes the caller from the request's signature, not from its claimed key", () => {
      const putBody = JSON.stringify({ TableName: NOTES, Item: note("ama", "n9", "forged") });
      const typeOf = async (response: Response) =>
        ((await response.json()) as { __type: string }).__type;

      it("refuses a call signed with another secret, before asking IAM or the store", async () => {
        const before = await notes();
        const forger = new DynamoDBClient({
          endpoint: emulator.endpoint,
          region: REGION,
          credentials: { accessKeyId: "ADMIN", secretAccessKey: "guessed" },
        });
        clients.push(forger);
        const err = await rejection(
          forger.send(new PutItemCommand({ TableName: NOTES, Item: note("ama", "n9", "forged") })),
        );
        assert.equal(err.name, "InvalidSignatureException");
        assert.match(err.message, /^The request signature we calculated does not match/);
        assert.deepEqual(asked("ADMIN"), [
          { accessKeyId: "ADMIN", action: "dynamodb:Scan", tableName: NOTES },
        ]);
        assert.deepEqual(await notes(), before);
      });

      it("refuses an access key it does not know, as AWS does", async () => {
        const before = await notes();
        const err = await rejection(clientFor("NOBODY").send(new ListTablesCommand({})));
        assert.equal(err.name, "UnrecognizedClientException");
        assert.equal(err.message, "The security token included in the request is invalid.");
        assert.deepEqual(asked("NOBODY"), []);
        assert.deepEqual(await notes(), before);
      });

      it("refuses a genuine signature sent with another body or target", async () => {
        const before = await notes();
        const adminKey = { accessKeyId: "ADMIN", secretAccessKey: "secret-of-ADMIN" };
        const harmless = JSON.stringify({ TableName: NOTES, Key: note("ama", "n1", "x") });
        const swapped = await signedPost(
          emulator.endpoint,
          "DynamoDB_20120810.PutItem",
          harmless,
          adminKey,
          () => putBody,
        );
        assert.equal(swapped.status, 400);
        assert.equal(await typeOf(swapped), "com.amazon.coral.service#InvalidSignatureException");
        const retargeted = await signedPost(
          emulator.endpoint,
          "DynamoDB_20120810.GetItem",
          putBody,
          adminKey,
          (headers) => {
            headers["x-amz-target"] = "DynamoDB_20120810.PutItem";
            return putBody;
          },
        );
        assert.equal(
          await typeOf(retargeted),
          "com.amazon.coral.service#InvalidSignatureException",
        );
        const genuine = await signedPost(
          emulator.endpoint,
          "DynamoDB_20120810.PutItem",
          putBody,
          adminKey,
        );
        assert.equal(genuine.status, 200, await genuine.clone().text());
        const sorted = (items: Item[]) => items.map((i) => JSON.stringify(i)).sort();
        assert.deepEqual(sorted(await notes()), sorted([...before, note("ama", "n9", "forged")]));
        await admin.send(
          new DeleteItemCommand({
            TableName: NOTES,
            Key: { UserId: { S: "ama" }, NoteId: { S: "n9" } },
          }),
        );
      });
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
