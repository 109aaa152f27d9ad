// What `npm start` reads back from the recorded program, beyond what the local stack's own tests
// exercise end to end.
import * as assert from "node:assert/strict";
import { buildModel } from "../../local/model";
import { STACKS, stackGraph } from "../harness/graph";

describe("the local model of a recorded stack", function () {
  this.timeout(120_000);

  for (const stack of STACKS) {
    it(`reads the ${stack} buckets, rules and state machines the program declares`, async () => {
      const graph = await stackGraph(stack);
      const app = buildModel(graph.recorded);
      const notes = app.buckets.find((b) => b.name === graph.outputs.notesBucketName);
      assert.ok(notes, "the notes bucket");
      assert.equal(notes.eventBridge, true, "its events go to EventBridge");
      assert.equal(
        notes.versioning,
        graph.config("serverless-notes:notesBucketVersioning") === "true",
      );
      assert.deepEqual(
        app.buckets.filter((b) => b.eventBridge).map((b) => b.name),
        [notes.name],
      );

      const machine = app.stateMachines.find((m) => m.arn === graph.outputs.importStateMachineArn);
      assert.ok(machine, "the import workflow");
      assert.equal(machine.definition.StartAt, "Check");
      const imports = app.rules.find((r) => r.targets.some((t) => t.arn === machine.arn));
      assert.ok(imports?.eventPattern, "the upload rule, with its pattern");
      const [target] = imports.targets;
      assert.ok(
        target.role?.statements.some(
          (s) => s.Action === "states:StartExecution" && s.Resource === machine.arn,
        ),
        "the target's role may start this state machine",
      );

      // The export runs on a schedule only where the stack's config gives it one.
      const scheduled = app.rules.filter((r) => r.scheduleExpression);
      const schedule = graph.config("serverless-notes:exportSchedule");
      assert.deepEqual(
        scheduled.map((r) => r.scheduleExpression),
        schedule === "off" ? [] : [schedule],
      );
      for (const rule of scheduled) {
        for (const t of rule.targets.filter((t) => t.arn.startsWith("arn:aws:lambda:"))) {
          const fn = app.functions.find((f) => f.arn === t.arn);
          assert.ok(
            app.permissions.some(
              (p) =>
                p.functionName === fn?.name &&
                p.principal === "events.amazonaws.com" &&
                p.sourceArn === rule.arn,
            ),
            `${rule.name} may invoke ${t.arn}`,
          );
        }
      }
    });

    it(`gives the ${stack} gateway the stage's throttle from its method settings`, async () => {
      const graph = await stackGraph(stack);
      assert.deepEqual(buildModel(graph.recorded).api.throttle, {
        rateLimit: Number(graph.config("serverless-notes:throttleRateLimit")),
        burstLimit: Number(graph.config("serverless-notes:throttleBurstLimit")),
      });
    });

    it(`gives the ${stack} notes methods their authorizer's result cache TTL`, async () => {
      const { api } = buildModel((await stackGraph(stack)).recorded);
      const authorized = api.methods.filter((m) => m.userPoolIds);
      assert.ok(authorized.some((m) => m.path === "/users/{userId}/notes/{noteId}"));
      // The program leaves authorizerResultTtlInSeconds unset: API Gateway's default, 300 s.
      for (const m of authorized) assert.equal(m.authorizerTtlSeconds, 300, m.path);
      for (const m of api.methods.filter((x) => !x.userPoolIds)) {
        assert.equal(m.authorizerTtlSeconds, undefined);
      }
    });
  }
});
