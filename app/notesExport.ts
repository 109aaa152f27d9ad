// One user's notes as the export's JSON, built a Query page at a time so that memory holds about
// one page (DynamoDB returns at most 1 MB per page) whatever the user has; and the export route,
// which answers that JSON itself while it is small and otherwise writes it to the notes bucket
// and answers with a short-lived presigned URL of it.
//
// Small or large, the bytes are the same: `{"userId":"…","notes":[…]}`, every note as
// `GET /users/{userId}/notes/{noteId}` shows it, in NoteId order, exactly what
// `JSON.stringify({ userId, notes })` makes of them.
import { DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { marshall } from "@aws-sdk/util-dynamodb";
import { onDemandExportKey } from "./bucketLayout";
import { ownerEndpoint } from "./caller";
import { requiredEnv } from "./env";
import { json, jsonText } from "./http";
import type { Handler } from "./http";
import { toNote } from "./notes";
import type { Note } from "./notes";
import { writeObject } from "./objectWriter";
import { presignedGet } from "./presignedGet";

/** The export of one user, as the route answers it inline and as every export object holds it. */
export interface NotesExport {
  userId: string;
  /** Every note of the user, in NoteId order. */
  notes: Note[];
}

/** What the route answers instead when the export is too large to answer. */
export interface NotesExportLink {
  userId: string;
  /** A presigned GET of the export in the notes bucket: the same JSON an inline answer holds. */
  url: string;
  /** ISO 8601: when `url` stops working. */
  expiresAt: string;
  /** The export's size. */
  bytes: number;
  noteCount: number;
}

/**
 * The largest inline answer, counted as the body travels in Lambda's response, where it is one
 * JSON string (its quotes and backslashes escaped once more). Lambda's response limit is
 * 6,291,556 bytes in all (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html);
 * this leaves a megabyte for the status, headers and envelope.
 */
export const INLINE_EXPORT_BYTES = 5 * 1024 * 1024;

/**
 * How long a presigned export URL works: long enough for the client that asked to start the
 * download at once (or a person to paste it into curl), short enough that a URL which leaks into
 * a log, a browser history or a chat is useless minutes later. Anyone holding it reads the export.
 */
export const EXPORT_URL_SECONDS = 300;

/** A piece of the export's JSON and how many notes it holds. */
export interface ExportChunk {
  text: string;
  notes: number;
}

/** The export of `userId` as JSON text: the opening, one chunk per Query page, the closing. */
export async function* exportChunks(
  client: DynamoDBClient,
  table: string,
  userId: string,
): AsyncGenerator<ExportChunk> {
  yield { text: `{"userId":${JSON.stringify(userId)},"notes":[`, notes: 0 };
  let first = true;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "UserId = :userId",
        ExpressionAttributeValues: marshall({ ":userId": userId }),
        ExclusiveStartKey: startKey,
      }),
    );
    const items = page.Items ?? [];
    if (items.length > 0) {
      const text = items.map((item) => JSON.stringify(toNote(item))).join(",");
      yield { text: first ? text : `,${text}`, notes: items.length };
      first = false;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  yield { text: "]}", notes: 0 };
}

/** Bytes `text` adds to Lambda's response as part of a JSON string body. */
function responseBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text)) - 2;
}

/** The export's first chunks, up to `limit` response bytes or to its end if that comes first. */
async function inlineHead(
  chunks: AsyncIterator<ExportChunk>,
  limit: number,
): Promise<{ texts: string[]; notes: number; complete: boolean }> {
  const texts: string[] = [];
  let notes = 0;
  let size = 0;
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    texts.push(next.value.text);
    notes += next.value.notes;
    size += responseBytes(next.value.text);
    if (size > limit) return { texts, notes, complete: false };
  }
  return { texts, notes, complete: true };
}

/**
 * `GET /users/{userId}/notes/export`. `inlineLimitBytes`: the largest inline answer (tests make
 * it small). Answers 200 with the export itself, or, when it is larger than that, 200 with a
 * `NotesExportLink` to `exports/on-demand/<userId>/…` in the notes bucket.
 */
export function exportNotes(inlineLimitBytes: number = INLINE_EXPORT_BYTES): Handler {
  const dynamo = new DynamoDBClient({});
  const s3 = new S3Client({});
  const table = requiredEnv("TABLE_NAME");
  const bucket = requiredEnv("BUCKET_NAME");
  return ownerEndpoint("GET", async (_event, userId, context) => {
    const chunks = exportChunks(dynamo, table, userId);
    const head = await inlineHead(chunks, inlineLimitBytes);
    if (head.complete) return jsonText(200, head.texts.join(""));

    // Too large to answer: the whole export into the bucket, a part at a time, then a link.
    const target = {
      Bucket: bucket,
      Key: onDemandExportKey(userId, new Date(), context.awsRequestId),
      ContentType: "application/json",
      ContentDisposition: `attachment; filename="notes-${userId}.json"`,
    };
    let noteCount = head.notes;
    const written = await writeObject(s3, target, async (write) => {
      for (const text of head.texts.splice(0)) await write(text);
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
        await write(next.value.text);
        noteCount += next.value.notes;
      }
    });
    const { url, expiresAt } = await presignedGet(s3, target, EXPORT_URL_SECONDS);
    console.log(
      `export of ${userId}: ${noteCount} notes, ${written.bytes} bytes to s3://${bucket}/${target.Key}`,
    );
    const link: NotesExportLink = { userId, url, expiresAt, bytes: written.bytes, noteCount };
    // The URL is a credential for its minutes: no cache may keep the answer.
    return json(200, link, { "Cache-Control": "no-store" });
  });
}
