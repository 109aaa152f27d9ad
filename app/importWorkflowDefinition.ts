// The import workflow's Amazon States Language definition, built from data: the step functions'
// ARNs and the environment's settings go in, a typed definition comes out. Every Task retries
// Lambda's own transient errors with backoff and full jitter, and catches everything else into
// the report, so a run never ends half-done without saying so (see infra/importWorkflow.ts).
import { catchAll, task, throttledRetry } from "./workflowDefinition";
import type { MapState, StateMachineDefinition } from "./workflowDefinition";

/** The error the load step throws when DynamoDB still hands items back after its own retries. */
export const UNPROCESSED_ITEMS_ERROR = "UnprocessedItems";

export interface ImportWorkflowSettings {
  /** The ARN of each step's function. */
  functions: { check: string; split: string; loadPart: string; report: string };
  /** Parts loaded at the same time: each holds its own Lambda and its share of table writes. */
  maxConcurrency: number;
  /** How long Step Functions waits for one step before `States.Timeout` (its function's timeout). */
  taskTimeoutSeconds: number;
}

/** The states' names: tests and the README refer to them. */
export const STATES = {
  check: "Check",
  reported: "Reported?",
  alreadyReported: "AlreadyReported",
  split: "Split",
  load: "Load",
  loadPart: "LoadPart",
  partFailed: "PartFailed",
  report: "Report",
  outcome: "Outcome?",
  imported: "Imported",
  importFailed: "ImportFailed",
  reportNotWritten: "ReportNotWritten",
} as const;

const toReport = () => catchAll(STATES.report);

export function importWorkflowDefinition(settings: ImportWorkflowSettings): StateMachineDefinition {
  const { functions, taskTimeoutSeconds: timeout } = settings;
  if (!Number.isInteger(settings.maxConcurrency) || settings.maxConcurrency < 1) {
    throw new Error(`maxConcurrency ${settings.maxConcurrency} is not a whole number from 1`);
  }
  return {
    Comment:
      "Imports a notes CSV uploaded under imports/: check, split, load the parts, always report",
    StartAt: STATES.check,
    States: {
      [STATES.check]: task(functions.check, timeout, {
        ResultPath: "$.checked",
        catch: toReport(),
        Next: STATES.reported,
      }),
      [STATES.reported]: {
        Type: "Choice",
        Choices: [
          { Variable: "$.checked.reported", IsPresent: true, Next: STATES.alreadyReported },
          { Variable: "$.checked.refusal", IsPresent: true, Next: STATES.report },
        ],
        Default: STATES.split,
      },
      [STATES.alreadyReported]: { Type: "Pass", InputPath: "$.checked.reported", End: true },
      [STATES.split]: task(functions.split, timeout, {
        Parameters: { "object.$": "$.checked.object" },
        ResultPath: "$.split",
        catch: toReport(),
        Next: STATES.load,
      }),
      [STATES.load]: {
        Type: "Map",
        ItemsPath: "$.split.parts",
        ItemSelector: { "object.$": "$.checked.object", "part.$": "$$.Map.Item.Value" },
        MaxConcurrency: settings.maxConcurrency,
        ItemProcessor: {
          ProcessorConfig: { Mode: "INLINE" },
          StartAt: STATES.loadPart,
          States: {
            [STATES.loadPart]: task(functions.loadPart, timeout, {
              retry: [throttledRetry([UNPROCESSED_ITEMS_ERROR])],
              // A part that still fails is reported as failed; the other parts go on.
              catch: catchAll(STATES.partFailed),
              End: true,
            }),
            [STATES.partFailed]: {
              Type: "Pass",
              Parameters: {
                "index.$": "$.part.index",
                "firstLine.$": "$.part.firstLine",
                "failure.$": "$.failure",
              },
              End: true,
            },
          },
        },
        ResultPath: "$.loaded",
        Catch: toReport(),
        Next: STATES.report,
      } satisfies MapState,
      [STATES.report]: task(functions.report, timeout, {
        // The report is the run's last word: if it cannot be written, the run fails visibly.
        catch: catchAll(STATES.reportNotWritten),
        Next: STATES.outcome,
      }),
      // A run that stopped fails, so the console, the history and the alarm on failed executions
      // show it; its report is written either way.
      [STATES.outcome]: {
        Type: "Choice",
        Choices: [{ Variable: "$.outcome", StringEquals: "Failed", Next: STATES.importFailed }],
        Default: STATES.imported,
      },
      [STATES.imported]: { Type: "Succeed" },
      [STATES.importFailed]: {
        Type: "Fail",
        Error: "ImportFailed",
        Cause:
          "The import stopped before every part was stored: the Report step's output names its report, which says where and why",
      },
      [STATES.reportNotWritten]: {
        Type: "Fail",
        Error: "ReportNotWritten",
        Cause:
          "The import's report could not be written: see the Report step's error in the execution history",
      },
    },
  };
}
