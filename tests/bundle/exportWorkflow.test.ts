// The scheduled export as deployed: the state machine definition each stack records, run by a
// States Language interpreter (aws-local-stepfunctions) whose Task states invoke the recorded
// step functions' archives as the Lambda runtime runs them, against the S3 emulator holding the
// stack's notes bucket and the DynamoDB emulator holding its tables.
import assert from "node:assert/strict";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { putAll } from "../../app/batchWrite";
import type { ExportSummary } from "../../app/exportRun";
import { STATES } from "../../app/exportWorkflowDefinition";
import { exportSteps } from "../../app/routes";
import type { StateMachineDefinition, TaskState } from "../../app/workflowDefinition";
import { startDynamoEmulator } from "../../local/dynamodb";
import type { DynamoEmulator } from "../../local/dynamodb";
import { assetMap } from "../../local/lambdaArchive";
import { STACKS, stackGraph } from "../harness/graph";
import type { StackGraph } from "../harness/graph";
import { createDeclaredTables, functionOf, startBundled } from "../support/bundled";
import type { Bundled } from "../support/bundled";
import { S3RVER_CREDENTIALS, getObject, listKeys, startTestS3 } from "../support/s3";
import type { TestS3 } from "../support/s3";
import { allStates, runLocally } from "../support/stepFunctions";
import type { LocalTask } from "../support/stepFunctions";
import { queryNotes } from "../support/tables";

for (const stack of STACKS) {
  describe(`the bundled scheduled export runs (${stack})`, function () {
    this.timeout(180_000);
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
        name: `serverless-notes-${stack}-scheduledExport`,
      });
      definition = JSON.parse(String(machine.inputs.definition)) as StateMachineDefinition;
      const taskStates = allStates(definition);
      for (const step of Object.values(exportSteps)) {
        const fn = startBundled(functionOf(graph, step.name), {
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
          AWS_ENDPOINT_URL_S3: s3.endpoint,
          AWS_REGION: region,
          AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
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

    it("gives the slice and the summary each its own function: the handler and its SDK", () => {
      assert.deepEqual(Object.keys(tasks).sort(), [STATES.exportSlice, STATES.summarise]);
      for (const fn of bundled) {
        const entries = Object.keys(assetMap(fn.resource.inputs.code));
        // Besides the serialised handler, only the AWS SDK it requires (infra/sdkBundle.ts).
        assert.deepEqual(
          entries.filter((e) => !/^node_modules\/(\.aws-sdk|@aws-sdk)\//.test(e)),
          ["__index.js"],
        );
        assert.ok(entries.includes("node_modules/.aws-sdk/index.js"), entries.join(", "));
      }
    });

    it("exports every user, one with more than 5 MB of notes, exactly as the table holds them", async () => {
      const stamp = {
        CreatedAt: "2026-11-20T12:00:00.000Z",
        UpdatedAt: "2026-11-20T12:00:00.000Z",
        Version: 1,
      };
      const big = Array.from({ length: 550 }, (_, i) => ({
        UserId: "big",
        NoteId: `n${String(i).padStart(4, "0")}`,
        Note: `${i} "${"ü".repeat(3_000)}" ${"y".repeat(6_990)}`.slice(0, 10_000),
      }));
      const small = Array.from({ length: 25 }, (_, u) => ({
        UserId: `person_${u}`,
        NoteId: `01K${u}`,
        Note: `a note of person ${u}\nwith a second line`,
      }));
      await putAll(
        client,
        table,
        [...big, ...small].map((n) => marshall({ ...n, ...stamp })),
      );

      const event = {
        "detail-type": "Scheduled Event",
        source: "aws.events",
        time: "2026-11-21T03:00:00Z",
        detail: {},
      };
      const ending = await runLocally(definition, event, tasks);
      assert.ok("output" in ending, JSON.stringify(ending));
      const summary = ending.output as ExportSummary;
      assert.equal(summary.outcome, "Completed");
      assert.equal(summary.users, 26);
      assert.equal(summary.notes, 575);
      assert.equal(
        summary.segments.length,
        Number(graph.config("serverless-notes:exportSegments")),
      );
      const stored = await getObject(
        s3.client,
        bucket,
        "exports/scheduled/2026-11-21/summary.json",
      );
      assert.deepEqual(JSON.parse(String(stored?.body)), summary);

      const users = ["big", ...small.map((n) => n.UserId)].sort();
      assert.deepEqual(
        await listKeys(s3.client, bucket, "exports/scheduled/2026-11-21/users/"),
        users.map((u) => `exports/scheduled/2026-11-21/users/${u}.json`),
      );
      for (const userId of users) {
        const { notes } = await queryNotes(client, table, userId);
        const object = await getObject(
          s3.client,
          bucket,
          `exports/scheduled/2026-11-21/users/${userId}.json`,
        );
        assert.equal(object?.body, JSON.stringify({ userId, notes }), userId);
        if (userId === "big") assert.ok(Buffer.byteLength(String(object?.body)) > 5 * 1024 * 1024);
      }
    });
  });
}
