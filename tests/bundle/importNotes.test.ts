// The CSV import as deployed: the import function's recorded archive (the serialised handler
// plus csv-parse's one file) run as the Lambda runtime runs it, against an S3 emulator holding
// the notes bucket and the DynamoDB emulator holding the recorded tables, invoked with the
// notification S3 sends for an upload.
import assert from "node:assert/strict";
import { DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { derivedNoteId } from "../../app/ids";
import type { ImportSummary } from "../../app/importNotes";
import type { CsvNote, RejectedRow } from "../../app/notesCsv";
import { startDynamoEmulator } from "../../local/dynamodb";
import type { DynamoEmulator } from "../../local/dynamodb";
import { assetMap } from "../../local/lambdaArchive";
import { STACKS, stackGraph } from "../harness/graph";
import type { StackGraph } from "../harness/graph";
import { objectCreatedEvent } from "../support/awsEvents";
import { createDeclaredTables, functionOf, resultOf, startBundled } from "../support/bundled";
import type { Bundled } from "../support/bundled";
import { S3RVER_CREDENTIALS, getObject, startTestS3 } from "../support/s3";
import type { TestS3 } from "../support/s3";
import { tableContents } from "../support/tables";
import type { Item } from "../support/tables";
import { startThrottledDynamo } from "../support/throttledDynamo";
import type { HandBack, ThrottledDynamo } from "../support/throttledDynamo";

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const USERS = ["ada", "grace", "linus"];
const METADATA = { course: "developing-on-aws", "uploaded-by": "ada lovelace" };

/** A CSV field, quoted (and its quotes doubled) when it needs to be. */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

interface NotesFile {
  key: string;
  bytes: Buffer;
  /** The good rows in file order, as `<name>.json` must list them. */
  notes: CsvNote[];
  /** The bad rows: line where each record starts, and why. */
  rejected: Pick<RejectedRow, "line" | "code">[];
}

/**
 * A CSV as a spreadsheet exports it: BOM, CRLF, quoted commas, doubled quotes and line breaks
 * inside quotes, a blank line, rows without a NoteId, and `bad` rows spread among `good` ones.
 */
function notesFile(key: string, users: string[], good: number, withBadRows: boolean): NotesFile {
  const lines: string[] = ["UserId,NoteId,Note"];
  const notes: CsvNote[] = [];
  const rejected: NotesFile["rejected"] = [];
  let line = 2;
  const add = (fields: string[]) => {
    const record = fields.map(field).join(",");
    lines.push(record);
    const start = line;
    line += 1 + (record.match(/\r\n/g)?.length ?? 0);
    return start;
  };
  const bad: [string[], string][] = [
    [["bad user", "x1", "a user id with a space"], "InvalidUserId"],
    [["", "x2", "no user at all"], "MissingUserId"],
    [["ada", "x3", ""], "MissingNote"],
    [["grace", "x4", "y".repeat(10_001)], "NoteTooLong"],
  ];
  for (let i = 0; i < good; i++) {
    const userId = users[i % users.length];
    const text = [
      `Buy milk, eggs, and bread (${i})`,
      `First line\r\nsecond line, with a comma\r\nthird (${i})`,
      `She said "hello" to "world" (${i})`,
      `노트 ${i} — ünïcödé, "quoted"`,
      `plain note ${i}`,
    ][i % 5];
    const givenId = i % 5 < 3 ? `note-${i}` : "";
    const start = add([userId, givenId, text]);
    notes.push({
      UserId: userId,
      NoteId: givenId || derivedNoteId(key, start, [userId, text]),
      Note: text,
    });
    if (i === 7) {
      lines.push("");
      line++;
    }
    if (withBadRows && i % 15 === 1) {
      const [fields, code] = bad[(i - 1) / 15];
      rejected.push({ line: add(fields), code });
    }
  }
  const text = `\ufeff${lines.join("\r\n")}\r\n`;
  return { key, bytes: Buffer.from(text, "utf8"), notes, rejected };
}

for (const stack of STACKS) {
  describe(`the bundled CSV import runs (${stack})`, function () {
    this.timeout(120_000);
    let graph: StackGraph;
    let dynamo: DynamoEmulator;
    let client: DynamoDBClient;
    let s3: TestS3;
    let bucket: string;
    let notesTable: string;
    let aws: Record<string, string>;
    const started: Bundled[] = [];

    before(async function () {
      graph = await stackGraph(stack);
      bucket = String(graph.outputs.notesBucketName);
      notesTable = String(graph.outputs.notesTableName);
      const region = graph.config("aws:region");
      dynamo = await startDynamoEmulator();
      s3 = await startTestS3([bucket], region);
      aws = {
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_REGION: region,
        AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      };
      client = new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region,
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
      });
      await createDeclaredTables(client, graph);
    });

    after(async () => {
      await Promise.all(started.map((b) => b.close()));
      client?.destroy();
      await s3?.close();
      await dynamo?.close();
    });

    /** The import function as recorded, its DynamoDB calls going to `dynamodbEndpoint`. */
    function importer(dynamodbEndpoint = dynamo.endpoint): Bundled {
      const bundled = startBundled(functionOf(graph, "importNotes"), {
        ...aws,
        AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      });
      started.push(bundled);
      return bundled;
    }

    async function upload(file: NotesFile): Promise<void> {
      await s3.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: file.key,
          Body: file.bytes,
          ContentType: "text/csv",
          Metadata: METADATA,
        }),
      );
    }

    /** Uploads the file and runs the function on S3's notification of it. */
    async function uploadAndImport(fn: Bundled, file: NotesFile): Promise<ImportSummary[]> {
      await upload(file);
      const event = objectCreatedEvent(bucket, file.key, file.bytes.length);
      return resultOf(await fn.fn.invoke(event), file.key) as ImportSummary[];
    }

    const notesOf = (items: Item[], users: string[]) =>
      items.map((i) => unmarshall(i)).filter((n) => users.includes(n.UserId));

    it("ships the serialised handler with csv-parse's CommonJS build and package.json only", () => {
      const assets = assetMap(functionOf(graph, "importNotes").inputs.code);
      assert.deepEqual(Object.keys(assets).sort(), [
        "__index.js",
        "node_modules/csv-parse/dist/cjs/sync.cjs",
        "node_modules/csv-parse/package.json",
      ]);
      const index = (assets["__index.js"] as { $asset: { text: string } }).$asset.text;
      // The serialiser maps the file back through csv-parse's `exports`, to its public subpath.
      assert.match(index, /require\("csv-parse\/sync"\)/);
    });

    describe("notes.csv uploaded under imports/", () => {
      const file = notesFile("imports/notes.csv", USERS, 60, true);
      let counting: ThrottledDynamo;
      let fn: Bundled;
      let first: ImportSummary[];
      let batches: number[];
      let stored: Item[];

      before(async () => {
        assert.equal(file.notes.length, 60);
        assert.equal(file.rejected.length, 4);
        // A front that throttles nothing, to count the batches.
        counting = await startThrottledDynamo(dynamo.endpoint, () => 0);
        fn = importer(counting.endpoint);
        first = await uploadAndImport(fn, file);
        batches = [...counting.batches];
        stored = await tableContents(client, notesTable);
      });

      after(async () => {
        await counting?.close();
      });

      it("stores the 60 good rows in three batches at version 1, and reports the four bad ones", () => {
        assert.deepEqual(first, [
          { bucket, key: file.key, stored: 60, rejected: 4, alreadyImported: false },
        ]);
        assert.deepEqual(batches, [25, 25, 10]);
        const notes = notesOf(stored, USERS);
        assert.equal(notes.length, 60);
        const byKey = new Map(notes.map((n) => [`${n.UserId}/${n.NoteId}`, n]));
        for (const expected of file.notes) {
          const note = byKey.get(`${expected.UserId}/${expected.NoteId}`);
          assert.ok(note, `${expected.UserId}/${expected.NoteId} is stored`);
          assert.equal(note.Note, expected.Note);
          assert.equal(note.Version, 1);
          assert.match(note.CreatedAt, ISO_8601);
          assert.equal(note.UpdatedAt, note.CreatedAt);
          assert.deepEqual(Object.keys(note).sort(), [
            "CreatedAt",
            "Note",
            "NoteId",
            "UpdatedAt",
            "UserId",
            "Version",
          ]);
        }
        assert.ok(!notes.some((n) => n.Note.includes("\ufeff")), "no BOM in any field");
      });

      it("writes notes.json beside the CSV: the good rows, as JSON, with the CSV's metadata", async () => {
        const converted = await getObject(s3.client, bucket, "imports/notes.json");
        assert.ok(converted, "imports/notes.json exists");
        assert.equal(converted.contentType, "application/json");
        assert.deepEqual(converted.metadata, METADATA);
        assert.deepEqual(JSON.parse(converted.body), file.notes);
      });

      it("lists the four bad rows in notes.errors.json by the line their record starts on", async () => {
        const errors = await getObject(s3.client, bucket, "imports/notes.errors.json");
        assert.ok(errors, "imports/notes.errors.json exists");
        assert.equal(errors.contentType, "application/json");
        const rows = JSON.parse(errors.body) as RejectedRow[];
        assert.deepEqual(
          rows.map(({ line, code }) => ({ line, code })),
          file.rejected,
        );
        for (const row of rows) assert.equal(typeof row.message, "string");
      });

      it("leaves the table and the results exactly as they were when the same file comes again", async () => {
        const results = await Promise.all(
          ["imports/notes.json", "imports/notes.errors.json"].map((k) =>
            getObject(s3.client, bucket, k),
          ),
        );
        const again = await uploadAndImport(fn, file);
        assert.deepEqual(again, [
          { bucket, key: file.key, stored: 0, rejected: 4, alreadyImported: true },
        ]);
        assert.deepEqual(counting.batches, batches, "no write reached DynamoDB");
        assert.deepEqual(await tableContents(client, notesTable), stored);
        assert.deepEqual(
          await Promise.all(
            ["imports/notes.json", "imports/notes.errors.json"].map((k) =>
              getObject(s3.client, bucket, k),
            ),
          ),
          results,
        );
      });

      it("keeps a note edited since when the same file comes again, even in a new container", async () => {
        const { UserId, NoteId } = file.notes[0];
        await client.send(
          new UpdateItemCommand({
            TableName: notesTable,
            Key: { UserId: { S: UserId }, NoteId: { S: NoteId } },
            UpdateExpression: "SET Note = :note, Version = :version",
            ExpressionAttributeValues: { ":note": { S: "edited" }, ":version": { N: "2" } },
          }),
        );
        const edited = await tableContents(client, notesTable);
        const again = await uploadAndImport(importer(), file);
        assert.equal(again[0].alreadyImported, true);
        assert.deepEqual(await tableContents(client, notesTable), edited);
      });
    });

    it("retries the items DynamoDB leaves unprocessed, with backoff, until all are stored", async () => {
      const handBack: HandBack = (call, size) => (call <= 3 ? Math.ceil(size / 2) : 0);
      const throttled = await startThrottledDynamo(dynamo.endpoint, handBack);
      try {
        const file = notesFile("imports/week 2/throttled notes.csv", ["tess", "theo"], 30, false);
        const [summary] = await uploadAndImport(importer(throttled.endpoint), file);
        assert.equal(summary.key, "imports/week 2/throttled notes.csv");
        assert.equal(summary.stored, 30);
        // 25 → 12 stored, 13 back; 13 → 6, 7 back; 7 → 3, 4 back; 4 → all; then the last 5.
        assert.deepEqual(throttled.batches, [25, 13, 7, 4, 5]);
        assert.equal(notesOf(await tableContents(client, notesTable), ["tess", "theo"]).length, 30);
        const converted = await getObject(s3.client, bucket, "imports/week 2/throttled notes.json");
        assert.deepEqual(JSON.parse(String(converted?.body)), file.notes);
      } finally {
        await throttled.close();
      }
    });

    it("fails the invocation, and marks nothing imported, when items stay unprocessed", async () => {
      const throttled = await startThrottledDynamo(dynamo.endpoint, (_, size) => size);
      try {
        const file = notesFile("imports/never.csv", ["nemo"], 3, false);
        await upload(file);
        const outcome = await importer(throttled.endpoint).fn.invoke(
          objectCreatedEvent(bucket, file.key, file.bytes.length),
        );
        assert.ok("error" in outcome, JSON.stringify(outcome));
        assert.match(outcome.error.errorMessage, /3 of items 1-3 unprocessed after 8 attempts/);
        assert.equal(throttled.batches.length, 8);
        assert.equal(await getObject(s3.client, bucket, "imports/never.json"), undefined);
        assert.deepEqual(notesOf(await tableContents(client, notesTable), ["nemo"]), []);
      } finally {
        await throttled.close();
      }
    });
  });
}
