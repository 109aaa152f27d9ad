// The export workflow's working step: one slice of one segment of the Notes table's parallel
// Scan. It reads the segment's keys a page at a time (DynamoDB's parallel Scan, `Segment` of
// `TotalSegments`), and for each user it meets writes `exports/scheduled/<date>/users/<userId>.json`
// from a Query of that user's notes, streamed to S3 (app/notesExport.ts, app/objectWriter.ts), so
// memory holds about one Query page and one upload part whatever a user has.
//
// A slice stops starting users once 60% of its time is gone and hands back where it stands (the
// last key it finished and the last user it wrote); the workflow runs the next slice from there,
// so no segment is too large for one function's timeout. The reserve is for the user in progress:
// one user's export must fit in one run of the function (see the README's limits).
//
// A user's rows come together in a Scan: DynamoDB stores the items of one partition key side by
// side, "in sorted order by sort key" (DynamoDB API reference, Query, ScanIndexForward), and a Scan
// reads the table in that stored order, so a user is recognised by a change of UserId from the
// row before. Were a user's rows ever apart, that user would be written twice to the same key with
// the same notes (and counted twice): nothing is lost or corrupted.
//
// Scan is allowed here: this is no request path (the SPEC's "never Scan" is about the API), and
// it projects the keys only.
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import type { Context } from "aws-lambda";
import { scheduledExportKey } from "./bucketLayout";
import { requiredEnv } from "./env";
import type { SegmentProgress } from "./exportRun";
import { exportChunks } from "./notesExport";
import { writeObject } from "./objectWriter";

/** The share of a slice's time after which it starts no other user. */
const WORKING_SHARE = 0.6;

type Key = Record<string, AttributeValue>;

function checkProgress(input: SegmentProgress): void {
  const { segment, segments } = input;
  if (!Number.isInteger(segments) || segments < 1 || !Number.isInteger(segment)) {
    throw new Error(`segment ${segment} of ${segments} is not a segment of a parallel Scan`);
  }
  if (segment < 0 || segment >= segments) {
    throw new Error(`segment ${segment} is not from 0 to ${segments - 1}`);
  }
}

export function exportSlice(): (
  input: SegmentProgress,
  context: Pick<Context, "getRemainingTimeInMillis">,
) => Promise<SegmentProgress> {
  const dynamo = new DynamoDBClient({});
  const s3 = new S3Client({});
  const table = requiredEnv("TABLE_NAME");
  const bucket = requiredEnv("BUCKET_NAME");

  /** One user's notes into the day's folder (a date that names none fails before any write). */
  async function exportUser(date: string, userId: string): Promise<number> {
    let notes = 0;
    await writeObject(
      s3,
      { Bucket: bucket, Key: scheduledExportKey(date, userId), ContentType: "application/json" },
      async (write) => {
        for await (const chunk of exportChunks(dynamo, table, userId)) {
          await write(chunk.text);
          notes += chunk.notes;
        }
      },
    );
    return notes;
  }

  return async (input, context) => {
    checkProgress(input);
    const reserve = context.getRemainingTimeInMillis() * (1 - WORKING_SHARE);
    const progress: SegmentProgress = { ...input, slices: input.slices + 1 };
    let startKey: Key | undefined = input.startKey;
    let startedHere = 0;
    do {
      const page = await dynamo.send(
        new ScanCommand({
          TableName: table,
          Segment: input.segment,
          TotalSegments: input.segments,
          ProjectionExpression: "UserId, NoteId",
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const userId = item.UserId?.S;
        if (userId !== undefined && userId !== progress.lastUser) {
          // Every slice exports at least one user, so the segment always moves on.
          if (startedHere > 0 && context.getRemainingTimeInMillis() < reserve) {
            return progress;
          }
          const notes = await exportUser(input.date, userId);
          startedHere++;
          progress.users++;
          progress.notes += notes;
          progress.lastUser = userId;
        }
        // This row is finished: the next slice starts after it.
        progress.startKey = { UserId: item.UserId, NoteId: item.NoteId };
      }
      startKey = page.LastEvaluatedKey;
      if (startKey) progress.startKey = startKey;
    } while (startKey);

    delete progress.startKey;
    progress.done = true;
    console.log(
      `export ${input.date} segment ${input.segment}/${input.segments}: ${progress.users} users, ` +
        `${progress.notes} notes in ${progress.slices} slices`,
    );
    return progress;
  };
}
