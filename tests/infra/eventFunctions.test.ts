// Work that events start answers no caller. The events are EventBridge's (an upload, the export's
// schedule), and each starts a workflow, never a function: the workflow invokes its steps and
// waits for them (its Retry and Catch decide what a failure does), so no function is invoked
// asynchronously. What EventBridge cannot deliver is retried a bounded number of times within a
// bounded age, then kept in a queue of its own, readable by an operator, alarmed where alarms
// are on. The steps get their own memory and timeout; the API's functions the API's.
import { strict as assert } from "node:assert";
import { exportSteps, importSteps, routes } from "../../app/routes";
import type { RecordedResource, StackGraph } from "../harness/graph";
import { flag, forEachStack, numberSetting, physical } from "../support/stackSuite";

const FOURTEEN_DAYS = 14 * 24 * 60 * 60;

/** Every workflow step's function. */
const steps = [...Object.values(importSteps), ...Object.values(exportSteps)].map((s) => s.name);

/** The queue whose ARN a target's dead-letter config names. */
function queueOf(g: StackGraph, target: RecordedResource): RecordedResource {
  const arn = (target.inputs.deadLetterConfig as { arn?: string } | undefined)?.arn;
  const queues = g.resources("aws:sqs/queue:Queue").filter((q) => q.state.arn === arn);
  assert.equal(queues.length, 1, `${target.name}: no queue with ARN ${arn}`);
  return queues[0];
}

forEachStack("Event-started work", (graph) => {
  it("runs the workflows' steps with the stack's event memory and timeout, the routes with the API's", () => {
    const g = graph();
    for (const what of steps) {
      g.hasResource("aws:lambda/function:Function", {
        name: physical(g, what),
        memorySize: numberSetting(g, "eventFunctionMemoryMb"),
        timeout: numberSetting(g, "eventFunctionTimeoutSeconds"),
      });
    }
    for (const route of routes) {
      g.hasResource("aws:lambda/function:Function", {
        name: physical(g, route.name),
        // The export streams: it gets its least memory where the stack's API functions get less.
        memorySize: Math.max(numberSetting(g, "lambdaMemoryMb"), route.minMemoryMb ?? 0),
        timeout: numberSetting(g, "lambdaTimeoutSeconds"),
      });
    }
    assert.deepEqual(
      routes.filter((r) => r.minMemoryMb).map((r) => [r.name, r.minMemoryMb]),
      [["exportNotes", 256]],
    );
    // Every function is a route's or a step's.
    assert.equal(g.count("aws:lambda/function:Function"), routes.length + steps.length);
  });

  it("starts workflows only: no function is an EventBridge target or invoked asynchronously", () => {
    const g = graph();
    const machines = g.resources("aws:sfn/stateMachine:StateMachine").map((m) => m.state.arn);
    const targets = g.resources("aws:cloudwatch/eventTarget:EventTarget");
    const scheduled = g.config("serverless-notes:exportSchedule") !== "off";
    assert.equal(targets.length, scheduled ? 2 : 1);
    for (const target of targets) assert.ok(machines.includes(target.inputs.arn), target.name);
    assert.equal(g.count("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"), 0);
    const fromEvents = g
      .resources("aws:lambda/permission:Permission")
      .filter((p) => p.inputs.principal !== "apigateway.amazonaws.com");
    assert.deepEqual(fromEvents, []);
  });

  it("retries an undelivered event a bounded number of times within a bounded age, then keeps it", () => {
    const g = graph();
    const targets = g.resources("aws:cloudwatch/eventTarget:EventTarget");
    const queues = targets.map((target) => {
      assert.deepEqual(target.inputs.retryPolicy, {
        maximumRetryAttempts: numberSetting(g, "eventMaximumRetryAttempts"),
        maximumEventAgeInSeconds: numberSetting(g, "eventMaximumAgeSeconds"),
      });
      return queueOf(g, target);
    });
    assert.equal(new Set(queues.map((q) => q.name)).size, queues.length, "a queue is shared");
    for (const queue of queues) {
      assert.equal(queue.inputs.sqsManagedSseEnabled, true, queue.name);
      assert.equal(queue.inputs.messageRetentionSeconds, FOURTEEN_DAYS, queue.name);
    }
    // No other queue: nothing else can fail quietly into one.
    assert.equal(g.count("aws:sqs/queue:Queue"), queues.length);
  });

  it("alarms on a waiting undelivered event exactly where the stack file asks for alarms", () => {
    const g = graph();
    const alarms = g
      .all()
      .filter(
        (a) =>
          a.type === "aws:cloudwatch/metricAlarm:MetricAlarm" &&
          a.inputs.namespace === "AWS/SQS" &&
          a.inputs.metricName === "ApproximateNumberOfMessagesVisible",
      );
    if (!flag(g, "alarms")) return assert.deepEqual(alarms, []);
    const watched = alarms.map((a) => (a.inputs.dimensions as { QueueName: string }).QueueName);
    const queues = g.resources("aws:sqs/queue:Queue").map((q) => String(q.state.name));
    assert.deepEqual(watched.sort(), queues.sort());
  });
});
