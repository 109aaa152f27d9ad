// The export route as deployed: the recorded exportNotes archive run as the Lambda runtime runs
// it, against dynalite and s3rver holding the stack's table and bucket. A small export comes back
// inline; a large one (which inline would be over Lambda's 6 MB response limit) comes back as a
// presigned URL, which is checked and fetched from s3rver; and an export far larger than the
// function's heap goes through with the heap capped, its peak memory measured.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { APIGatewayProxyResult } from "aws-lambda";
import { putAll } from "../../app/batchWrite";
import { EXPORT_URL_SECONDS } from "../../app/notesExport";
import type { NotesExportLink } from "../../app/notesExport";
import { startDynamoEmulator } from "../../local/dynamodb";
import type { DynamoEmulator } from "../../local/dynamodb";
import { MAX_SYNC_PAYLOAD_BYTES } from "../../local/lambdaRuntime";
import { nodeFor } from "../../local/nodeRuntime";
import { STACKS, stackGraph } from "../harness/graph";
import type { StackGraph } from "../harness/graph";
import { ROOT, createDeclaredTables, functionOf, resultOf, startBundled } from "../support/bundled";
import type { Bundled } from "../support/bundled";
import { proxyEvent } from "../support/events";
import { presignedParts, signatureHolds } from "../support/presignedUrl";
import { S3RVER_CREDENTIALS, listKeys, startTestS3 } from "../support/s3";
import type { TestS3 } from "../support/s3";
import { queryNotes } from "../support/tables";

const run = promisify(execFile);
const EXPORT = "/users/{userId}/notes/export";
const MiB = 1024 * 1024;

/** Marks the child's report line among the handler's own log lines. */
const MARK = "INVOKED ";

/**
 * Loads a bundled handler in this (child) process, runs it once on the event from stdin, and
 * prints its result and the process's peak resident memory (VmHWM: of this process's memory
 * since it started; getrusage's maxRSS would count the parent that forked it).
 */
const INVOKE_ONCE = `
const { randomUUID } = require("node:crypto");
const { readFileSync } = require("node:fs");
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const { handler } = require(process.env.HANDLER_FILE);
  const deadline = Date.now() + 120000;
  const context = { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => deadline - Date.now() };
  const result = await handler(JSON.parse(input), context);
  const peakKiB = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))[1]);
  process.stdout.write("\\n" + ${JSON.stringify(MARK)} + JSON.stringify({ result, peakKiB }) + "\\n");
});
`;

/**
 * The V8 limits Lambda's Node.js bootstrap sets for a function of `memoryMb` (a tenth for the
 * young generation, half of it per semi-space, the rest for the old one), as its bootstrap
 * script does.
 */
const lambdaHeapFlags = (memoryMb: number) => [
  `--max-semi-space-size=${Math.floor(memoryMb / 20)}`,
  `--max-old-space-size=${memoryMb - Math.floor(memoryMb / 10)}`,
];

