// The notes routes. Each export is a handler factory: Lambda runs it once per container, so the
// DynamoDB client and the table name are set up once and shared by every request.
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { requiredEnv } from "./env";
import { ownerEndpoint } from "./caller";
import { clientError, json, noContent, parseJsonBody } from "./http";
import type { ClientError, Handler } from "./http";
import { isValidId, isValidNoteId, newNoteId } from "./ids";

/** The longest note, in characters (code points): the same limit for every way a note gets in. */
export const MAX_NOTE_CHARS = 10_000;
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
const PAGE_SIZE_PATTERN = /^[1-9][0-9]{0,2}$/;
const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,512}$/;

/** A note as the API shows it. */
export interface Note {
  userId: string;
  noteId: string;
  note: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** One page of `GET /users/{userId}/notes`. */
export interface NotesPage {
  notes: Note[];
  /** Pass as `?cursor=` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** A stored item as the API shows it. */
export function toNote(item: Record<string, AttributeValue>): Note {
  const stored = unmarshall(item);
  return {
    userId: stored.UserId,
    noteId: stored.NoteId,
    note: stored.Note,
    createdAt: stored.CreatedAt,
    updatedAt: stored.UpdatedAt,
    version: stored.Version,
  };
}

/** A note's length as the limit counts it: characters (code points), not UTF-16 units. */
export function noteLength(note: string): number {
  return Array.from(note).length;
}

function noteKey(userId: string, noteId: string): Record<string, AttributeValue> {
  return marshall({ UserId: userId, NoteId: noteId });
}

function pathNoteId(event: APIGatewayProxyEvent): string {
  const value = event.pathParameters?.noteId;
  if (!isValidNoteId(value)) {
    throw clientError(
      400,
      "InvalidNoteId",
      'noteId must be 1 to 64 letters, digits, "_" or "-", and not "export"',
    );
  }
  return value;
}

function noteText(body: Record<string, unknown>): string {
  const note = body.note;
  if (note === undefined) throw clientError(400, "MissingField", 'Field "note" is required');
  if (typeof note !== "string") {
    throw clientError(400, "InvalidField", 'Field "note" must be a string');
  }
  if (note.trim() === "") throw clientError(400, "InvalidField", 'Field "note" must not be empty');
  // A JSON escape such as "\ud800" is valid JSON but no character: DynamoDB would store U+FFFD.
  if (/\p{Cs}/u.test(note)) {
    throw clientError(400, "InvalidField", 'Field "note" must be valid Unicode text');
  }
  if (noteLength(note) > MAX_NOTE_CHARS) {
    throw clientError(400, "NoteTooLong", `A note must be at most ${MAX_NOTE_CHARS} characters`);
  }
  return note;
}

function expectedVersion(body: Record<string, unknown>): number {
  const version = body.version;
  if (version === undefined) {
    throw clientError(400, "MissingField", 'Field "version" is required');
  }
  if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 1) {
    throw clientError(400, "InvalidField", 'Field "version" must be a positive integer');
  }
  return version;
}

function pageSize(limit: string | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  const size = PAGE_SIZE_PATTERN.test(limit) ? Number(limit) : 0;
  if (size < 1 || size > MAX_PAGE_SIZE) {
    throw clientError(400, "InvalidLimit", `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return size;
}

/** The opaque cursor: base64url of the last key of a page. */
function encodeCursor(key: Record<string, AttributeValue>): string {
  const { UserId, NoteId } = unmarshall(key);
  return Buffer.from(JSON.stringify({ UserId, NoteId })).toString("base64url");
}

function decodeCursor(cursor: string): { UserId?: unknown; NoteId?: unknown } {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    return typeof key === "object" && key !== null ? key : {};
  } catch {
    return {};
  }
}

/** The key to start after, decoded from `cursor`; only the user's own cursors are accepted. */
function cursorKey(
  cursor: string | undefined,
  userId: string,
): Record<string, AttributeValue> | undefined {
  if (cursor === undefined) return undefined;
  const { UserId, NoteId } = CURSOR_PATTERN.test(cursor) ? decodeCursor(cursor) : {};
  if (UserId !== userId || !isValidId(NoteId)) {
    throw clientError(400, "InvalidCursor", "cursor is not a cursor from this user's notes");
  }
  return noteKey(userId, NoteId);
}

function notFound(noteId: string): ClientError {
  return clientError(404, "NotFound", `Note ${noteId} does not exist`);
}

export function listNotes(): Handler {
  const client = new DynamoDBClient({});
  const table = requiredEnv("TABLE_NAME");
  return ownerEndpoint("GET", async (event, userId) => {
    const limit = pageSize(event.queryStringParameters?.limit);
    const startKey = cursorKey(event.queryStringParameters?.cursor, userId);
    // One item more than the page tells whether another page exists, so the last page ends
    // with a null cursor instead of pointing at an empty page.
    const out = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "UserId = :userId",
        ExpressionAttributeValues: marshall({ ":userId": userId }),
        ScanIndexForward: false,
        Limit: limit + 1,
        ExclusiveStartKey: startKey,
      }),
    );
    const items = out.Items ?? [];
    const page = items.slice(0, limit);
    // A page cut short by DynamoDB's 1 MB limit still ends with LastEvaluatedKey.
    const lastKey = items.length > limit ? page[page.length - 1] : out.LastEvaluatedKey;
    const body: NotesPage = {
      notes: page.map(toNote),
      nextCursor: lastKey ? encodeCursor(lastKey) : null,
    };
    return json(200, body);
  });
}

export function createNote(): Handler {
  const client = new DynamoDBClient({});
  const table = requiredEnv("TABLE_NAME");
  // Handed to the next id so notes created within one millisecond still sort in order.
  let lastNoteId: string | undefined;
  return ownerEndpoint("POST", async (event, userId) => {
    const note = noteText(parseJsonBody(event));
    const noteId = (lastNoteId = newNoteId(lastNoteId));
    const now = new Date().toISOString();
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: marshall({
          UserId: userId,
          NoteId: noteId,
          Note: note,
          CreatedAt: now,
          UpdatedAt: now,
          Version: 1,
        }),
        ConditionExpression: "attribute_not_exists(NoteId)",
      }),
    );
    const created: Note = { userId, noteId, note, createdAt: now, updatedAt: now, version: 1 };
    return json(201, created);
  });
}

export function getNote(): Handler {
  const client = new DynamoDBClient({});
  const table = requiredEnv("TABLE_NAME");
  return ownerEndpoint("GET", async (event, userId) => {
    const noteId = pathNoteId(event);
    const out = await client.send(
      new GetItemCommand({ TableName: table, Key: noteKey(userId, noteId) }),
    );
    if (!out.Item) throw notFound(noteId);
    return json(200, toNote(out.Item));
  });
}

export function updateNote(): Handler {
  const client = new DynamoDBClient({});
  const table = requiredEnv("TABLE_NAME");
  return ownerEndpoint("PUT", async (event, userId) => {
    const noteId = pathNoteId(event);
    const body = parseJsonBody(event);
    const note = noteText(body);
    const version = expectedVersion(body);
    try {
      const out = await client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: noteKey(userId, noteId),
          UpdateExpression: "SET #note = :note, #updatedAt = :now, #version = :next",
          ConditionExpression: "attribute_exists(#noteId) AND #version = :expected",
          ExpressionAttributeNames: {
            "#note": "Note",
            "#updatedAt": "UpdatedAt",
            "#version": "Version",
            "#noteId": "NoteId",
          },
          ExpressionAttributeValues: {
            ...marshall({ ":note": note, ":now": new Date().toISOString(), ":expected": version }),
            // Written as text: the successor of Number.MAX_SAFE_INTEGER is no longer exact as a
            // number and marshalling it throws, yet such a version is only ever stale (409).
            ":next": { N: (BigInt(version) + BigInt(1)).toString() },
          },
          ReturnValues: "ALL_NEW",
          // The failed check returns the item as it is: present means a stale version (409),
          // absent means no such note (404), with no read permission needed to tell them apart.
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      if (!out.Attributes) throw new Error("UpdateItem returned no attributes");
      return json(200, toNote(out.Attributes));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (!error.Item) throw notFound(noteId);
      const current = toNote(error.Item).version;
      throw clientError(
        409,
        "VersionConflict",
        `Note ${noteId} is at version ${current}, not ${version}; reload it and retry`,
      );
    }
  });
}

export function deleteNote(): Handler {
  const client = new DynamoDBClient({});
  const table = requiredEnv("TABLE_NAME");
  return ownerEndpoint("DELETE", async (event, userId) => {
    const noteId = pathNoteId(event);
    // Deleting a note that is already gone succeeds: DELETE is idempotent.
    await client.send(new DeleteItemCommand({ TableName: table, Key: noteKey(userId, noteId) }));
    return noContent();
  });
}
