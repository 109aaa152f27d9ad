// The CSV import (the course's CSV lab, event-driven): S3 runs it for each `.csv` created under
// `imports/`. It reads the file, converts it in memory to JSON, stores the good rows in the Notes
// table and writes, beside the CSV, the rows it rejected (`<name>.errors.json`) and then the
// conversion (`<name>.json`, with the CSV's metadata). The conversion is written last, so it also
// marks a finished import: a file whose conversion is already there, identical, changes nothing.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { S3Event, S3EventRecord } from "aws-lambda";
import { putAll } from "./batchWrite";
import { IMPORTS_PREFIX, convertedKey, errorsKey, isCsvUpload } from "./bucketLayout";
import { requiredEnv } from "./env";
import { readNotesCsv } from "./notesCsv";
import type { RejectedRow } from "./notesCsv";

/** Larger files are refused rather than read into the function's memory. */
export const MAX_CSV_BYTES = 5 * 1024 * 1024;

const JSON_CONTENT_TYPE = "application/json";

/** What one object's import did; also logged. */
export interface ImportSummary {
  bucket: string;
  key: string;
  /** Notes written to the table (0 when the file had been imported already). */
  stored: number;
  rejected: number;
  /** True when `<name>.json` already held this file's conversion: nothing was written. */
  alreadyImported: boolean;
}

/** S3 notifications carry the key URL-encoded, with `+` for a space. */
export function objectKey(record: S3EventRecord): string {
  return decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
}

function asJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function importNotes(): (event: S3Event) => Promise<ImportSummary[]> {
  const s3 = new S3Client({});
  const dynamo = new DynamoDBClient({});
  const table = requiredEnv("TABLE_NAME");

  async function putJson(
    bucket: string,
    key: string,
    body: string,
    metadata?: Record<string, string>,
  ): Promise<void> {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: JSON_CONTENT_TYPE,
        Metadata: metadata,
      }),
    );
  }

  /** The text of an object, or undefined when there is no such object. */
  async function existing(bucket: string, key: string): Promise<string | undefined> {
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await out.Body?.transformToString("utf-8");
    } catch (error) {
      // Without s3:ListBucket, S3 answers a missing key with 403 instead of 404. The CSV beside
      // it was just read under the same grant, so here both mean "not there".
      const name = (error as { name?: unknown }).name;
      if (name === "NoSuchKey" || name === "AccessDenied") return undefined;
      throw error;
    }
  }

  async function importObject(bucket: string, key: string, size: number): Promise<ImportSummary> {
    const summary = { bucket, key, stored: 0, alreadyImported: false };
    if (size > MAX_CSV_BYTES) {
      const message = `the file has ${size} bytes, more than ${MAX_CSV_BYTES}: nothing was imported`;
      const rejected: RejectedRow[] = [{ line: 1, code: "FileTooLarge", message }];
      await putJson(bucket, errorsKey(key), asJson(rejected));
      console.warn(`s3://${bucket}/${key}: ${message}`);
      return { ...summary, rejected: rejected.length };
    }

    const source = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!source.Body) throw new Error(`s3://${bucket}/${key} has no body`);
    const csv = readNotesCsv(Buffer.from(await source.Body.transformToByteArray()), key);
    const converted = asJson(csv.notes);
    if ((await existing(bucket, convertedKey(key))) === converted) {
      console.log(`s3://${bucket}/${key} is already imported: nothing changed`);
      return { ...summary, rejected: csv.rejected.length, alreadyImported: true };
    }

    const now = new Date().toISOString();
    const items = csv.notes.map((note) =>
      marshall({ ...note, CreatedAt: now, UpdatedAt: now, Version: 1 }),
    );
    await putAll(dynamo, table, items);
    await putJson(bucket, errorsKey(key), asJson(csv.rejected));
    // Last, so that its presence means every good row is stored.
    await putJson(bucket, convertedKey(key), converted, source.Metadata);
    console.log(
      `s3://${bucket}/${key}: ${items.length} notes stored, ${csv.rejected.length} rows ` +
        `rejected (${errorsKey(key)})`,
    );
    return { ...summary, stored: items.length, rejected: csv.rejected.length };
  }

  return async (event) => {
    const summaries: ImportSummary[] = [];
    for (const record of event.Records) {
      const bucket = record.s3.bucket.name;
      const key = objectKey(record);
      // Only CSV uploads: the function's own `.json` results must never start another import.
      if (!isCsvUpload(key)) {
        console.warn(`s3://${bucket}/${key} is not a CSV under ${IMPORTS_PREFIX}: ignored`);
        continue;
      }
      summaries.push(await importObject(bucket, key, record.s3.object.size));
    }
    return summaries;
  };
}