for (const stack of STACKS) {
  describe(`the bundled export route runs (${stack})`, function () {
    this.timeout(300_000);
    let graph: StackGraph;
    let dynamo: DynamoEmulator;
    let client: DynamoDBClient;
    let s3: TestS3;
    let exporter: Bundled;
    let bucket: string;
    let table: string;
    let aws: Record<string, string>;
    let users = 0;

    before(async () => {
      graph = await stackGraph(stack);
      bucket = String(graph.outputs.notesBucketName);
      table = String(graph.outputs.notesTableName);
      const region = graph.config("aws:region");
      dynamo = await startDynamoEmulator();
      s3 = await startTestS3([bucket], region);
      client = new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region,
        credentials: S3RVER_CREDENTIALS,
      });
      await createDeclaredTables(client, graph);
      aws = {
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_REGION: region,
        AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      };
      exporter = startBundled(functionOf(graph, "exportNotes"), aws);
    });

    after(async () => {
      await exporter?.close();
      client?.destroy();
      await s3?.close();
      await dynamo?.close();
    });

    /** A new user with `count` notes of 10,000 characters; the export's JSON text. */
    async function userWith(count: number): Promise<{ userId: string; text: string }> {
      const userId = `bundled-${++users}`;
      const stamp = {
        CreatedAt: "2026-11-20T12:00:00.000Z",
        UpdatedAt: "2026-11-20T12:00:00.000Z",
      };
      await putAll(
        client,
        table,
        Array.from({ length: count }, (_, i) =>
          marshall({
            UserId: userId,
            NoteId: `n${String(i).padStart(5, "0")}`,
            Note: `${i} "${"ö".repeat(2_000)}"\n${"z".repeat(7_990)}`.slice(0, 10_000),
            Version: 1,
            ...stamp,
          }),
        ),
      );
      const { notes } = await queryNotes(client, table, userId);
      return { userId, text: JSON.stringify({ userId, notes }) };
    }

    const exportEvent = (userId: string) =>
      proxyEvent({ method: "GET", resource: EXPORT, pathParameters: { userId } });

    async function exportOf(userId: string): Promise<APIGatewayProxyResult> {
      return resultOf(
        await exporter.fn.invoke(exportEvent(userId)),
        "exportNotes",
      ) as APIGatewayProxyResult;
    }

    it("answers a small export inline, as before", async () => {
      const { userId, text } = await userWith(150);
      const result = await exportOf(userId);
      assert.equal(result.statusCode, 200);
      assert.equal(result.body, text);
      assert.deepEqual(await listKeys(s3.client, bucket, "exports/"), []);
    });

    it("answers an export too large for Lambda's response with a presigned URL of the same bytes", async () => {
      // 700 notes of 10,000 characters: inline, the response would be over Lambda's limit.
      const { userId, text } = await userWith(700);
      assert.ok(Buffer.byteLength(JSON.stringify({ body: text })) > MAX_SYNC_PAYLOAD_BYTES);
      const result = await exportOf(userId);
      assert.equal(result.statusCode, 200, result.body.slice(0, 300));
      assert.equal(result.headers?.["Cache-Control"], "no-store");
      const link = JSON.parse(result.body) as NotesExportLink;
      assert.equal(link.bytes, Buffer.byteLength(text));
      assert.equal(link.noteCount, 700);

      const url = new URL(link.url);
      assert.equal(url.origin, s3.endpoint);
      assert.ok(signatureHolds(url, S3RVER_CREDENTIALS.secretAccessKey), link.url);
      assert.equal(presignedParts(url).expiresSeconds, EXPORT_URL_SECONDS);
      const fetched = await fetch(url);
      assert.equal(fetched.status, 200);
      assert.equal(fetched.headers.get("content-type"), "application/json");
      assert.equal(await fetched.text(), text);
      const [key] = await listKeys(s3.client, bucket, `exports/on-demand/${userId}/`);
      assert.equal(decodeURIComponent(url.pathname), `/${bucket}/${key}`);
    });

    /** Runs the bundled export of `userId` once in a process of its own; its reply and peak. */
    async function exportInChild(userId: string, heapFlags: string[]) {
      const node = nodeFor(String(exporter.resource.inputs.runtime));
      const child = run(node.execPath, [...heapFlags, "-e", INVOKE_ONCE], {
        cwd: exporter.taskRoot,
        env: {
          PATH: String(process.env.PATH),
          // The SDK as the runtime provides it (what else resolves is no matter here).
          NODE_PATH: path.join(ROOT, "node_modules"),
          HANDLER_FILE: path.join(exporter.taskRoot, "__index.js"),
          ...exporter.variables,
          ...aws,
        },
        maxBuffer: 1024 * 1024,
      });
      child.child.stdin?.end(JSON.stringify(exportEvent(userId)));
      const { stdout } = await child;
      const report = stdout.split("\n").find((line) => line.startsWith(MARK));
      assert.ok(report, stdout.slice(-500));
      const { result, peakKiB } = JSON.parse(report.slice(MARK.length)) as {
        result: APIGatewayProxyResult;
        peakKiB: number;
      };
      assert.equal(result.statusCode, 200, result.body.slice(0, 300));
      return { link: JSON.parse(result.body) as NotesExportLink, peakMiB: peakKiB / 1024 };
    }

    // The code is the same in both stacks: measured once.
    if (stack !== "dev") return;
    it("streams 90 MB of notes with the heap of a 64 MB function, its peak memory the same as for 9 MB", async () => {
      // Lambda's limits for 64 MB: a 57 MB old generation, far smaller than the export.
      const heapFlags = lambdaHeapFlags(64);
      const small = await userWith(800);
      const large = await userWith(8_000);
      const largeBytes = Buffer.byteLength(large.text);
      assert.ok(largeBytes > 90 * MiB, `${largeBytes} bytes`);

      const first = await exportInChild(small.userId, heapFlags);
      const second = await exportInChild(large.userId, heapFlags);
      assert.equal(second.link.bytes, largeBytes);
      assert.ok((await (await fetch(second.link.url)).text()) === large.text, "not the export");
      console.log(
        `      peak memory: ${first.peakMiB.toFixed(0)} MiB for a ${(Buffer.byteLength(small.text) / MiB).toFixed(0)} MiB export, ` +
          `${second.peakMiB.toFixed(0)} MiB for a ${(largeBytes / MiB).toFixed(0)} MiB one`,
      );
      // Ten times the notes, about the same memory: it does not grow with the export.
      assert.ok(second.peakMiB - first.peakMiB < 32, `${first.peakMiB} → ${second.peakMiB} MiB`);
      // Within the function's memory, with room to spare.
      const memorySize = Number(exporter.resource.inputs.memorySize);
      assert.ok(second.peakMiB < memorySize * 0.75, `${second.peakMiB} MiB of ${memorySize} MB`);
    });
  });
}
