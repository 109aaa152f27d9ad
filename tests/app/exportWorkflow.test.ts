// The scheduled export run end to end by a States Language interpreter (aws-local-stepfunctions):
// the definition the program's builder makes, its Task states calling the real step handlers
// against an S3 emulator (s3rver) holding the notes bucket and a DynamoDB emulator (dynalite)
// holding the Notes table. The interpreter runs the distributed Map's children inline (it has no
// distributed mode); what they do and pass on is the same. Each slice's clock runs down fast, so
// every segment takes several slices and each hand-over is exercised.
import assert from "node:assert/strict";
import { marshall } from "@aws-sdk/util-dynamodb";
import { putAll } from "../../app/batchWrite";
import { scheduledExportKey, scheduledSummaryKey } from "../../app/bucketLayout";
import type { ExportSummary, SegmentProgress } from "../../app/exportRun";
import { exportSlice } from "../../app/exportSlice";
import { exportSummary } from "../../app/exportSummary";
import { STATES, exportWorkflowDefinition } from "../../app/exportWorkflowDefinition";
import { tables } from "../../app/routes";
import { startTestDynamo } from "../support/dynamo";
import type { TestDynamo } from "../support/dynamo";
import { S3RVER_CREDENTIALS, getObject, listKeys, startTestS3 } from "../support/s3";
import type { TestS3 } from "../support/s3";
import { runLocally } from "../support/stepFunctions";
import type { Ending, LocalTask } from "../support/stepFunctions";
import { createTables, queryNotes } from "../support/tables";
import { startRefusingDynamo } from "../support/throttledDynamo";

const BUCKET = "notes-bucket";
const REGION = "ap-northeast-2";
const SEGMENTS = 3;
const arn = (name: string) => `arn:aws:lambda:${REGION}:123456789012:function:${name}`;
const definition = exportWorkflowDefinition({
  functions: { slice: arn("exportSlice"), summary: arn("exportSummary") },
  segments: SEGMENTS,
  taskTimeoutSeconds: 60,
});

/** EventBridge's scheduled event, as the rule passes it whole. */
const scheduledEvent = (time: string) => ({
  version: "0",
  id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "123456789012",
  time,
  region: REGION,
  resources: [`arn:aws:events:${REGION}:123456789012:rule/serverless-notes-prod-scheduledExport`],
  detail: {},
});

/**
 * A slice's Lambda context whose remaining time drops by a tenth of the timeout at each look:
 * the slice starts no user after 60% of its time, so it exports a handful and hands over.
 */
function fastClock() {
  let remaining = 60_000;
  return { getRemainingTimeInMillis: () => (remaining -= 6_000) };
}

type Steps = Record<typeof STATES.exportSlice | typeof STATES.summarise, LocalTask>;

/** Each handler made once, as a Lambda container makes it, called with JSON as Lambda would. */
function realSteps(): Steps {
  const slice = exportSlice();
  const summary = exportSummary();
  const json = <T>(value: unknown) => JSON.parse(JSON.stringify(value)) as T;
  return {
    [STATES.exportSlice]: async (input) => json(await slice(json(input), fastClock())),
    [STATES.summarise]: async (input) => json(await summary(json(input))),
  };
}

function counted(steps: Steps) {
  const calls: Record<string, number> = {};
  const wrapped = Object.fromEntries(
    Object.entries(steps).map(([name, step]) => [
      name,
      (input: unknown) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return step(input);
      },
    ]),
  ) as Steps;
  return { steps: wrapped, calls };
}

