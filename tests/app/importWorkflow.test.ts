// The import workflow run end to end by a States Language interpreter (aws-local-stepfunctions):
// the definition the program's builder makes, its Task states calling the real step handlers
// against an S3 emulator (s3rver) holding the notes bucket and a DynamoDB emulator (dynalite)
// holding the Notes table. Parts are made tiny so that every file is split into several.
import assert from "node:assert/strict";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { partResultKey, reportKey } from "../../app/bucketLayout";
import { checkImport } from "../../app/importCheck";
import { loadImportPart } from "../../app/importLoadPart";
import { reportImport } from "../../app/importReport";
import type { ImportReport } from "../../app/importReport";
import { bareEtag } from "../../app/importRun";
import type { ImportEvent, ReportSummary } from "../../app/importRun";
import { splitImport } from "../../app/importSplit";
import { STATES, importWorkflowDefinition } from "../../app/importWorkflowDefinition";
import { readNotesCsv } from "../../app/notesCsv";
import type { CsvNote } from "../../app/notesCsv";
import { tables } from "../../app/routes";
import { startTestDynamo } from "../support/dynamo";
import type { TestDynamo } from "../support/dynamo";
import { S3RVER_CREDENTIALS, getObject, listKeys, startTestS3 } from "../support/s3";
import type { TestS3 } from "../support/s3";
import { runLocally } from "../support/stepFunctions";
import type { LocalTask } from "../support/stepFunctions";
import { createTables, tableContents } from "../support/tables";
import { startThrottledDynamo } from "../support/throttledDynamo";

const BUCKET = "notes-bucket";
const REGION = "ap-northeast-2";
const arn = (name: string) => `arn:aws:lambda:${REGION}:123456789012:function:${name}`;
const definition = importWorkflowDefinition({
  functions: {
    check: arn("importCheck"),
    split: arn("importSplit"),
    loadPart: arn("importLoadPart"),
    report: arn("importReport"),
  },
  maxConcurrency: 2,
  taskTimeoutSeconds: 60,
});

type Step = LocalTask;
type Steps = Record<"Check" | "Split" | "LoadPart" | "Report", Step>;

/** A handler as Lambda runs it for Step Functions: JSON in, JSON out. */
function asLambda<I, O>(handler: (input: I) => Promise<O>): Step {
  return async (input) =>
    JSON.parse(JSON.stringify(await handler(JSON.parse(JSON.stringify(input)) as I)));
}

/** One handler per step, each made once as a Lambda container makes it. */
function realSteps(): Steps {
  return {
    [STATES.check]: asLambda(checkImport()),
    [STATES.split]: asLambda(splitImport()),
    [STATES.loadPart]: asLambda(loadImportPart()),
    [STATES.report]: asLambda(reportImport()),
  };
}

/** What EventBridge hands the state machine for an upload (the rule passes the event whole). */
function objectCreated(key: string): ImportEvent & Record<string, unknown> {
  return {
    version: "0",
    "detail-type": "Object Created",
    source: "aws.s3",
    detail: { bucket: { name: BUCKET }, object: { key, size: 1, etag: "stale" } },
  };
}

/** The run's summary: its output, or, where it failed, the summary its report holds. */
type Run = ReportSummary & { executionError?: string };

let reportAt: (key: string) => Promise<ReportSummary>;

async function run(key: string, steps: Steps = realSteps()): Promise<Run> {
  const ending = await runLocally(definition, objectCreated(key), steps);
  if ("output" in ending) return ending.output as ReportSummary;
  return { ...(await reportAt(key)), executionError: ending.error.name };
}

/** Every call of each step, by state name, around the real handlers. */
function countedSteps(steps: Steps = realSteps()) {
  const calls: Record<string, number> = {};
  const counted = Object.fromEntries(
    Object.entries(steps).map(([name, step]) => [
      name,
      (input: unknown) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return step(input);
      },
    ]),
  ) as Steps;
  return { steps: counted, calls };
}

