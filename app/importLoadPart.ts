// The import workflow's load step, once per part and several at once: the part's byte range
// streamed through csv-parse, its good rows stored 25 at a time with the app's backoff, and its
// result (rows as JSON, refused rows by line) written to the run's folder for the report.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { Readable } from "node:stream";
import { BATCH_SIZE, putAll } from "./batchWrite";
import { partResultKey } from "./bucketLayout";
import { requiredEnv } from "./env";
import { sameVersion } from "./importRun";
import type { LoadPartInput, PartResult } from "./importRun";
import { UNPROCESSED_ITEMS_ERROR } from "./importWorkflowDefinition";
import type { RejectedRow } from "./notesCsv";
import { readNotesCsvRows } from "./notesCsvStream";
import { writeObject } from "./objectWriter";

export function loadImportPart(): (input: LoadPartInput) => Promise<PartResult> {
  const s3 = new S3Client({});
  const dynamo = new DynamoDBClient({});
  const table = requiredEnv("TABLE_NAME");

  async function store(items: Record<string, AttributeValue>[]): Promise<void> {
    try {
      await putAll(dynamo, table, items);
    } catch (error) {
      if (/unprocessed/.test(String((error as Error).message))) {
        // DynamoDB still handed items back after the app's retries: the workflow retries the
        // part (Lambda reports the error's name as its type).
        throw Object.assign(new Error((error as Error).message), { name: UNPROCESSED_ITEMS_ERROR });
      }
      throw error;
    }
  }

  return async ({ object, part }) => {
    const out = await s3.send(
      new GetObjectCommand({
        ...sameVersion(object),
        Range: `bytes=${part.start}-${part.end - 1}`,
      }),
    );
    if (!out.Body) throw new Error(`s3://${object.bucket}/${object.key} has no body`);
    // Every attribute comes from the file's version, so writing a row again changes nothing.
    const stamp = { CreatedAt: object.lastModified, UpdatedAt: object.lastModified, Version: 1 };
    const refused: RejectedRow[] = [];
    let stored = 0;
    const resultKey = partResultKey(object.key, object.etag, part.index);
    // The part's result, `{"part", "notes", "refused"}`, is written as its rows are read: the
    // converted rows go straight into the object (bounded memory: objectWriter.ts), never held
    // in a list, and the refused rows, as few as the file's mistakes, follow them.
    await writeObject(
      s3,
      { Bucket: object.bucket, Key: resultKey, ContentType: "application/json" },
      async (write) => {
        await write(`{"part":${JSON.stringify(part)},"notes":[`);
        let batch: Record<string, AttributeValue>[] = [];
        for await (const row of readNotesCsvRows(out.Body as Readable, {
          source: object.key,
          firstLine: part.firstLine,
        })) {
          if ("rejected" in row) {
            refused.push(row.rejected);
            continue;
          }
          await write(`${stored > 0 ? "," : ""}${JSON.stringify(row.note)}`);
          stored++;
          batch.push(marshall({ ...row.note, ...stamp }));
          if (batch.length === BATCH_SIZE) {
            await store(batch);
            batch = [];
          }
        }
        await store(batch);
        await write(`],"refused":${JSON.stringify(refused)}}\n`);
      },
    );
    const counts = { read: stored + refused.length, stored, refused: refused.length };
    console.log(
      `s3://${object.bucket}/${object.key} part ${part.index}: ${JSON.stringify(counts)}`,
    );
    return { index: part.index, firstLine: part.firstLine, ...counts, resultKey };
  };
}