describe("the scheduled export, run by aws-local-stepfunctions", function () {
  this.timeout(120_000);
  let dynamo: TestDynamo;
  let s3: TestS3;
  const logging = { log: console.log, warn: console.warn };
  /** Every user in the table and their notes, as a direct Query gives them. */
  let expected: Map<string, string>;

  before(async () => {
    Object.assign(console, { log: () => undefined, warn: () => undefined });
    s3 = await startTestS3([BUCKET], REGION);
    dynamo = await startTestDynamo({
      TABLE_NAME: tables.notes.name,
      BUCKET_NAME: BUCKET,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      // A refused call fails at once rather than after the SDK's own retries.
      AWS_MAX_ATTEMPTS: "1",
    });
    await createTables(dynamo.client, [tables.notes]);
    const stamp = { CreatedAt: "2026-11-20T12:00:00.000Z", UpdatedAt: "2026-11-20T12:00:00.000Z" };
    // 40 users of a few notes (quotes, line breaks, non-ASCII), and one with 6 MB of notes:
    // more than the route answers inline, and several Query pages.
    const small = Array.from({ length: 40 }, (_, u) =>
      Array.from({ length: 1 + (u % 3) }, (_, i) => ({
        UserId: `user-${String(u).padStart(2, "0")}`,
        NoteId: `01K${u}${i}`,
        Note: `note ${i} of user ${u}: "quoted", a line\nbreak — ünïcödé`,
        Version: 1 + i,
      })),
    ).flat();
    const big = Array.from({ length: 600 }, (_, i) => ({
      UserId: "big",
      NoteId: `n${String(i).padStart(4, "0")}`,
      Note: `${i} ${"ê".repeat(4_990)}${"x".repeat(5_000)}`.slice(0, 10_000),
      Version: 1,
    }));
    await putAll(
      dynamo.client,
      tables.notes.name,
      [...small, ...big].map((n) => marshall({ ...n, ...stamp })),
    );
    expected = new Map();
    for (const userId of new Set([...small, ...big].map((n) => n.UserId))) {
      const { notes } = await queryNotes(dynamo.client, tables.notes.name, userId);
      expected.set(userId, JSON.stringify({ userId, notes }));
    }
  });

  after(async () => {
    await dynamo?.close();
    await s3?.close();
    Object.assign(console, logging);
  });

  /** The run's summary: its output, or, where it failed, the one in the bucket, and why. */
  async function run(input: unknown, steps: Steps, date: string) {
    const ending: Ending = await runLocally(definition, input, steps);
    const stored = await getObject(s3.client, BUCKET, scheduledSummaryKey(date));
    assert.ok(stored, `no summary for ${date}`);
    assert.equal(stored.contentType, "application/json");
    const summary = JSON.parse(stored.body) as ExportSummary;
    if ("output" in ending) assert.deepEqual(ending.output, summary);
    return { summary, error: "error" in ending ? ending.error.name : undefined };
  }

  /** The users written under `date`, by key. */
  async function written(date: string): Promise<string[]> {
    const prefix = scheduledExportKey(date, "x").replace(/x\.json$/, "");
    return (await listKeys(s3.client, BUCKET, prefix)).map((k) =>
      decodeURIComponent(k.slice(prefix.length, -".json".length)),
    );
  }

  it("writes every user's notes to exports/scheduled/<date>/users/, exactly as the table holds them", async () => {
    const date = "2026-11-21";
    const { steps, calls } = counted(realSteps());
    const { summary, error } = await run(scheduledEvent(`${date}T03:00:00Z`), steps, date);

    assert.equal(error, undefined);
    assert.equal(summary.outcome, "Completed");
    assert.equal(summary.summaryKey, `exports/scheduled/${date}/summary.json`);
    assert.equal(summary.users, expected.size);
    assert.equal(summary.notes, 600 + 40 * 2 - 1);
    assert.deepEqual(
      summary.segments.map((s) => s.segment),
      [0, 1, 2],
    );
    // Every segment took several slices: the hand-over between them lost and doubled nothing.
    assert.ok(calls[STATES.exportSlice] > 2 * SEGMENTS, `${calls[STATES.exportSlice]} slices`);

    assert.deepEqual((await written(date)).sort(), [...expected.keys()].sort());
    for (const [userId, json] of expected) {
      const object = await getObject(s3.client, BUCKET, scheduledExportKey(date, userId));
      assert.equal(object?.contentType, "application/json", userId);
      assert.equal(object?.body, json, userId);
    }
    assert.ok(Buffer.byteLength(String(expected.get("big"))) > 5 * 1024 * 1024);
  });

  it("files a run started by hand, without a scheduled time, under the day it started", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const { summary } = await run({ comment: "started by an operator" }, realSteps(), today);
    assert.equal(summary.outcome, "Completed");
    assert.equal(summary.date, today);
    assert.equal(summary.users, expected.size);
  });

  it("retries a throttled slice until every user is exported", async () => {
    const date = "2026-11-22";
    // DynamoDB refuses the 2nd and 3rd Scan and the 7th to 10th Query; the SDK does not retry
    // (one attempt), so each refusal fails its slice, and the workflow's Retry runs it again
    // from the same place, four times in a row for one of them.
    const throttled = await startRefusingDynamo(
      String(process.env.AWS_ENDPOINT_URL_DYNAMODB),
      (operation, call) =>
        (operation === "Scan" && call >= 2 && call <= 3) ||
        (operation === "Query" && call >= 7 && call <= 10),
    );
    const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = throttled.endpoint;
    let result: Awaited<ReturnType<typeof run>>;
    try {
      // The SDK reads its endpoint when the client is made: the handlers are made here.
      result = await run(scheduledEvent(`${date}T03:00:00Z`), realSteps(), date);
    } finally {
      process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
      await throttled.close();
    }
    assert.equal(throttled.calls.filter((c) => c.refused).length, 6);
    assert.equal(result.error, undefined, JSON.stringify(result.summary.stopped));
    assert.equal(result.summary.outcome, "Completed");
    assert.equal(result.summary.users, expected.size);
    for (const [userId, json] of expected) {
      const object = await getObject(s3.client, BUCKET, scheduledExportKey(date, userId));
      assert.equal(object?.body, json, userId);
    }
  });

  it("still writes a summary, with what was written, when a slice dies mid-run", async () => {
    const date = "2026-11-23";
    const steps = realSteps();
    const slice = steps[STATES.exportSlice];
    steps[STATES.exportSlice] = async (input) => {
      const progress = input as SegmentProgress;
      // Segment 1's second slice runs out of time, every time it is tried.
      if (progress.segment === 1 && progress.slices === 1) {
        throw Object.assign(new Error("Task timed out after 120.00 seconds"), {
          name: "Sandbox.Timedout",
        });
      }
      return slice(input);
    };
    const { summary, error } = await run(scheduledEvent(`${date}T03:00:00Z`), steps, date);

    assert.equal(error, "ExportFailed");
    assert.equal(summary.outcome, "Failed");
    assert.equal(summary.stopped?.Error, "Sandbox.Timedout");
    assert.match(String(summary.stopped?.Cause), /^segment 1: Task timed out/);
    const failed = summary.segments.filter((s) => s.failure);
    assert.deepEqual(
      failed.map((s) => s.segment),
      [1],
    );
    // The summary counts exactly what was written: the other segments whole, segment 1 up to
    // its first slice.
    const users = await written(date);
    assert.ok(users.length < expected.size, "the failed segment wrote everything");
    assert.ok(failed[0].users > 0, "segment 1's first slice wrote nobody");
    assert.equal(summary.users, users.length);
    const notes = users.reduce(
      (sum, u) => sum + (JSON.parse(String(expected.get(u))) as { notes: unknown[] }).notes.length,
      0,
    );
    assert.equal(summary.notes, notes);

    // Running the day again finishes it: the same objects, overwritten with the same notes.
    const again = await run(scheduledEvent(`${date}T03:00:00Z`), realSteps(), date);
    assert.equal(again.error, undefined);
    assert.equal(again.summary.outcome, "Completed");
    assert.deepEqual((await written(date)).sort(), [...expected.keys()].sort());
  });

  it("refuses a slice of no segment, or of a date that names no folder, writing nothing", async () => {
    const slice = exportSlice();
    const start = { date: "2026-11-25", segment: 0, segments: 2, users: 0, notes: 0, slices: 0 };
    for (const [bad, message] of [
      [{ segment: 2 }, /segment 2 is not from 0 to 1/],
      [{ segment: -1 }, /segment -1 is not from 0 to 1/],
      [{ segments: 0 }, /is not a segment of a parallel Scan/],
      [{ segment: 0.5 }, /is not a segment of a parallel Scan/],
      [{ date: "2026-11-25/../../imports" }, /is not a date/],
    ] as const) {
      await assert.rejects(slice({ ...start, ...bad }, fastClock()), message);
    }
    assert.deepEqual(await listKeys(s3.client, BUCKET, "exports/scheduled/2026-11-25"), []);
    assert.deepEqual(await listKeys(s3.client, BUCKET, "imports/"), []);
  });

  it("fails visibly when the summary itself cannot be written", async () => {
    const date = "2026-11-24";
    const steps = realSteps();
    steps[STATES.summarise] = async () => {
      throw Object.assign(new Error("Access Denied"), { name: "AccessDenied" });
    };
    const ending = await runLocally(definition, scheduledEvent(`${date}T03:00:00Z`), steps);
    assert.deepEqual("error" in ending && ending.error.name, "SummaryNotWritten");
    assert.equal(await getObject(s3.client, BUCKET, scheduledSummaryKey(date)), undefined);
  });
});
