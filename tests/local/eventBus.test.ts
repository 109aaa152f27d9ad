// The local EventBridge bus and Step Functions on their own, with stand-in functions: a rule's
// target may be a state machine (reached through the target's role) or a Lambda function
// (reached through its resource-based policy), a schedule fires on demand, and a state machine's
// Task states run functions by ARN or through `arn:aws:states:::lambda:invoke` under its role.
import * as assert from "node:assert/strict";
import { UnknownRule, awsEvent, startEventBus } from "../../local/eventBus";
import type { InvokeOutcome } from "../../local/lambdaRuntime";
import type { LocalFunction, LocalRole, LocalRule, LocalStateMachine } from "../../local/model";
import { MAX_PAYLOAD_BYTES, startStepFunctions } from "../../local/stepFunctions";
import type { ExecutionResult } from "../../local/stepFunctions";

const ACCOUNT = "123456789012";
const REGION = "ap-northeast-2";
const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
const ruleArn = (name: string) => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`;

function fn(name: string): LocalFunction {
  return {
    name,
    arn: fnArn(name),
    handler: "__index.handler",
    archive: {},
    environment: {},
    timeoutSeconds: 3,
    memoryMb: 128,
    runtime: "nodejs24.x",
    roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    roleName: name,
    statements: [],
    managedPolicyArns: [],
  };
}

function role(name: string, action: string, resources: string[]): LocalRole {
  return {
    arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    name,
    statements: [{ Effect: "Allow", Action: action, Resource: resources }],
    managedPolicyArns: [],
  };
}

/** Functions that answer from a table of results, recording each call. */
function standIns(results: Record<string, (event: unknown) => InvokeOutcome>) {
  const calls: [string, unknown][] = [];
  const invoke = async (name: string, event: unknown): Promise<InvokeOutcome> => {
    calls.push([name, event]);
    return results[name](event);
  };
  return { calls, invoke };
}
const ok = (result: unknown): InvokeOutcome => ({
  result,
  requestId: "r",
  durationMs: 1,
  logs: [],
});
const failed = (errorType: string, errorMessage: string): InvokeOutcome => ({
  error: { errorType, errorMessage },
  requestId: "r",
  durationMs: 1,
  logs: [],
});

const doubling: LocalStateMachine = {
  name: "doubling",
  arn: machineArn("doubling"),
  type: "STANDARD",
  role: role("doubling", "lambda:InvokeFunction", [fnArn("double"), fnArn("sum")]),
  definition: {
    StartAt: "Each",
    States: {
      Each: {
        Type: "Map",
        ItemsPath: "$.numbers",
        ItemProcessor: {
          ProcessorConfig: { Mode: "INLINE" },
          StartAt: "Double",
          States: { Double: { Type: "Task", Resource: fnArn("double"), End: true } },
        },
        ResultPath: "$.doubled",
        Next: "Sum",
      },
      Sum: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: { FunctionName: "sum", "Payload.$": "$.doubled" },
        ResultSelector: { "total.$": "$.Payload" },
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: "Failed" }],
        End: true,
      },
      Failed: { Type: "Pass", End: true },
    },
  },
};

describe("the local EventBridge bus and Step Functions", function () {
  this.timeout(30_000);
  const functions = ["double", "sum", "exporter", "unpermitted"].map(fn);

  it("runs a state machine's tasks by ARN and by lambda:invoke, under its role", async () => {
    const { calls, invoke } = standIns({
      double: (n) => ok((n as number) * 2),
      sum: (list) => ok((list as number[]).reduce((a, b) => a + b, 0)),
    });
    const log: string[] = [];
    const sfn = startStepFunctions({
      stateMachines: [doubling],
      functions,
      invoke,
      onLog: (l) => log.push(l),
    });
    const result = await sfn.startExecution(doubling.arn, { numbers: [1, 2, 3] }).done;
    assert.deepEqual(result, { status: "SUCCEEDED", output: { total: 12 } });
    assert.deepEqual(calls.map(([name]) => name).sort(), ["double", "double", "double", "sum"]);
    assert.ok(
      log.some((l) => / Double\[2\] succeeded \(/.test(l)),
      log.join("\n"),
    );
    assert.ok(log.some((l) => / SUCCEEDED in /.test(l)));

    // A role that allows invoking `double` only: `sum` is refused as Lambda refuses it, and the
    // Catch takes the refusal.
    const narrow = {
      ...doubling,
      role: role("narrow", "lambda:InvokeFunction", [fnArn("double")]),
    };
    const denied = startStepFunctions({ stateMachines: [narrow], functions, invoke });
    const refused = await denied.startExecution(doubling.arn, { numbers: [1] }).done;
    const { failure } = refused.output as { failure: { Error: string; Cause: string } };
    assert.equal(failure.Error, "Lambda.AWSLambdaException");
    assert.match(
      failure.Cause,
      /assumed-role\/narrow\/doubling is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:ap-northeast-2:123456789012:function:sum/,
    );
    assert.equal(calls.filter(([name]) => name === "sum").length, 1, "sum was not run again");
  });

  it("passes a function's error on by its type, with Lambda's payload as the cause", async () => {
    const { invoke } = standIns({
      double: () => failed("RangeError", "too big"),
      sum: () => ok(0),
    });
    const sfn = startStepFunctions({ stateMachines: [doubling], functions, invoke });
    const result = await sfn.startExecution(doubling.arn, { numbers: [1] }).done;
    assert.equal(result.status, "FAILED");
    assert.equal(result.error, "RangeError");
    assert.deepEqual(JSON.parse(String(result.cause)), {
      errorType: "RangeError",
      errorMessage: "too big",
      trace: [],
    });

    const big = standIns({ double: () => ok("x".repeat(MAX_PAYLOAD_BYTES)), sum: () => ok(0) });
    const limited = startStepFunctions({
      stateMachines: [doubling],
      functions,
      invoke: big.invoke,
    });
    assert.equal(
      (await limited.startExecution(doubling.arn, { numbers: [1] }).done).error,
      "States.DataLimitExceeded",
    );
  });

  it("sends a matching event to a state machine through the target's role, and refuses without it", async () => {
    const started: [string, unknown][] = [];
    const stepFunctions = {
      unsupported: [],
      close: async () => undefined,
      startExecution: (arn: string, input: unknown) => {
        started.push([arn, input]);
        return {
          executionArn: `${arn}:x`,
          name: "x",
          stateMachineArn: arn,
          done: Promise.resolve({ status: "SUCCEEDED" } as ExecutionResult),
        };
      },
    };
    const rule = (name: string, targetRole: LocalRole | undefined): LocalRule => ({
      name,
      arn: ruleArn(name),
      enabled: true,
      eventPattern: { source: ["my.app"], detail: { kind: [name] } },
      targets: [
        { id: "t", arn: doubling.arn, role: targetRole, unsupported: [], inputPath: "$.detail" },
      ],
    });
    const bus = startEventBus({
      rules: [
        rule("allowed", role("events", "states:StartExecution", [doubling.arn])),
        rule("other-machine", role("events", "states:StartExecution", [machineArn("other")])),
        rule("roleless", undefined),
      ],
      functions,
      permissions: [],
      stepFunctions,
      invoke: async () => ok(null),
      account: ACCOUNT,
      region: REGION,
    });
    const event = (kind: string) =>
      awsEvent(
        { source: "my.app", "detail-type": "Thing", resources: [], detail: { kind } },
        ACCOUNT,
        REGION,
      );
    const [allowed] = bus.put(event("allowed"));
    assert.equal(allowed.kind, "execution");
    assert.deepEqual(
      started,
      [[doubling.arn, { kind: "allowed" }]],
      "the inputPath's part of the event",
    );
    const [other] = bus.put(event("other-machine"));
    assert.ok(other.kind === "refused" && /may not states:StartExecution/.test(other.reason));
    const [roleless] = bus.put(event("roleless"));
    assert.ok(roleless.kind === "refused" && /no role/.test(roleless.reason));
    assert.deepEqual(bus.put(event("nobody")), []);
  });

  it("fires a scheduled rule now: a function target needs its permission for the rule", async () => {
    const { calls, invoke } = standIns({
      exporter: () => ok({ users: 0 }),
      unpermitted: () => ok(null),
    });
    const scheduled = (name: string, target: string): LocalRule => ({
      name,
      arn: ruleArn(name),
      enabled: true,
      scheduleExpression: "rate(1 day)",
      targets: [{ id: "t", arn: fnArn(target), unsupported: [] }],
    });
    const bus = startEventBus({
      rules: [
        scheduled("serverless-notes-prod-exportAllNotes", "exporter"),
        scheduled("nightly", "unpermitted"),
      ],
      functions,
      permissions: [
        {
          functionName: "exporter",
          action: "lambda:InvokeFunction",
          principal: "events.amazonaws.com",
          sourceArn: ruleArn("serverless-notes-prod-exportAllNotes"),
        },
        {
          functionName: "unpermitted",
          action: "lambda:InvokeFunction",
          principal: "events.amazonaws.com",
          sourceArn: ruleArn("another-rule"),
        },
      ],
      stepFunctions: startStepFunctions({ stateMachines: [], functions, invoke }),
      invoke,
      account: ACCOUNT,
      region: REGION,
    });
    const [delivery] = bus.fire("exportAllNotes");
    assert.ok(delivery.kind === "invocation");
    assert.deepEqual((await delivery.outcome) as unknown, ok({ users: 0 }));
    const [name, event] = calls[0] as [string, Record<string, unknown>];
    assert.equal(name, "exporter");
    assert.deepEqual(
      { ...event, id: undefined, time: undefined },
      {
        version: "0",
        id: undefined,
        "detail-type": "Scheduled Event",
        source: "aws.events",
        account: ACCOUNT,
        time: undefined,
        region: REGION,
        resources: [ruleArn("serverless-notes-prod-exportAllNotes")],
        detail: {},
      },
    );
    const [refused] = bus.fire("nightly");
    assert.ok(
      refused.kind === "refused" && /no permission for events\.amazonaws\.com/.test(refused.reason),
    );
    assert.throws(
      () => bus.fire("hourly"),
      (e: unknown) =>
        e instanceof UnknownRule &&
        /the scheduled rules are serverless-notes-prod-exportAllNotes, nightly/.test(e.message),
    );
  });
});
