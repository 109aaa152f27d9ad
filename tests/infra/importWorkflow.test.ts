// The import workflow as each stack records it: the state machine and its definition, its role's
// exact grants, each step function's exact grants, and the S3 → EventBridge → workflow wiring.
import { strict as assert } from "node:assert";
import validateAsl from "asl-validator";
import { STATES, importWorkflowDefinition } from "../../app/importWorkflowDefinition";
import type { State, StateMachineDefinition } from "../../app/workflowDefinition";
import { importSteps } from "../../app/routes";
import { Match, mismatches } from "../harness/graph";
import type { RecordedResource, StackGraph } from "../harness/graph";
import { flag, forEachStack, numberSetting, physical } from "../support/stackSuite";

const WORKFLOW = "serverless-notes:workflow:ImportWorkflow";

const trustedBy = (service: string) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
});

/** These keys and no others, each matching (matchers allowed). */
function assertExactly(actual: Record<string, unknown>, expected: Record<string, unknown>): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  assert.deepEqual(mismatches(actual, expected), []);
}

/** The workflow's own resources of a type: not those of its step functions. */
function own(g: StackGraph, type: string): RecordedResource[] {
  return g
    .all()
    .filter(
      (r) =>
        r.type === type &&
        g.ancestor(r, WORKFLOW) &&
        !g.ancestor(r, "serverless-notes:function:Function"),
    );
}

function onlyOwn(g: StackGraph, type: string): RecordedResource {
  const found = own(g, type);
  assert.equal(found.length, 1, type);
  return found[0];
}

/** The workflow's own role that `service` may assume. */
function ownRole(g: StackGraph, service: string): RecordedResource {
  const roles = own(g, "aws:iam/role:Role").filter(
    (r) => mismatches(r.inputs.assumeRolePolicy, trustedBy(service)).length === 0,
  );
  assert.equal(roles.length, 1, service);
  return roles[0];
}

function notesBucket(g: StackGraph): RecordedResource {
  const [bucket] = g
    .resources("aws:s3/bucket:Bucket")
    .filter((b) => g.ancestor(b, "serverless-notes:bucket:NotesBucket"));
  assert.ok(bucket, "no notes bucket");
  return bucket;
}

/** A step's function, with its role and inline policy. */
function stepFunction(g: StackGraph, name: string) {
  const fn = g.resource("aws:lambda/function:Function", { name: physical(g, name) });
  const component = g.ancestor(fn, "serverless-notes:function:Function");
  assert.ok(component && g.ancestor(component, WORKFLOW), `${name} is not the workflow's`);
  const [role] = g.children(component, "aws:iam/role:Role");
  const [rolePolicy] = g.children(component, "aws:iam/rolePolicy:RolePolicy");
  const [logGroup] = g.children(component, "aws:cloudwatch/logGroup:LogGroup");
  return { fn, role, rolePolicy, logGroup };
}

const stepArns = (g: StackGraph) => ({
  check: String(stepFunction(g, importSteps.check.name).fn.state.arn),
  split: String(stepFunction(g, importSteps.split.name).fn.state.arn),
  loadPart: String(stepFunction(g, importSteps.loadPart.name).fn.state.arn),
  report: String(stepFunction(g, importSteps.report.name).fn.state.arn),
});

function definitionOf(g: StackGraph): StateMachineDefinition {
  const machine = onlyOwn(g, "aws:sfn/stateMachine:StateMachine");
  assert.equal(typeof machine.inputs.definition, "string");
  return JSON.parse(String(machine.inputs.definition)) as StateMachineDefinition;
}

