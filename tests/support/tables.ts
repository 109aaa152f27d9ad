// Tables for handler tests, created from the same key schemas the infrastructure deploys.
import { CreateTableCommand, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Note } from "../../app/notes";
import type { TableSpec } from "../../app/routes";

export type Item = Record<string, AttributeValue>;

export async function createTables(
  client: DynamoDBClient,
  specs: readonly TableSpec[],
): Promise<void> {
  for (const spec of specs) {
    const keys = spec.sortKey ? [spec.partitionKey, spec.sortKey] : [spec.partitionKey];
    await client.send(
      new CreateTableCommand({
        TableName: spec.name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
        KeySchema: keys.map((k, i) => ({
          AttributeName: k.name,
          KeyType: i === 0 ? "HASH" : "RANGE",
        })),
      }),
    );
  }
}

/** Every item of a table, exactly as stored, in a stable order: compare before and after. */
export async function tableContents(client: DynamoDBClient, name: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: name, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const sortKey = (item: Item) =>
    JSON.stringify(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1)));
  return items.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
}

/** Every note of a user by a direct Query, every page, and how many pages that took. */
export async function queryNotes(client: DynamoDBClient, table: string, userId: string) {
  const notes: Note[] = [];
  let pages = 0;
  let startKey: Item | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "UserId = :u",
        ExpressionAttributeValues: { ":u": { S: userId } },
        ExclusiveStartKey: startKey,
      }),
    );
    pages++;
    for (const item of page.Items ?? []) {
      const n = unmarshall(item);
      notes.push({
        userId: n.UserId,
        noteId: n.NoteId,
        note: n.Note,
        createdAt: n.CreatedAt,
        updatedAt: n.UpdatedAt,
        version: n.Version,
      });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { notes, pages };
}
