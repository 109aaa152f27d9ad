// Friends' moods (the camp's hello-member lab): one item per friend, so never more than five.
import { DynamoDBClient, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { randomInt } from "node:crypto";
import { requiredEnv } from "./env";
import { endpoint, json } from "./http";
import type { Handler } from "./http";

const NAMES = ["Ama", "Jone", "Zon", "Penny", "Jessie"];
const STATUSES = ["Happy", "Sad", "Serious", "Satisfied", "Free"];

interface Member {
  name: string;
  status: string;
}

function pick(values: string[]): string {
  return values[randomInt(values.length)];
}

export function shuffleMember(): Handler {
  const client = new DynamoDBClient({});
  const table = requiredEnv("TABLE_NAME");
  return endpoint("POST", async () => {
    const member: Member = { name: pick(NAMES), status: pick(STATUSES) };
    // Keyed by name, so this overwrites that friend's mood and the table stays at five items.
    await client.send(new PutItemCommand({ TableName: table, Item: marshall(member) }));
    return json(201, member);
  });
}

export function listMembers(): Handler {
  const client = new DynamoDBClient({});
  const table = requiredEnv("TABLE_NAME");
  return endpoint("GET", async () => {
    const out = await client.send(new ScanCommand({ TableName: table, Limit: NAMES.length }));
    const members: Member[] = (out.Items ?? [])
      .map((item) => unmarshall(item))
      .map(({ name, status }) => ({ name: String(name), status: String(status) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return json(200, { members });
  });
}
