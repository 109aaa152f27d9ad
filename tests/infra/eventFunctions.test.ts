// The functions that events start (the S3 import, the scheduled export) answer no caller: they
// get their own memory and timeout, bounded retries and event age, and a dead-letter queue where
// an event that still fails is kept, readable by an operator, alarmed where alarms are on.
import { strict as assert } from "node:assert";
import { routes, tasks } from "../../app/routes";
import { Match, RecordedResource, StackGraph } from "../harness/graph";
import { flag, forEachStack, numberSetting, physical } from "../support/stackSuite";

const FOURTEEN_DAYS = 14 * 24 * 60 * 60;

/**
 * The functions events invoke asynchronously: the export where scheduled. (The import's steps are
 * invoked by Step Functions, which waits for them: tests/infra/importWorkflow.test.ts.)
 */
function eventFunctions(g: StackGraph): string[] {
  const scheduled = g.config("serverless-notes:exportSchedule") !== "off";
  return scheduled ? [tasks.exportAllNotes.name] : [];
}

function functionNamed(g: StackGraph, what: string): RecordedResource {
  return g.resource("aws:lambda/function:Function", { name: physical(g, what) });
}

/** The queue the function's failed events go to. */
function deadLetterQueue(g: StackGraph, what: string): RecordedResource {
  const config = g.resource("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", {
    functionName: physical(g, what),
  });
  const destination = (config.inputs.destinationConfig as { onFailure: { destination: string } })
    .onFailure.destination;
  const queues = g
    .all()
    .filter((r) => r.type === "aws:sqs/queue:Queue" && r.state.arn === destination);
  assert.equal(queues.length, 1, `${what}: no queue with ARN ${destination}`);
  return queues[0];
}

function policyOf(g: StackGraph, fn: RecordedResource) {
  const policy = g
    .resources("aws:iam/rolePolicy:RolePolicy")
    .find((p) => p.inputs.role === fn.inputs.role || p.parent === fn.parent);
  assert.ok(policy, `${fn.name}: no inline policy`);
  const doc =
    typeof policy.inputs.policy === "string"
      ? JSON.parse(policy.inputs.policy)
      : policy.inputs.policy;
  return (doc as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
}

forEachStack("Event-started functions", (graph) => {
  it("run with the stack's event memory and timeout, not the API's", () => {
    const g = graph();
    for (const what of eventFunctions(g)) {
      g.hasResource("aws:lambda/function:Function", {
        name: physical(g, what),
        memorySize: numberSetting(g, "eventFunctionMemoryMb"),
        timeout: numberSetting(g, "eventFunctionTimeoutSeconds"),
      });
    }
    for (const route of routes) {
      g.hasResource("aws:lambda/function:Function", {
        name: physical(g, route.name),
        memorySize: numberSetting(g, "lambdaMemoryMb"),
        timeout: numberSetting(g, "lambdaTimeoutSeconds"),
      });
    }
  });

  it("retry a failed event a bounded number of times within a bounded age, then keep it", () => {
    const g = graph();
    for (const what of eventFunctions(g)) {
      g.hasResource("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", {
        functionName: physical(g, what),
        maximumRetryAttempts: numberSetting(g, "eventMaximumRetryAttempts"),
        maximumEventAgeInSeconds: numberSetting(g, "eventMaximumAgeSeconds"),
        destinationConfig: { onFailure: { destination: Match.stringMatching(/^arn:aws:sqs:/) } },
      });
    }
    // API routes are invoked synchronously: nothing to retry, no queue.
    assert.equal(
      g.count("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"),
      eventFunctions(g).length,
    );
  });

  it("keep failed events in their own encrypted queue for 14 days", () => {
    const g = graph();
    const queues = eventFunctions(g).map((what) => deadLetterQueue(g, what));
    assert.equal(new Set(queues.map((q) => q.name)).size, queues.length, "a queue is shared");
    for (const queue of queues) {
      assert.equal(queue.inputs.sqsManagedSseEnabled, true, queue.name);
      assert.equal(queue.inputs.messageRetentionSeconds, FOURTEEN_DAYS, queue.name);
    }
    // Besides these, only the import workflow's queue for events EventBridge could not deliver.
    const others = g
      .resources("aws:sqs/queue:Queue")
      .filter((q) => !g.ancestor(q, "serverless-notes:workflow:ImportWorkflow"));
    assert.equal(others.length, queues.length);
  });

  it("may send exactly sqs:SendMessage to exactly their own queue", () => {
    const g = graph();
    for (const what of eventFunctions(g)) {
      const fn = functionNamed(g, what);
      const queue = deadLetterQueue(g, what);
      const sqs = policyOf(g, fn).filter((s) =>
        ([] as string[]).concat(s.Action).some((a) => a.startsWith("sqs:")),
      );
      assert.deepEqual(
        sqs.map((s) => [s.Action, s.Resource]),
        [["sqs:SendMessage", queue.state.arn]],
      );
    }
    for (const route of routes) {
      const statements = policyOf(g, functionNamed(g, route.name));
      const actions = statements.flatMap((s) => ([] as string[]).concat(s.Action));
      assert.ok(!actions.some((a) => a.startsWith("sqs:")), `${route.name} may use SQS`);
    }
  });

  it("alarm on a waiting failed event exactly where the stack file asks for alarms", () => {
    const g = graph();
    const alarms = g
      .all()
      .filter(
        (r) =>
          r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" &&
          r.inputs.namespace === "AWS/SQS" &&
          r.inputs.metricName === "ApproximateNumberOfMessagesVisible",
      );
    if (!flag(g, "alarms")) {
      assert.deepEqual(alarms, []);
      return;
    }
    const watched = alarms
      .filter((a) => !g.ancestor(a, "serverless-notes:workflow:ImportWorkflow"))
      .map((a) => (a.inputs.dimensions as { QueueName: string }).QueueName);
    const queues = eventFunctions(g).map((what) => String(deadLetterQueue(g, what).state.name));
    assert.deepEqual(watched.sort(), queues.sort());
  });
});