forEachStack("ImportWorkflow", (graph) => {
  describe("the state machine", () => {
    it("is a Standard workflow with its own log group, traced where the stack traces", () => {
      const g = graph();
      const machine = onlyOwn(g, "aws:sfn/stateMachine:StateMachine");
      const logGroup = onlyOwn(g, "aws:cloudwatch/logGroup:LogGroup");
      const role = ownRole(g, "states.amazonaws.com");
      assertExactly(machine.inputs, {
        name: physical(g, "importNotes"),
        type: "STANDARD",
        roleArn: role.state.arn,
        definition: Match.stringMatching(/^\{"Comment"/),
        loggingConfiguration: {
          logDestination: `${String(logGroup.state.arn)}:*`,
          includeExecutionData: true,
          level: "ALL",
        },
        tracingConfiguration: { enabled: flag(g, "tracing") },
      });
      assertExactly(logGroup.inputs, {
        name: `/aws/vendedlogs/states/${physical(g, "importNotes")}`,
        retentionInDays: numberSetting(g, "logRetentionDays"),
      });
      assert.equal(g.outputs.importStateMachineArn, machine.state.arn);
    });

    it("runs the definition the builder makes from its own functions and the stack's settings", () => {
      const g = graph();
      assert.deepEqual(
        definitionOf(g),
        importWorkflowDefinition({
          functions: stepArns(g),
          maxConcurrency: numberSetting(g, "importMaxConcurrency"),
          taskTimeoutSeconds: numberSetting(g, "eventFunctionTimeoutSeconds") + 30,
        }),
      );
      const result = validateAsl(definitionOf(g));
      assert.deepEqual(result.errors, []);
    });

    it("retries and catches on every Task, and catches on the Map", () => {
      const g = graph();
      const definition = definitionOf(g);
      const load = definition.States[STATES.load];
      assert.ok(load.Type === "Map");
      const states: [string, State][] = [
        ...Object.entries(definition.States),
        ...Object.entries(load.ItemProcessor.States),
      ];
      const tasks = states.filter(([, s]) => s.Type === "Task");
      assert.deepEqual(tasks.map(([name]) => name).sort(), [
        STATES.check,
        STATES.loadPart,
        STATES.report,
        STATES.split,
      ]);
      for (const [name, state] of [...tasks, [STATES.load, load] as [string, State]]) {
        assert.ok(state.Type === "Task" || state.Type === "Map");
        if (state.Type === "Task") {
          assert.ok(state.Retry.length >= 1, name);
          for (const retrier of state.Retry) {
            assert.equal(retrier.JitterStrategy, "FULL", name);
            assert.ok(retrier.BackoffRate > 1 && retrier.MaxDelaySeconds > 0, name);
          }
          assert.ok(state.Retry[0].ErrorEquals.includes("Lambda.TooManyRequestsException"));
        }
        assert.deepEqual(
          state.Catch.map((c) => c.ErrorEquals),
          [["States.ALL"]],
          name,
        );
      }
    });
  });

  describe("its role", () => {
    it("is trusted by Step Functions only and has no managed policies", () => {
      const g = graph();
      const roles = own(g, "aws:iam/role:Role");
      assert.deepEqual(
        roles.map((r) => r.inputs.assumeRolePolicy),
        [trustedBy("states.amazonaws.com"), trustedBy("events.amazonaws.com")],
      );
      const [role] = roles;
      const attached = g
        .resources("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((a) => a.inputs.role === role.state.name);
      assert.deepEqual(attached, []);
    });

    it("invokes exactly its own four functions and delivers its logs (and traces where traced)", () => {
      const g = graph();
      const [role] = own(g, "aws:iam/role:Role");
      const [policy] = own(g, "aws:iam/rolePolicy:RolePolicy").filter(
        (p) => p.inputs.role === role.id || p.inputs.role === role.state.id,
      );
      assert.ok(policy, "no policy on the state machine's role");
      const arns = stepArns(g);
      assert.deepEqual(policy.inputs.policy, {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: "lambda:InvokeFunction",
            Resource: [arns.check, arns.split, arns.loadPart, arns.report],
          },
          {
            Effect: "Allow",
            Action: [
              "logs:CreateLogDelivery",
              "logs:GetLogDelivery",
              "logs:UpdateLogDelivery",
              "logs:DeleteLogDelivery",
              "logs:ListLogDeliveries",
              "logs:PutResourcePolicy",
              "logs:DescribeResourcePolicies",
              "logs:DescribeLogGroups",
            ],
            Resource: "*",
          },
          ...(flag(g, "tracing")
            ? [
                {
                  Effect: "Allow",
                  Action: [
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                  ],
                  Resource: "*",
                },
              ]
            : []),
        ],
      });
      // The machine is saved only once the role may do all that.
      const machine = onlyOwn(g, "aws:sfn/stateMachine:StateMachine");
      assert.ok(machine.dependsOn.includes(`aws:iam/rolePolicy:RolePolicy::${policy.name}`));
    });
  });

  describe("each step's function", () => {
    it("has exactly its grants: the bucket's prefixes, and the table for the load only", () => {
      const g = graph();
      const bucketArn = String(notesBucket(g).state.arn);
      const notes = g.resource("aws:dynamodb/table:Table", { name: physical(g, "Notes") });
      const objects = (prefix: string, actions: string[]) => ({
        Effect: "Allow",
        Action: actions,
        Resource: `${bucketArn}/${prefix}*`,
      });
      const read = objects("imports/", ["s3:GetObject", "s3:GetObjectVersion"]);
      const expected: Record<string, unknown[]> = {
        [importSteps.check.name]: [read, objects("results/", ["s3:GetObject"])],
        [importSteps.split.name]: [read],
        [importSteps.loadPart.name]: [
          { Effect: "Allow", Action: ["dynamodb:BatchWriteItem"], Resource: notes.state.arn },
          read,
          objects("results/", ["s3:PutObject", "s3:AbortMultipartUpload"]),
        ],
        [importSteps.report.name]: [objects("results/", ["s3:GetObject", "s3:PutObject"])],
      };
      for (const [name, grants] of Object.entries(expected)) {
        const { fn, role, rolePolicy, logGroup } = stepFunction(g, name);
        assert.equal(fn.inputs.role, role.state.arn);
        assert.deepEqual(role.inputs.assumeRolePolicy, trustedBy("lambda.amazonaws.com"));
        assert.deepEqual(
          rolePolicy.inputs.policy,
          {
            Version: "2012-10-17",
            Statement: [
              ...grants,
              {
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `${String(logGroup.state.arn)}:log-stream:*`,
              },
              ...(flag(g, "tracing")
                ? [
                    {
                      Effect: "Allow",
                      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                      Resource: "*",
                    },
                  ]
                : []),
            ],
          },
          name,
        );
        // Step Functions waits for them: no asynchronous retries, no dead-letter queue.
        assert.equal(fn.inputs.memorySize, numberSetting(g, "eventFunctionMemoryMb"), name);
        assert.equal(fn.inputs.timeout, numberSetting(g, "eventFunctionTimeoutSeconds"), name);
      }
      const tableNamed = (name: string) =>
        (stepFunction(g, name).fn.inputs.environment as { variables?: unknown } | undefined)
          ?.variables;
      assert.deepEqual(tableNamed(importSteps.loadPart.name), { TABLE_NAME: physical(g, "Notes") });
      assert.equal(tableNamed(importSteps.check.name), undefined);
      const invokeConfigs = g
        .all()
        .filter(
          (c) =>
            c.type === "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig" &&
            g.ancestor(c, WORKFLOW),
        );
      assert.deepEqual(invokeConfigs, []);
    });
  });

  describe("S3 → EventBridge → the workflow", () => {
    it("sends every event of the notes bucket to EventBridge, and nothing to a function", () => {
      const g = graph();
      const notifications = g.resources("aws:s3/bucketNotification:BucketNotification");
      assert.equal(notifications.length, 1);
      assertExactly(notifications[0].inputs, {
        bucket: notesBucket(g).state.bucket,
        eventbridge: true,
      });
      const s3Permissions = g
        .resources("aws:lambda/permission:Permission")
        .filter((p) => p.inputs.principal === "s3.amazonaws.com");
      assert.deepEqual(s3Permissions, []);
    });

    it("starts the workflow for objects created under imports/ whose key ends .csv in any case", () => {
      const g = graph();
      const rule = onlyOwn(g, "aws:cloudwatch/eventRule:EventRule");
      assert.equal(rule.inputs.name, physical(g, "importNotes"));
      const spellings = ["csv", "csV", "cSv", "cSV", "Csv", "CsV", "CSv", "CSV"];
      assert.deepEqual(JSON.parse(String(rule.inputs.eventPattern)), {
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: {
          bucket: { name: [notesBucket(g).state.bucket] },
          object: { key: spellings.map((s) => ({ wildcard: `imports/*.${s}` })) },
        },
      });
    });

    it("has EventBridge start executions of this state machine only, failed events kept", () => {
      const g = graph();
      const rule = onlyOwn(g, "aws:cloudwatch/eventRule:EventRule");
      const machine = onlyOwn(g, "aws:sfn/stateMachine:StateMachine");
      const eventsRole = ownRole(g, "events.amazonaws.com");
      const queue = onlyOwn(g, "aws:sqs/queue:Queue");
      const target = onlyOwn(g, "aws:cloudwatch/eventTarget:EventTarget");
      assertExactly(target.inputs, {
        rule: rule.state.name,
        arn: machine.state.arn,
        roleArn: eventsRole.state.arn,
        retryPolicy: {
          maximumRetryAttempts: numberSetting(g, "eventMaximumRetryAttempts"),
          maximumEventAgeInSeconds: numberSetting(g, "eventMaximumAgeSeconds"),
        },
        deadLetterConfig: { arn: queue.state.arn },
        targetId: Match.stringMatching(/^importNotes-[0-9a-f]{7}$/),
      });
      const [eventsPolicy] = own(g, "aws:iam/rolePolicy:RolePolicy").filter(
        (p) => p.inputs.role === eventsRole.state.id || p.inputs.role === eventsRole.state.name,
      );
      assert.ok(eventsPolicy, "no policy on EventBridge's role");
      assert.deepEqual(eventsPolicy.inputs.policy, {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: "states:StartExecution", Resource: machine.state.arn },
        ],
      });
      const queuePolicy = onlyOwn(g, "aws:sqs/queuePolicy:QueuePolicy");
      assert.deepEqual(queuePolicy.inputs.policy, {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: queue.state.arn,
            Condition: { ArnEquals: { "aws:SourceArn": rule.state.arn } },
          },
        ],
      });
      assert.equal(queue.inputs.sqsManagedSseEnabled, true);
    });

    it("alarms on failed executions and waiting events exactly where the stack asks", () => {
      const g = graph();
      const alarms = own(g, "aws:cloudwatch/metricAlarm:MetricAlarm");
      if (!flag(g, "alarms")) return assert.deepEqual(alarms, []);
      const machine = onlyOwn(g, "aws:sfn/stateMachine:StateMachine");
      assert.deepEqual(alarms.map((a) => [a.inputs.namespace, a.inputs.metricName]).sort(), [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible"],
        ["AWS/States", "ExecutionsFailed"],
      ]);
      const failed = alarms.find((a) => a.inputs.metricName === "ExecutionsFailed");
      assert.deepEqual(failed?.inputs.dimensions, { StateMachineArn: machine.state.arn });
    });
  });
});
