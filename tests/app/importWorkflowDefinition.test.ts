import assert from "node:assert/strict";
import validateAsl from "asl-validator";
import {
  STATES,
  UNPROCESSED_ITEMS_ERROR,
  importWorkflowDefinition,
} from "../../app/importWorkflowDefinition";
import { LAMBDA_TRANSIENT_ERRORS } from "../../app/workflowDefinition";
import type { TaskState } from "../../app/workflowDefinition";
import { allStates } from "../support/stepFunctions";

const arn = (name: string) => `arn:aws:lambda:ap-northeast-2:123456789012:function:${name}`;
const SETTINGS = {
  functions: {
    check: arn("check"),
    split: arn("split"),
    loadPart: arn("loadPart"),
    report: arn("report"),
  },
  maxConcurrency: 3,
  taskTimeoutSeconds: 120,
};

describe("importWorkflowDefinition", () => {
  const definition = importWorkflowDefinition(SETTINGS);

  it("is valid Amazon States Language (asl-validator, ARNs and paths checked)", () => {
    const result = validateAsl(structuredClone(definition), { checkArn: true, checkPaths: true });
    assert.deepEqual(result.errors, []);
    assert.equal(result.isValid, true);
  });

  it("is refused by asl-validator when a transition goes nowhere (the check can fail)", () => {
    const broken = structuredClone(definition);
    (broken.States[STATES.split] as TaskState).Next = "Nowhere";
    assert.equal(validateAsl(broken).isValid, false);
  });

  it("runs check, split, the parts and the report, each on its own function", () => {
    const tasks = Object.entries(allStates(definition)).filter(([, s]) => s.Type === "Task");
    assert.deepEqual(
      Object.fromEntries(tasks.map(([name, s]) => [name, (s as TaskState).Resource])),
      {
        [STATES.check]: SETTINGS.functions.check,
        [STATES.split]: SETTINGS.functions.split,
        [STATES.loadPart]: SETTINGS.functions.loadPart,
        [STATES.report]: SETTINGS.functions.report,
      },
    );
  });

  it("retries Lambda's transient errors with backoff and full jitter on every Task", () => {
    const tasks = Object.values(allStates(definition)).filter((s) => s.Type === "Task");
    assert.equal(tasks.length, 4);
    for (const state of tasks as TaskState[]) {
      assert.deepEqual(state.Retry[0], {
        ErrorEquals: [...LAMBDA_TRANSIENT_ERRORS],
        IntervalSeconds: 1,
        MaxAttempts: 6,
        BackoffRate: 2,
        MaxDelaySeconds: 30,
        JitterStrategy: "FULL",
      });
      assert.equal(state.TimeoutSeconds, 120);
    }
    const loadPart = allStates(definition)[STATES.loadPart] as TaskState;
    assert.deepEqual(loadPart.Retry[1].ErrorEquals, [UNPROCESSED_ITEMS_ERROR]);
    assert.equal(loadPart.Retry[1].JitterStrategy, "FULL");
  });

  it("catches everything on every Task and Map, into the report (or a visible failure)", () => {
    const states = allStates(definition);
    const catchTarget = (name: string) => {
      const state = states[name];
      assert.ok(state.Type === "Task" || state.Type === "Map", name);
      assert.equal(state.Catch.length, 1, name);
      assert.deepEqual(state.Catch[0].ErrorEquals, ["States.ALL"], name);
      assert.equal(state.Catch[0].ResultPath, "$.failure", name);
      return state.Catch[0].Next;
    };
    assert.equal(catchTarget(STATES.check), STATES.report);
    assert.equal(catchTarget(STATES.split), STATES.report);
    assert.equal(catchTarget(STATES.load), STATES.report);
    assert.equal(catchTarget(STATES.loadPart), STATES.partFailed);
    assert.equal(catchTarget(STATES.report), STATES.reportNotWritten);
    assert.equal(states[STATES.reportNotWritten].Type, "Fail");
  });

  it("fails the execution, after the report, when the import stopped", () => {
    const report = definition.States[STATES.report] as TaskState;
    assert.equal(report.Next, STATES.outcome);
    assert.deepEqual(definition.States[STATES.outcome], {
      Type: "Choice",
      Choices: [{ Variable: "$.outcome", StringEquals: "Failed", Next: STATES.importFailed }],
      Default: STATES.imported,
    });
    assert.equal(definition.States[STATES.importFailed].Type, "Fail");
    assert.equal(definition.States[STATES.imported].Type, "Succeed");
  });

  it("loads at most maxConcurrency parts at once, and refuses a concurrency below 1", () => {
    const load = definition.States[STATES.load];
    assert.ok(load.Type === "Map");
    assert.equal(load.MaxConcurrency, 3);
    assert.equal(load.ItemsPath, "$.split.parts");
    for (const bad of [0, 1.5, -2]) {
      assert.throws(
        () => importWorkflowDefinition({ ...SETTINGS, maxConcurrency: bad }),
        /maxConcurrency/,
      );
    }
  });
});
