// The scheduled export as each stack records it: the state machine and its definition, its role's
// exact grants (its functions, its logs, its own child executions), each step function's exact
// grants, and the schedule → EventBridge → workflow wiring where the stack schedules it.
import { strict as assert } from "node:assert";
import validateAsl from "asl-validator";
import { STATES, exportWorkflowDefinition } from "../../app/exportWorkflowDefinition";
import { exportSteps } from "../../app/routes";
import type { State, StateMachineDefinition } from "../../app/workflowDefinition";
import { Match, mismatches } from "../harness/graph";
import type { RecordedResource, StackGraph } from "../harness/graph";
import { flag, forEachStack, numberSetting, physical } from "../support/stackSuite";
import { allStates } from "../support/stepFunctions";

const WORKFLOW = "serverless-notes:workflow:ExportWorkflow";

const trustedBy = (service: string) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
});

const LOG_DELIVERY = {
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
};

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

/** The inline policies attached to a role. */
function policiesOf(g: StackGraph, role: RecordedResource): RecordedResource[] {
  return own(g, "aws:iam/rolePolicy:RolePolicy").filter(
    (p) => p.inputs.role === role.state.id || p.inputs.role === role.state.name,
  );
}

const scheduled = (g: StackGraph) => g.config("serverless-notes:exportSchedule") !== "off";

function notesBucketArn(g: StackGraph): string {
  const [bucket] = g
    .resources("aws:s3/bucket:Bucket")
    .filter((b) => g.ancestor(b, "serverless-notes:bucket:NotesBucket"));
  assert.ok(bucket, "no notes bucket");
  return String(bucket.state.arn);
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
  slice: String(stepFunction(g, exportSteps.slice.name).fn.state.arn),
  summary: String(stepFunction(g, exportSteps.summary.name).fn.state.arn),
});

function definitionOf(g: StackGraph): StateMachineDefinition {
  const machine = onlyOwn(g, "aws:sfn/stateMachine:StateMachine");
  assert.equal(typeof machine.inputs.definition, "string");
  return JSON.parse(String(machine.inputs.definition)) as StateMachineDefinition;
}

