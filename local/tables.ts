// The declared tables in the DynamoDB emulator: created when missing, kept when present, and
// reported (never dropped) when an earlier run left a table whose schema no longer matches.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import type {
  AttributeDefinition,
  KeySchemaElement,
  Projection,
  TableDescription,
} from "@aws-sdk/client-dynamodb";
import type { KeyAttribute, LocalIndex, LocalTable } from "./model";

export interface TableMismatch {
  table: string;
  declared: string;
  existing: string;
}

const keySchema = (partitionKey: KeyAttribute, sortKey?: KeyAttribute): KeySchemaElement[] => [
  { AttributeName: partitionKey.name, KeyType: "HASH" },
  ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: "RANGE" as const }] : []),
];

const projection = (index: LocalIndex): Projection => ({
  ProjectionType: index.projectionType as Projection["ProjectionType"],
  NonKeyAttributes: index.nonKeyAttributes?.length ? index.nonKeyAttributes : undefined,
});

/** `UserId:S NoteId:S; gsi byDate(UserId:S CreatedAt:S)`: what must match between runs. */
function describeSchema(
  keys: KeySchemaElement[] | undefined,
  types: Map<string | undefined, string | undefined>,
  indexes: { name?: string; keys?: KeySchemaElement[]; kind: string }[],
): string {
  const keyList = (k: KeySchemaElement[] | undefined) =>
    (k ?? [])
      .slice()
      .sort((a) => (a.KeyType === "HASH" ? -1 : 1))
      .map((e) => `${e.AttributeName}:${types.get(e.AttributeName)}`)
      .join(" ");
  return [
    keyList(keys),
    ...indexes.map((i) => `${i.kind} ${i.name}(${keyList(i.keys)})`).sort(),
  ].join("; ");
}

function declaredSchema(table: LocalTable): string {
  const attributes = [table.partitionKey, table.sortKey, ...indexKeys(table)].filter(
    (a): a is KeyAttribute => a !== undefined,
  );
  const types = new Map<string | undefined, string | undefined>(
    attributes.map((a) => [a.name, a.type]),
  );
  return describeSchema(keySchema(table.partitionKey, table.sortKey), types, [
    ...table.globalIndexes.map((i) => ({
      name: i.name,
      keys: keySchema(i.partitionKey, i.sortKey),
      kind: "gsi",
    })),
    ...table.localIndexes.map((i) => ({
      name: i.name,
      keys: keySchema(i.partitionKey, i.sortKey),
      kind: "lsi",
    })),
  ]);
}

function existingSchema(table: TableDescription): string {
  const types = new Map<string | undefined, string | undefined>(
    (table.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]),
  );
  return describeSchema(table.KeySchema, types, [
    ...(table.GlobalSecondaryIndexes ?? []).map((i) => ({
      name: i.IndexName,
      keys: i.KeySchema,
      kind: "gsi",
    })),
    ...(table.LocalSecondaryIndexes ?? []).map((i) => ({
      name: i.IndexName,
      keys: i.KeySchema,
      kind: "lsi",
    })),
  ]);
}

function indexKeys(table: LocalTable): (KeyAttribute | undefined)[] {
  return [...table.globalIndexes, ...table.localIndexes].flatMap((i) => [
    i.partitionKey,
    i.sortKey,
  ]);
}

function attributeDefinitions(table: LocalTable): AttributeDefinition[] {
  const byName = new Map<string, KeyAttribute>();
  for (const a of [table.partitionKey, table.sortKey, ...indexKeys(table)]) {
    if (a) byName.set(a.name, a);
  }
  return [...byName.values()].map((a) => ({
    AttributeName: a.name,
    AttributeType: a.type as AttributeDefinition["AttributeType"],
  }));
}

export async function ensureTables(
  client: DynamoDBClient,
  tables: LocalTable[],
): Promise<TableMismatch[]> {
  const mismatches: TableMismatch[] = [];
  for (const table of tables) {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: table.name }));
      const existing = existingSchema(Table ?? {});
      if (existing !== declaredSchema(table)) {
        mismatches.push({ table: table.name, declared: declaredSchema(table), existing });
      }
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
      await client.send(
        new CreateTableCommand({
          TableName: table.name,
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: attributeDefinitions(table),
          KeySchema: keySchema(table.partitionKey, table.sortKey),
          GlobalSecondaryIndexes: table.globalIndexes.length
            ? table.globalIndexes.map((i) => ({
                IndexName: i.name,
                KeySchema: keySchema(i.partitionKey, i.sortKey),
                Projection: projection(i),
              }))
            : undefined,
          LocalSecondaryIndexes: table.localIndexes.length
            ? table.localIndexes.map((i) => ({
                IndexName: i.name,
                KeySchema: keySchema(i.partitionKey, i.sortKey),
                Projection: projection(i),
              }))
            : undefined,
        }),
      );
    }
  }
  return mismatches;
}
