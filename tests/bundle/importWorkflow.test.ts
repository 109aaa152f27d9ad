// The import workflow as deployed: the state machine definition each stack records, run by a
// States Language interpreter (aws-local-stepfunctions) whose Task states invoke the recorded
// step functions' archives as the Lambda runtime runs them, against the S3 emulator holding the
// stack's notes bucket and the DynamoDB emulator holding its tables.
import assert from "node:assert/strict";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { ReportSummary } from "../../app/importRun";
import type { StateMachineDefinition, TaskState } from "../../app/workflowDefinition";
import { STATES } from "../../app/importWorkflowDefinition";
import { importSteps } from "../../app/routes";
import { startDynamoEmulator } from "../../local/dynamodb";
import type { DynamoEmulator } from "../../local/dynamodb";
import { STACKS, stackGraph } from "../harness/graph";
import type { StackGraph } from "../harness/graph";
import { createDeclaredTables, functionOf, startBundled } from "../support/bundled";
import type { Bundled } from "../support/bundled";
import { S3RVER_CREDENTIALS, getObject, startTestS3 } from "../support/s3";
import type { TestS3 } from "../support/s3";
import { runLocally } from "../support/stepFunctions";
import type { LocalTask } from "../support/stepFunctions";
import { tableContents } from "../support/tables";

for (const stack of STACKS) {
  describe(`the bundled import workflow runs (${stack})`, function () {
    this.timeout(120_000);
    let graph: StackGraph;
    let dynamo: DynamoEmulator;
    let client: DynamoDBClient;
    let s3: TestS3;
    let bucket: string;
    let table: string;
    let definition: StateMachineDefinition;
    const bundled: Bundled[] = [];
    /** Each Task state, by name, invoking the function its Resource names. */
    const tasks: Record<string, LocalTask> = {};

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
      const machine = graph.resource("aws:sfn/stateMachine:StateMachine", {
        name: `serverless-notes-${stack}-importNotes`,
      });
      definition = JSON.parse(String(machine.inputs.definition)) as StateMachineDefinition;
      const load = definition.States[STATES.load];
      assert.ok(load.Type === "Map");
      const taskStates = { ...definition.States, ...load.ItemProcessor.States };
      for (const step of Object.values(importSteps)) {
        const fn = startBundled(functionOf(graph, step.name), {
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
          AWS_ENDPOINT_URL_S3: s3.endpoint,
          AWS_REGION: region,
          AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
          // Tiny parts, so that the file below is loaded in several.
          IMPORT_PART_BYTES: "48",
        });
        bundled.push(fn);
        const arn = String(fn.resource.state.arn);
        const [name] = Object.entries(taskStates).find(
          ([, s]) => s.Type === "Task" && (s as TaskState).Resource === arn,
        ) ?? [undefined];
        assert.ok(name, `no Task state runs ${arn}`);
        tasks[name] = async (input) => {
          const outcome = await fn.fn.invoke(input);
          if ("result" in outcome) return outcome.result;
          // As Step Functions names a function's failure: its errorType, or a timeout.
          if ("error" in outcome) {
            throw Object.assign(new Error(outcome.error.errorMessage), {
              name: outcome.error.errorType,
            });
          }
          throw Object.assign(new Error("Task timed out"), { name: "Sandbox.Timedout" });
        };
      }
    });

    after(async () => {
      await Promise.all(bundled.map((fn) => fn.close()));
      client?.destroy();
      await s3?.close();
      await dynamo?.close();
    });

    it("gives each of the four Task states its own function", () => {
      assert.deepEqual(Object.keys(tasks).sort(), [
        STATES.check,
        STATES.loadPart,
        STATES.report,
        STATES.split,
      ]);
    });

    it("imports an upload end to end, in parts, and changes nothing the second time", async () => {
      const key = "imports/Spreadsheet Export.CSV";
      const text =
        "\uFEFFUserId,NoteId,Note\r\n" +
        'ada,n1,"milk, eggs"\r\n' +
        'ada,n2,"two\r\nlines"\n' +
        "ada,n3,lf among crlf\n" +
        "bad user,n4,x\r\n" +
        "grace,,no id\r\n";
      await s3.client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: "text/csv" }),
      );
      const event = {
        "detail-type": "Object Created",
        source: "aws.s3",
        detail: { bucket: { name: bucket }, object: { key } },
      };
      const first = await runLocally(definition, event, tasks);
      assert.ok("output" in first, JSON.stringify(first));
      const summary = first.output as ReportSummary;
      assert.equal(summary.outcome, "Completed");
      assert.deepEqual(summary.rows, { read: 5, stored: 4, refused: 1 });
      assert.match(summary.reportKey, /^results\/imports%2FSpreadsheet%20Export\.CSV\/[0-9a-f]+\//);
      const report = JSON.parse(
        String((await getObject(s3.client, bucket, summary.reportKey))?.body),
      );
      assert.ok(report.parts.length > 1, JSON.stringify(report.parts));
      assert.deepEqual(
        report.refused.map((r: { line: number; code: string }) => [r.line, r.code]),
        [[6, "InvalidUserId"]],
      );
      const stored = (await tableContents(client, table)).map((i) => unmarshall(i));
      assert.deepEqual(
        stored
          .filter((n) => n.UserId === "ada")
          .map((n) => [n.NoteId, n.Note])
          .sort(),
        [
          ["n1", "milk, eggs"],
          ["n2", "two\r\nlines"],
          ["n3", "lf among crlf"],
        ],
      );
      assert.equal(stored.filter((n) => n.UserId === "grace").length, 1);

      const before = await tableContents(client, table);
      const second = await runLocally(definition, event, tasks);
      assert.deepEqual(second, { output: summary });
      assert.deepEqual(await tableContents(client, table), before);
    });
  });
}
