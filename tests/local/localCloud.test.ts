// The course's CSV lab on `npm start`'s stack: an upload to the notes bucket becomes an
// EventBridge "Object Created" event, the program's rule starts the import workflow, its steps
// run in the local Lambda runtime under their roles, and the report lands in the bucket. Keys
// the rule does not match start nothing; the buckets are kept across restarts and emptied by
// --fresh; closing the stack stops the executions still running.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { reportKey } from "../../app/bucketLayout";
import type { ImportReport } from "../../app/importReport";
import { controlFile, startLocalStack } from "../../local/localStack";
import type { LocalStack, LocalStackOptions } from "../../local/localStack";
import type { LogLine } from "../../local/lambdaRuntime";
import { REPO_ROOT } from "../../local/stackConfig";

const NOTES_CSV = fs.readFileSync(path.join(REPO_ROOT, "notes.csv"));
const ETAG = createHash("md5").update(NOTES_CSV).digest("hex");

/** Resolves once `check` holds, polling; fails after `ms`. */
async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Running {
  local: LocalStack;
  s3: S3Client;
  bucket: string;
  workflow: string[];
  functionLog: string[];
}

async function start(dataDir: string, options: LocalStackOptions = {}): Promise<Running> {
  const workflow: string[] = [];
  const functionLog: string[] = [];
  const local = await startLocalStack({
    stack: "dev",
    dataDir,
    ports: { site: 0, api: 0, dynamodb: 0, s3: 0 },
    onWorkflowLog: (line) => workflow.push(line),
    onFunctionLog: (fn: string, line: LogLine) => functionLog.push(`${fn} ${line.text}`),
    ...options,
  });
  const s3 = new S3Client({
    endpoint: local.s3Endpoint,
    region: local.app.region,
    credentials: local.s3Credentials,
  });
  return { local, s3, bucket: String(local.app.outputs.notesBucketName), workflow, functionLog };
}

async function stop(running: Running): Promise<void> {
  running.s3.destroy();
  await running.local.close();
}

async function keys(running: Running, prefix = ""): Promise<string[]> {
  const listed = await running.s3.send(
    new ListObjectsV2Command({ Bucket: running.bucket, Prefix: prefix }),
  );
  return (listed.Contents ?? []).map((o) => String(o.Key)).sort();
}