forEachStack("ExportWorkflow", (graph) => {
  describe("the state machine", () => {
    it("is a Standard workflow with its own log group, traced where the stack traces", () => {
      const g = graph();
      const machine = onlyOwn(g, "aws:sfn/stateMachine:StateMachine");
      const logGroup = onlyOwn(g, "aws:cloudwatch/logGroup:LogGroup");
      assertExactly(machine.inputs, {
        name: physical(g, "scheduledExport"),
        type: "STANDARD",
        roleArn: ownRole(g, "states.amazonaws.com").state.arn,
        definition: Match.stringMatching(/^\{"Comment"/),
        loggingConfiguration: {
          logDestination: `${String(logGroup.state.arn)}:*`,
          includeExecutionData: true,
          level: "ALL",
        },
        tracingConfiguration: { enabled: flag(g, "tracing") },
      });
      assertExactly(logGroup.inputs, {
        name: `/aws/vendedlogs/states/${physical(g, "scheduledExport")}`,
        retentionInDays: numberSetting(g, "logRetentionDays"),
      });
      assert.equal(g.outputs.exportStateMachineArn, machine.state.arn);
    });

    it("runs the definition the builder makes from its own functions and the stack's settings", () => {
      const g = graph();
      assert.deepEqual(
        definitionOf(g),
        exportWorkflowDefinition({
          functions: stepArns(g),
          segments: numberSetting(g, "exportSegments"),
          taskTimeoutSeconds: numberSetting(g, "eventFunctionTimeoutSeconds") + 30,
        }),
      );
      const result = validateAsl(definitionOf(g), { checkArn: true, checkPaths: true });
      assert.deepEqual(result.errors, []);
      const map = definitionOf(g).States[STATES.exportSegments];
      assert.ok(map.Type === "Map");
      assert.equal(map.ItemProcessor.ProcessorConfig.Mode, "DISTRIBUTED");
      assert.equal(map.MaxConcurrency, numberSetting(g, "exportSegments"));
    });

    it("retries with backoff and jitter and catches everything on every Task, and catches on the Map", () => {
      const g = graph();
      const states: [string, State][] = Object.entries(allStates(definitionOf(g)));
      const caught = states.filter(([, s]) => s.Type === "Task" || s.Type === "Map");
      assert.deepEqual(caught.map(([name]) => name).sort(), [
        STATES.exportSegments,
        STATES.exportSlice,
        STATES.summarise,
      ]);
      for (const [name, state] of caught) {
        assert.ok(state.Type === "Task" || state.Type === "Map");
        if (state.Type === "Task") {
          for (const retrier of state.Retry) {
            assert.equal(retrier.JitterStrategy, "FULL", name);
            assert.ok(retrier.BackoffRate > 1 && retrier.MaxDelaySeconds > 0, name);
          }
          assert.ok(state.Retry[0].ErrorEquals.includes("Lambda.TooManyRequestsException"), name);
        }
        assert.deepEqual(
          state.Catch.map((c) => c.ErrorEquals),
          [["States.ALL"]],
          name,
        );
      }
      const slice = allStates(definitionOf(g))[STATES.exportSlice];
      assert.ok(slice.Type === "Task");
      assert.ok(slice.Retry[1].ErrorEquals.includes("ProvisionedThroughputExceededException"));
    });
  });

  describe("its role", () => {
    it("is trusted by Step Functions only and has no managed policies", () => {
      const g = graph();
      const role = ownRole(g, "states.amazonaws.com");
      const attached = g
        .all()
        .filter(
          (a) =>
            a.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
            a.inputs.role === role.state.name,
        );
      assert.deepEqual(attached, []);
    });

    it("invokes exactly its two functions, delivers its logs, and runs its own child executions only", () => {
      const g = graph();
      const role = ownRole(g, "states.amazonaws.com");
      const machine = onlyOwn(g, "aws:sfn/stateMachine:StateMachine");
      const arns = stepArns(g);
      const executions = String(machine.state.arn).replace(":stateMachine:", ":execution:");
      assert.deepEqual(
        policiesOf(g, role).map((p) => p.inputs.policy),
        [
          {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: "lambda:InvokeFunction",
                Resource: [arns.slice, arns.summary],
              },
              LOG_DELIVERY,
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
          },
          {
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Action: "states:StartExecution", Resource: machine.state.arn },
              {
                Effect: "Allow",
                Action: ["states:DescribeExecution", "states:StopExecution"],
                Resource: `${executions}/*`,
              },
            ],
          },
        ],
      );
      assert.match(executions, /:execution:serverless-notes-(dev|prod)-scheduledExport$/);
      // The machine is saved once its role may invoke its steps and deliver its logs.
      const [steps] = policiesOf(g, role);
      assert.ok(machine.dependsOn.includes(`aws:iam/rolePolicy:RolePolicy::${steps.name}`));
    });
  });

  describe("each step's function", () => {
    it("has exactly its grants: the table for the slice, the scheduled exports' folder for both", () => {
      const g = graph();
      const notes = g.resource("aws:dynamodb/table:Table", { name: physical(g, "Notes") });
      const exportsFolder = `${notesBucketArn(g)}/exports/scheduled/*`;
      const expected: Record<string, unknown[]> = {
        [exportSteps.slice.name]: [
          {
            Effect: "Allow",
            Action: ["dynamodb:Scan", "dynamodb:Query"],
            Resource: notes.state.arn,
          },
          {
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
            Resource: exportsFolder,
          },
        ],
        [exportSteps.summary.name]: [
          { Effect: "Allow", Action: ["s3:PutObject"], Resource: exportsFolder },
        ],
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
        assert.equal(fn.inputs.memorySize, numberSetting(g, "eventFunctionMemoryMb"), name);
        assert.equal(fn.inputs.timeout, numberSetting(g, "eventFunctionTimeoutSeconds"), name);
      }
      const variables = (name: string) =>
        (stepFunction(g, name).fn.inputs.environment as { variables: unknown }).variables;
      assert.deepEqual(variables(exportSteps.slice.name), {
        TABLE_NAME: physical(g, "Notes"),
        BUCKET_NAME: g.outputs.notesBucketName,
      });
      assert.deepEqual(variables(exportSteps.summary.name), {
        BUCKET_NAME: g.outputs.notesBucketName,
      });
    });
  });

  describe("the schedule → EventBridge → the workflow", () => {
    it("starts the workflow on the stack's schedule, or has no rule where the stack says off", () => {
      const g = graph();
      const rules = own(g, "aws:cloudwatch/eventRule:EventRule");
      const targets = own(g, "aws:cloudwatch/eventTarget:EventTarget");
      if (!scheduled(g)) {
        assert.deepEqual([...rules, ...targets], []);
        // Still there to be started by hand.
        onlyOwn(g, "aws:sfn/stateMachine:StateMachine");
        return;
      }
      const [rule] = rules;
      assert.equal(rules.length, 1);
      assertExactly(rule.inputs, {
        name: physical(g, "scheduledExport"),
        description: Match.stringMatching(/exports\/scheduled\//),
        scheduleExpression: g.config("serverless-notes:exportSchedule"),
      });
    });

    it("has EventBridge start executions of this state machine only, undelivered events kept", () => {
      const g = graph();
      if (!scheduled(g)) {
        assert.deepEqual(own(g, "aws:iam/role:Role").length, 1);
        assert.deepEqual(own(g, "aws:sqs/queue:Queue"), []);
        return;
      }
      const rule = onlyOwn(g, "aws:cloudwatch/eventRule:EventRule");
      const machine = onlyOwn(g, "aws:sfn/stateMachine:StateMachine");
      const eventsRole = ownRole(g, "events.amazonaws.com");
      const queue = onlyOwn(g, "aws:sqs/queue:Queue");
      assertExactly(onlyOwn(g, "aws:cloudwatch/eventTarget:EventTarget").inputs, {
        rule: rule.state.name,
        arn: machine.state.arn,
        roleArn: eventsRole.state.arn,
        retryPolicy: {
          maximumRetryAttempts: numberSetting(g, "eventMaximumRetryAttempts"),
          maximumEventAgeInSeconds: numberSetting(g, "eventMaximumAgeSeconds"),
        },
        deadLetterConfig: { arn: queue.state.arn },
        targetId: Match.stringMatching(/^scheduledExport-[0-9a-f]{7}$/),
      });
      assert.deepEqual(
        policiesOf(g, eventsRole).map((p) => p.inputs.policy),
        [
          {
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Action: "states:StartExecution", Resource: machine.state.arn },
            ],
          },
        ],
      );
      assert.deepEqual(onlyOwn(g, "aws:sqs/queuePolicy:QueuePolicy").inputs.policy, {
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
    });

    it("alarms on failed executions (and waiting events) exactly where the stack asks", () => {
      const g = graph();
      const alarms = own(g, "aws:cloudwatch/metricAlarm:MetricAlarm");
      if (!flag(g, "alarms")) return assert.deepEqual(alarms, []);
      const machine = onlyOwn(g, "aws:sfn/stateMachine:StateMachine");
      assert.deepEqual(alarms.map((a) => [a.inputs.namespace, a.inputs.metricName]).sort(), [
        ...(scheduled(g) ? [["AWS/SQS", "ApproximateNumberOfMessagesVisible"]] : []),
        ["AWS/States", "ExecutionsFailed"],
      ]);
      const failed = alarms.find((a) => a.inputs.metricName === "ExecutionsFailed");
      assert.deepEqual(failed?.inputs.dimensions, { StateMachineArn: machine.state.arn });
    });
  });
});
