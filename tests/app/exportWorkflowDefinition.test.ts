import assert from "node:assert/strict";
import validateAsl from "asl-validator";
import {
  MAX_EXPORT_SEGMENTS,
  STATES,
  exportWorkflowDefinition,
} from "../../app/exportWorkflowDefinition";
import { DYNAMODB_THROTTLING_ERRORS, LAMBDA_TRANSIENT_ERRORS } from "../../app/workflowDefinition";
import type { MapState, TaskState } from "../../app/workflowDefinition";
import { allStates } from "../support/stepFunctions";

const arn = (name: string) => `arn:aws:lambda:ap-northeast-2:123456789012:function:${name}`;
const SETTINGS = {
  functions: { slice: arn("exportSlice"), summary: arn("exportSummary") },
  segments: 4,
  taskTimeoutSeconds: 330,
};

describe("exportWorkflowDefinition", () => {
  const definition = exportWorkflowDefinition(SETTINGS);
  const map = definition.States[STATES.exportSegments] as MapState;

  it("is valid Amazon States Language (asl-validator, ARNs and paths checked)", () => {
    const result = validateAsl(structuredClone(definition), { checkArn: true, checkPaths: true });
    assert.deepEqual(result.errors, []);
    assert.equal(result.isValid, true);
  });

  it("is refused by asl-validator when the Map's processor has no execution type", () => {
    const broken = structuredClone(definition);
    const processor = (broken.States[STATES.exportSegments] as MapState).ItemProcessor;
    processor.ProcessorConfig = {
      Mode: "DISTRIBUTED",
    } as MapState["ItemProcessor"]["ProcessorConfig"];
    assert.equal(validateAsl(broken).isValid, false);
  });

  it("maps the segments over a distributed Map of Standard child executions, all at once", () => {
    assert.equal(map.Type, "Map");
    assert.deepEqual(map.ItemProcessor.ProcessorConfig, {
      Mode: "DISTRIBUTED",
      ExecutionType: "STANDARD",
    });
    assert.equal(map.ItemsPath, "$.segments");
    assert.equal(map.MaxConcurrency, 4);
    // Each child starts its segment at zero and knows the day and how many segments there are.
    assert.deepEqual(map.ItemSelector, {
      "date.$": "$.date",
      "segment.$": "$$.Map.Item.Value",
      segments: 4,
      users: 0,
      notes: 0,
      slices: 0,
    });
    const plan = definition.States[STATES.planScheduled];
    assert.ok(plan.Type === "Pass");
    assert.deepEqual(plan.Parameters, {
      "date.$": "States.ArrayGetItem(States.StringSplit($.time, 'T'), 0)",
      "segments.$": "States.ArrayRange(0, 3, 1)",
    });
  });

  it("runs the slice and the summary on their own functions, the slice in a loop until done", () => {
    const tasks = Object.entries(allStates(definition)).filter(([, s]) => s.Type === "Task");
    assert.deepEqual(
      Object.fromEntries(tasks.map(([name, s]) => [name, (s as TaskState).Resource])),
      {
        [STATES.exportSlice]: SETTINGS.functions.slice,
        [STATES.summarise]: SETTINGS.functions.summary,
      },
    );
    const states = map.ItemProcessor.States;
    assert.equal((states[STATES.exportSlice] as TaskState).Next, STATES.segmentDone);
    assert.deepEqual(states[STATES.segmentDone], {
      Type: "Choice",
      Choices: [{ Variable: "$.done", IsPresent: true, Next: STATES.segmentExported }],
      Default: STATES.exportSlice,
    });
  });

  it("retries Lambda's transient errors and DynamoDB's throttling with backoff and full jitter", () => {
    const tasks = Object.values(allStates(definition)).filter((s) => s.Type === "Task");
    assert.equal(tasks.length, 2);
    for (const state of tasks as TaskState[]) {
      assert.deepEqual(state.Retry[0].ErrorEquals, [...LAMBDA_TRANSIENT_ERRORS]);
      for (const retrier of state.Retry) {
        assert.equal(retrier.JitterStrategy, "FULL");
        assert.ok(retrier.BackoffRate > 1 && retrier.MaxDelaySeconds > retrier.IntervalSeconds);
      }
      assert.equal(state.TimeoutSeconds, 330);
    }
    const slice = map.ItemProcessor.States[STATES.exportSlice] as TaskState;
    assert.deepEqual(slice.Retry[1], {
      ErrorEquals: [...DYNAMODB_THROTTLING_ERRORS],
      IntervalSeconds: 2,
      MaxAttempts: 5,
      BackoffRate: 2,
      MaxDelaySeconds: 60,
      JitterStrategy: "FULL",
    });
  });

  it("catches everything on every Task and the Map: into the summary, or a visible failure", () => {
    const states = allStates(definition);
    const catchTarget = (name: string) => {
      const state = states[name];
      assert.ok(state.Type === "Task" || state.Type === "Map", name);
      assert.deepEqual(state.Catch, [
        { ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: state.Catch[0].Next },
      ]);
      return state.Catch[0].Next;
    };
    assert.equal(catchTarget(STATES.exportSlice), STATES.segmentFailed);
    assert.equal(catchTarget(STATES.exportSegments), STATES.summarise);
    assert.equal(catchTarget(STATES.summarise), STATES.summaryNotWritten);
    assert.equal(states[STATES.summaryNotWritten].Type, "Fail");
    // A failed segment ends its child with how far it got and why, so the Map goes on.
    assert.deepEqual(states[STATES.segmentFailed], {
      Type: "Pass",
      Parameters: {
        "segment.$": "$.segment",
        "users.$": "$.users",
        "notes.$": "$.notes",
        "failure.$": "$.failure",
      },
      End: true,
    });
  });

  it("fails the execution after the summary when the export stopped", () => {
    assert.equal(map.Next, STATES.summarise);
    assert.equal((definition.States[STATES.summarise] as TaskState).Next, STATES.outcome);
    assert.deepEqual(definition.States[STATES.outcome], {
      Type: "Choice",
      Choices: [{ Variable: "$.outcome", StringEquals: "Failed", Next: STATES.exportFailed }],
      Default: STATES.exported,
    });
    assert.equal(definition.States[STATES.exportFailed].Type, "Fail");
  });

  it("refuses a segment count that is not a whole number from 1 to the most", () => {
    for (const bad of [0, 1.5, -1, MAX_EXPORT_SEGMENTS + 1]) {
      assert.throws(() => exportWorkflowDefinition({ ...SETTINGS, segments: bad }), /segments/);
    }
    const one = exportWorkflowDefinition({ ...SETTINGS, segments: 1 });
    assert.deepEqual(validateAsl(one, { checkArn: true, checkPaths: true }).errors, []);
  });
});