describe("the import workflow, run by aws-local-stepfunctions", function () {
  let dynamo: TestDynamo;
  let s3: TestS3;
  const logging = { log: console.log, warn: console.warn };

  before(async () => {
    Object.assign(console, { log: () => undefined, warn: () => undefined });
    s3 = await startTestS3([BUCKET], REGION);
    dynamo = await startTestDynamo({
      TABLE_NAME: tables.notes.name,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      // A part closes at the first record end 64 bytes or more from its start.
      IMPORT_PART_BYTES: "64",
    });
    await createTables(dynamo.client, [tables.notes]);
    reportAt = async (key) => {
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      const report = await getObject(s3.client, BUCKET, reportKey(key, bareEtag(head.ETag)));
      assert.ok(report, `no report for ${key}`);
      return (JSON.parse(report.body) as ImportReport).summary;
    };
  });

  after(async () => {
    await dynamo?.close();
    await s3?.close();
    Object.assign(console, logging);
  });

  async function upload(key: string, text: string | Buffer): Promise<void> {
    await s3.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: text, ContentType: "text/csv" }),
    );
  }

  async function reportOf(summary: ReportSummary): Promise<ImportReport> {
    const stored = await getObject(s3.client, BUCKET, summary.reportKey);
    assert.ok(stored, `no report at ${summary.reportKey}`);
    assert.equal(stored.contentType, "application/json");
    return JSON.parse(stored.body) as ImportReport;
  }

  async function notesOf(userId: string) {
    const items = (await tableContents(dynamo.client, tables.notes.name)).map((i) => unmarshall(i));
    return items.filter((item) => item.UserId === userId);
  }

  /** The parts' notes in order: the file's conversion to JSON. */
  async function converted(key: string, report: ImportReport): Promise<CsvNote[]> {
    const notes: CsvNote[] = [];
    for (const part of report.parts) {
      const result = await getObject(
        s3.client,
        BUCKET,
        partResultKey(key, report.upload.etag, part.index),
      );
      notes.push(...(JSON.parse(String(result?.body)).notes as CsvNote[]));
    }
    return notes;
  }

  it("imports the SPEC's CSV: BOM, quoted commas, quotes and line breaks, mixed line ends", async () => {
    const key = "imports/spreadsheet.csv";
    const text =
      "\uFEFFUserId,NoteId,Note\r\n" +
      'spec,n1,"milk, eggs"\r\n' +
      'spec,n2,"first line\r\nsecond line"\n' +
      'spec,n3,"she said ""hi"""\n' +
      "spec,n4,lf row\n" +
      "spec,n5,crlf row among lf rows\r\n" +
      "\n" +
      "spec,,no note id\r" +
      "spec,n7,last row without a line end";
    await upload(key, text);
    const summary = await run(key);

    assert.equal(summary.outcome, "Completed");
    assert.deepEqual(summary.rows, { read: 7, stored: 7, refused: 0 });
    const report = await reportOf(summary);
    assert.ok(report.parts.length > 1, `one part only: ${JSON.stringify(report.parts)}`);
    // The parts, read as streams, say exactly what the whole file read at once says.
    const whole = readNotesCsv(Buffer.from(text), key);
    assert.deepEqual(whole.rejected, []);
    assert.deepEqual(await converted(key, report), whole.notes);

    const stored = await notesOf("spec");
    assert.equal(stored.length, 7);
    const byId = Object.fromEntries(stored.map((n) => [n.NoteId, n.Note]));
    assert.equal(byId.n1, "milk, eggs");
    assert.equal(byId.n2, "first line\r\nsecond line");
    assert.equal(byId.n3, 'she said "hi"');
    assert.equal(byId.n4, "lf row");
    assert.equal(byId.n5, "crlf row among lf rows");
    assert.equal(byId.n7, "last row without a line end");
    assert.ok(!stored.some((n) => /\r$/.test(n.Note)), "a note kept a line end's \\r");
    for (const note of stored) {
      assert.equal(note.Version, 1);
      assert.equal(note.CreatedAt, note.UpdatedAt);
    }
  });

  it("stores the good rows and reports each bad one by line, with a code", async () => {
    const key = "imports/bad-rows.csv";
    const text = [
      "UserId,NoteId,Note",
      "bad,b1,fine", // line 2
      "bad,b1,the same note again", // 3: a duplicate in the same part
      "bad user,b2,space in the user id", // 4
      '"bad",b3,"two', // 5-6: a quoted line break
      'lines"',
      "bad,b4", // 7
      ",b5,no user", // 8
      "bad,b6,", // 9
      "bad,export,reserved", // 10
      "bad,b7,fine too", // 11
      "",
    ].join("\n");
    await upload(key, text);
    const summary = await run(key);

    assert.equal(summary.outcome, "Completed");
    assert.deepEqual(summary.rows, { read: 9, stored: 3, refused: 6 });
    const report = await reportOf(summary);
    assert.deepEqual(
      report.refused.map((r) => [r.line, r.code]),
      [
        [3, "DuplicateNote"],
        [4, "InvalidUserId"],
        [7, "WrongFieldCount"],
        [8, "MissingUserId"],
        [9, "MissingNote"],
        [10, "ReservedNoteId"],
      ],
    );
    assert.deepEqual((await notesOf("bad")).map((n) => n.NoteId).sort(), ["b1", "b3", "b7"]);
  });

  it("changes nothing for the same version again: the run ends at once with the same report", async () => {
    const key = "imports/again.csv";
    const text = "UserId,NoteId,Note\nagain,a1,one\nagain,a2,two\nagain,,three\nagain,a4,four\n";
    await upload(key, text);
    const first = await run(key);
    assert.equal(first.outcome, "Completed");
    const before = await tableContents(dynamo.client, tables.notes.name);
    const reportBefore = await getObject(s3.client, BUCKET, first.reportKey);

    // The same event again, and the same file uploaded again (the same ETag).
    for (const again of [false, true]) {
      if (again) await upload(key, text);
      const { steps, calls } = countedSteps();
      const second = await run(key, steps);
      assert.deepEqual(second, first);
      assert.deepEqual(calls, { [STATES.check]: 1 }, "more than Check ran");
    }
    assert.deepEqual(await tableContents(dynamo.client, tables.notes.name), before);
    assert.deepEqual(await getObject(s3.client, BUCKET, first.reportKey), reportBefore);
  });

  it("keeps the results of keys that collided before apart (a.errors.csv and a.csv)", async () => {
    await upload("imports/a.csv", "UserId,NoteId,Note\ncollide,c1,from a.csv\nbad user,c2,x\n");
    await upload("imports/a.errors.csv", "UserId,NoteId,Note\ncollide,c3,from a.errors.csv\n");
    const a = await run("imports/a.csv");
    const errors = await run("imports/a.errors.csv");
    assert.notEqual(a.reportKey, errors.reportKey);
    const keys = await listKeys(s3.client, BUCKET, "results/imports%2Fa.");
    const folderOf = (k: string) => k.split("/").slice(0, 2).join("/");
    assert.deepEqual([...new Set(keys.map(folderOf))].sort(), [
      "results/imports%2Fa.csv",
      "results/imports%2Fa.errors.csv",
    ]);
    assert.deepEqual(
      (await reportOf(a)).refused.map((r) => r.code),
      ["InvalidUserId"],
    );
    assert.deepEqual((await reportOf(errors)).refused, []);
    assert.deepEqual((await notesOf("collide")).map((n) => n.NoteId).sort(), ["c1", "c3"]);
  });

  it("retries a throttled part until every row is stored", async () => {
    const key = "imports/throttled.csv";
    const rows = Array.from({ length: 30 }, (_, i) => `throttled,t${i},note ${i}`);
    await upload(key, ["UserId,NoteId,Note", ...rows, ""].join("\n"));
    // DynamoDB hands every write back for the first 16 batches: with at most 2 parts at once, one
    // of them spends the app's 8 attempts, so the workflow's own retry of the part
    // (UnprocessedItems) has to finish the job.
    const throttled = await startThrottledDynamo(
      String(process.env.AWS_ENDPOINT_URL_DYNAMODB),
      (call, size) => (call <= 16 ? size : 0),
    );
    // The SDK reads its endpoint when it first sends: the whole run goes through the front.
    const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = throttled.endpoint;
    const { steps, calls } = countedSteps();
    let summary: ReportSummary;
    try {
      summary = await run(key, steps);
    } finally {
      process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
      await throttled.close();
    }
    assert.equal(summary.outcome, "Completed");
    assert.deepEqual(summary.rows, { read: 30, stored: 30, refused: 0 });
    assert.ok(throttled.batches.length > 16);
    const parts = (await reportOf(summary)).parts.length;
    assert.ok(calls[STATES.loadPart] > parts, `${calls[STATES.loadPart]} calls for ${parts} parts`);
    assert.equal((await notesOf("throttled")).length, 30);
  });

  it("still reports, with the right counts, when a step dies mid-run", async () => {
    const key = "imports/killed.csv";
    const rows = Array.from({ length: 12 }, (_, i) => `killed,k${i},note number ${i}`);
    await upload(key, ["UserId,NoteId,Note", ...rows, ""].join("\n"));
    const steps = realSteps();
    const load = steps[STATES.loadPart];
    steps[STATES.loadPart] = async (input) => {
      if ((input as { part: { index: number } }).part.index === 2) {
        throw Object.assign(new Error("Task timed out after 10.00 seconds"), {
          name: "Sandbox.Timedout",
        });
      }
      return load(input);
    };
    const summary = await run(key, steps);
    const report = await reportOf(summary);
    const done = report.parts.filter((p) => !("failure" in p)) as { stored: number }[];
    assert.ok(done.length >= 1 && done.length === report.parts.length - 1);
    const storedByParts = done.reduce((sum, p) => sum + p.stored, 0);
    assert.equal(summary.outcome, "Failed");
    assert.equal(summary.executionError, "ImportFailed");
    assert.deepEqual(summary.rows, { read: storedByParts, stored: storedByParts, refused: 0 });
    assert.equal(summary.stopped?.Error, "Sandbox.Timedout");
    assert.match(String(summary.stopped?.Cause), /^part 2 \(from line \d+\): Task timed out/);
    assert.equal((await notesOf("killed")).length, storedByParts);

    // Running the same version again finishes it: a failed report is not an answer.
    const again = await run(key);
    assert.equal(again.outcome, "Completed");
    assert.equal(again.executionError, undefined);
    assert.deepEqual(again.rows, { read: 12, stored: 12, refused: 0 });
    assert.equal(again.reportKey, summary.reportKey);
  });

  it("reports why when the split itself fails, having stored nothing", async () => {
    const key = "imports/split-fails.csv";
    await upload(key, "UserId,NoteId,Note\nsplitfail,s1,x\n");
    const steps = realSteps();
    steps[STATES.split] = async () => {
      throw Object.assign(new Error("Runtime exited with error: signal: killed"), {
        name: "Runtime.ExitError",
      });
    };
    const summary = await run(key, steps);
    assert.equal(summary.outcome, "Failed");
    assert.equal(summary.executionError, "ImportFailed");
    assert.deepEqual(summary.rows, { read: 0, stored: 0, refused: 0 });
    assert.deepEqual(summary.stopped, {
      Error: "Runtime.ExitError",
      Cause: "Runtime exited with error: signal: killed",
    });
    assert.deepEqual(await notesOf("splitfail"), []);
  });

  it("refuses a file over the limit, and one without the header, with a report", async () => {
    await upload("imports/large.csv", `UserId,NoteId,Note\n${"large,l1,x\n".repeat(20)}`);
    const steps = { ...realSteps(), [STATES.check]: asLambda(checkImport(100)) };
    const large = await run("imports/large.csv", steps);
    assert.equal(large.outcome, "Refused");
    assert.deepEqual(
      (await reportOf(large)).refused.map((r) => [r.line, r.code]),
      [[1, "FileTooLarge"]],
    );
    assert.deepEqual(await notesOf("large"), []);

    await upload("imports/headless.CSV", "headless,h1,x\n");
    const headless = await run("imports/headless.CSV");
    assert.equal(headless.outcome, "Refused");
    assert.deepEqual(
      (await reportOf(headless)).refused.map((r) => [r.line, r.code]),
      [[1, "InvalidHeader"]],
    );
    assert.deepEqual(await notesOf("headless"), []);
  });
});
