// The scheduled export: EventBridge runs it on the environment's schedule, and it writes each
// user's notes to `exports/<YYYY-MM-DD>/<userId>.json` in the notes bucket, in the same shape as
// `GET /users/{userId}/notes/export`. Users are found with a Scan of the table's keys (this is no
// request path, so the SPEC's "never Scan" does not apply); each user's notes come from a Query.
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { ScheduledEvent } from "aws-lambda";
import { exportKey } from "./bucketLayout";
import { requiredEnv } from "./env";
import { queryAllNotes } from "./notes";
import type { NotesExport } from "./notes";

export interface ExportSummary {
  /** The day the export is filed under: the scheduled time's date, in UTC. */
  date: string;
  users: number;
  notes: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}/;

/** Every user id that has a note, each once, in order. */
async function scanUserIds(client: DynamoDBClient, table: string): Promise<string[]> {
  const users = new Set<string>();
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: "UserId",
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) users.add(String(unmarshall(item).UserId));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return [...users].sort();
}

export function exportAllNotes(): (event: ScheduledEvent) => Promise<ExportSummary> {
  const dynamo = new DynamoDBClient({});
  const s3 = new S3Client({});
  const table = requiredEnv("TABLE_NAME");
  const bucket = requiredEnv("BUCKET_NAME");
  return async (event) => {
    // The schedule's own time, so a retried run files under the day it was meant for.
    const date = (DATE.exec(event.time ?? "")?.[0] ?? new Date().toISOString()).slice(0, 10);
    const summary: ExportSummary = { date, users: 0, notes: 0 };
    for (const userId of await scanUserIds(dynamo, table)) {
      const body: NotesExport = { userId, notes: await queryAllNotes(dynamo, table, userId) };
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: exportKey(date, userId),
          Body: `${JSON.stringify(body, null, 2)}\n`,
          ContentType: "application/json",
        }),
      );
      summary.users++;
      summary.notes += body.notes.length;
    }
    console.log(`exported ${summary.notes} notes of ${summary.users} users under ${date}`);
    return summary;
  };
}