describe("npm start's local cloud: the CSV import from upload to report", function () {
  this.timeout(180_000);
  // Made in a hook, not as the suite is declared: a run that --grep filters out never makes it,
  // where it would never run the `after` that removes it.
  let dataDir: string;
  before(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "local-cloud-"))));
  let running: Running | undefined;
  afterEach(async () => {
    if (running) await stop(running);
    running = undefined;
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("imports an upload under imports/ and writes its report; other keys start nothing; roles hold", async () => {
    running = await start(dataDir);
    const { s3, bucket, workflow } = running;
    const put = (Key: string) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: NOTES_CSV }));
    await put("imports/a.txt");
    await put("other/a.csv");
    await put("imports/notes.csv");
    await until("the import's execution to end", () =>
      workflow.some((l) => / (SUCCEEDED|FAILED) in /.test(l)),
    );

    // One execution, started by the program's rule, each state logged on its own line.
    const started = workflow.filter((l) => / started serverless-notes-dev-importNotes$/.test(l));
    assert.equal(started.length, 1, workflow.join("\n"));
    assert.ok(
      workflow.includes(
        "[events] serverless-notes-dev-importNotes → arn:aws:states:ap-northeast-2:123456789012:stateMachine:serverless-notes-dev-importNotes",
      ),
      workflow.join("\n"),
    );
    for (const state of ["Check", "Split", "LoadPart\\[0\\]", "Load", "Report"]) {
      assert.ok(
        workflow.some((l) => new RegExp(` ${state} succeeded \\(`).test(l)),
        `${state}\n${workflow.join("\n")}`,
      );
    }
    assert.ok(workflow.some((l) => / SUCCEEDED in /.test(l)));

    // The report, beside nothing else: no other upload was imported.
    const report = reportKey("imports/notes.csv", ETAG);
    assert.deepEqual(await keys(running, "results/"), [
      `results/imports%2Fnotes.csv/${ETAG}/part-00001.json`,
      report,
    ]);
    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: report }));
    const { summary, refused } = JSON.parse(
      String(await stored.Body?.transformToString()),
    ) as ImportReport;
    assert.deepEqual(summary, {
      reportKey: report,
      outcome: "Completed",
      rows: { read: 6, stored: 5, refused: 1 },
    });
    assert.deepEqual(
      refused.map((r) => [r.line, r.code]),
      [[9, "InvalidUserId"]],
    );

    // The rows are in the table, written by the load step under its own role.
    const db = new DynamoDBClient({
      endpoint: running.local.dynamodbEndpoint,
      region: running.local.app.region,
      credentials: running.local.dynamodbCredentials,
    });
    const ada = await db.send(
      new QueryCommand({
        TableName: "serverless-notes-dev-Notes",
        KeyConditionExpression: "UserId = :u",
        ExpressionAttributeValues: { ":u": { S: "ada" } },
      }),
    );
    db.destroy();
    assert.equal(ada.Count, 3);

    // The same version run again (as `npm run invoke -- importNotes` runs it) ends at once
    // with the report it has.
    const again = await running.local.control.invoke("importNotes", {
      detail: { bucket: { name: bucket }, object: { key: "imports/notes.csv" } },
    });
    assert.ok(again.kind === "execution");
    assert.deepEqual(again.result, { status: "SUCCEEDED", output: summary });

    // A function is held to its role: the split step may read uploads, not the results.
    const split = await running.local.control.invoke("importSplit", {
      object: {
        bucket: running.bucket,
        key: reportKey("imports/notes.csv", ETAG),
        etag: ETAG,
        size: 1,
        lastModified: "",
      },
    });
    assert.ok(split.kind === "function");
    const { outcome } = split;
    assert.ok("error" in outcome, JSON.stringify(outcome));
    assert.equal(outcome.error.errorType, "AccessDenied");
    assert.match(
      outcome.error.errorMessage,
      /assumed-role\/[^/]+\/serverless-notes-dev-importSplit is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::serverless-notes-dev-notes-\w+\/results\//,
    );
  });

  it("keeps the buckets across a restart without importing again, and --fresh empties them", async () => {
    running = await start(dataDir);
    assert.deepEqual(await keys(running, "imports/"), ["imports/a.txt", "imports/notes.csv"]);
    assert.equal((await keys(running, "results/")).length, 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(running.workflow, [], "a restart replays no event");
    await stop(running);

    running = await start(dataDir, { fresh: true });
    assert.deepEqual(await keys(running), []);
  });

  it("stops the executions still running when it closes, and leaves no control file", async () => {
    running = await start(dataDir, {
      // A split step that never answers within the test: the execution is mid-run at close.
      rewrite: (recorded) => {
        const split = recorded.resources.find(
          (r) => r.type === "aws:lambda/function:Function" && r.name === "importSplit",
        );
        assert.ok(split);
        const code = split.inputs.code as {
          $archive: { assets: Record<string, { $asset: { text: string } }> };
        };
        code.$archive.assets["__index.js"].$asset.text =
          "exports.handler = () => new Promise(() => {});";
      },
    });
    const { workflow } = running;
    await running.s3.send(
      new PutObjectCommand({ Bucket: running.bucket, Key: "imports/slow.csv", Body: NOTES_CSV }),
    );
    await until("the execution to reach Split", () =>
      workflow.some((l) => / Check succeeded /.test(l)),
    );
    assert.ok(fs.existsSync(controlFile(dataDir)));
    const closing = Date.now();
    await stop(running);
    running = undefined;
    assert.ok(Date.now() - closing < 10_000, `closed in ${Date.now() - closing} ms`);
    assert.ok(
      workflow.some((l) => / ABORTED in /.test(l)),
      workflow.join("\n"),
    );
    assert.ok(!fs.existsSync(controlFile(dataDir)));
  });
});
