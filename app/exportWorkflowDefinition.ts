// The scheduled export's Amazon States Language definition, built from data: the step functions'
// ARNs and the environment's settings go in, a typed definition comes out (see
// infra/exportWorkflow.ts for the drawing and the limits it is sized against).
//
// The table is read as a parallel Scan of `segments` segments, one child execution of a
// distributed Map per segment, each a loop of slices (app/exportSlice.ts) that hands over where it
// stopped. So the work grows no state and no history: the Map's items are the segment numbers
// (a few bytes each, far below the 256 KiB state limit), each child's history grows by about
// seven events per slice, and the parent's by a handful for the whole Map Run.
//
// Every Task retries Lambda's transient errors and DynamoDB's throttling with backoff and full
// jitter; a slice that still fails ends its segment as failed (the other segments go on), and the
// summary is always written: it says what was exported and, where it stopped, why; an export that
// stopped fails the execution after writing it.
import { DYNAMODB_THROTTLING_ERRORS, catchAll, task, throttledRetry } from "./workflowDefinition";
import type { MapState, StateMachineDefinition } from "./workflowDefinition";

export interface ExportWorkflowSettings {
  /** The ARN of each step's function. */
  functions: { slice: string; summary: string };
  /** Segments of the table's parallel Scan, all exported at once, each by its own child. */
  segments: number;
  /** How long Step Functions waits for one step before `States.Timeout` (its function's timeout). */
  taskTimeoutSeconds: number;
}

/**
 * The most segments: the Map's results (about 150 bytes per segment) stay far below the 256 KiB
 * state limit, and `States.ArrayRange` (at most 1,000 items) can list them.
 */
export const MAX_EXPORT_SEGMENTS = 100;

/** The states' names: tests and the README refer to them. */
export const STATES = {
  scheduled: "Scheduled?",
  planScheduled: "PlanScheduledDay",
  planToday: "PlanToday",
  exportSegments: "ExportSegments",
  exportSlice: "ExportSlice",
  segmentDone: "SegmentDone?",
  segmentExported: "SegmentExported",
  segmentFailed: "SegmentFailed",
  summarise: "Summarise",
  outcome: "Outcome?",
  exported: "Exported",
  exportFailed: "ExportFailed",
  summaryNotWritten: "SummaryNotWritten",
} as const;

/** `YYYY-MM-DD` of an RFC 3339 time: what comes before its `T`. */
const dayOf = (path: string) => `States.ArrayGetItem(States.StringSplit(${path}, 'T'), 0)`;

export function exportWorkflowDefinition(settings: ExportWorkflowSettings): StateMachineDefinition {
  const { functions, segments, taskTimeoutSeconds: timeout } = settings;
  if (!Number.isInteger(segments) || segments < 1 || segments > MAX_EXPORT_SEGMENTS) {
    throw new Error(`segments ${segments} is not a whole number from 1 to ${MAX_EXPORT_SEGMENTS}`);
  }
  const plan = (day: string) => ({
    Type: "Pass" as const,
    Parameters: {
      "date.$": dayOf(day),
      "segments.$": `States.ArrayRange(0, ${segments - 1}, 1)`,
    },
    Next: STATES.exportSegments,
  });
  return {
    Comment:
      "Exports every user's notes to exports/scheduled/<date>/ in segments of a parallel Scan, always with a summary",
    StartAt: STATES.scheduled,
    States: {
      // EventBridge's scheduled event names the time it was meant for, so a late or repeated run
      // files under that day; an execution started by hand without one exports under today.
      [STATES.scheduled]: {
        Type: "Choice",
        Choices: [
          { Not: { Variable: "$.time", IsPresent: true }, Next: STATES.planToday },
          { Variable: "$.time", IsTimestamp: true, Next: STATES.planScheduled },
        ],
        Default: STATES.planToday,
      },
      [STATES.planScheduled]: plan("$.time"),
      [STATES.planToday]: plan("$$.Execution.StartTime"),
      [STATES.exportSegments]: {
        Type: "Map",
        ItemsPath: "$.segments",
        ItemSelector: {
          "date.$": "$.date",
          "segment.$": "$$.Map.Item.Value",
          segments,
          users: 0,
          notes: 0,
          slices: 0,
        },
        MaxConcurrency: segments,
        Label: "Segment",
        ItemProcessor: {
          // Each segment is a child execution with its own history: the work never fills this one.
          ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
          StartAt: STATES.exportSlice,
          States: {
            [STATES.exportSlice]: task(functions.slice, timeout, {
              retry: [throttledRetry(DYNAMODB_THROTTLING_ERRORS)],
              // A segment that still fails is reported as failed; the other segments go on.
              catch: catchAll(STATES.segmentFailed),
              Next: STATES.segmentDone,
            }),
            [STATES.segmentDone]: {
              Type: "Choice",
              Choices: [{ Variable: "$.done", IsPresent: true, Next: STATES.segmentExported }],
              Default: STATES.exportSlice,
            },
            [STATES.segmentExported]: { Type: "Succeed" },
            [STATES.segmentFailed]: {
              Type: "Pass",
              Parameters: {
                "segment.$": "$.segment",
                "users.$": "$.users",
                "notes.$": "$.notes",
                "failure.$": "$.failure",
              },
              End: true,
            },
          },
        },
        ResultPath: "$.exported",
        Catch: catchAll(STATES.summarise),
        Next: STATES.summarise,
      } satisfies MapState,
      // The whole state: `exported` is absent where the Map failed, `failure` where it did not.
      [STATES.summarise]: task(functions.summary, timeout, {
        // The summary is the run's last word: if it cannot be written, the run fails visibly.
        catch: catchAll(STATES.summaryNotWritten),
        Next: STATES.outcome,
      }),
      // An export that stopped fails, so the console, the history and the alarm on failed
      // executions show it; its summary is written either way.
      [STATES.outcome]: {
        Type: "Choice",
        Choices: [{ Variable: "$.outcome", StringEquals: "Failed", Next: STATES.exportFailed }],
        Default: STATES.exported,
      },
      [STATES.exported]: { Type: "Succeed" },
      [STATES.exportFailed]: {
        Type: "Fail",
        Error: "ExportFailed",
        Cause:
          "The export stopped before every user was written: the Summarise step's output names its summary, which says where and why",
      },
      [STATES.summaryNotWritten]: {
        Type: "Fail",
        Error: "SummaryNotWritten",
        Cause:
          "The export's summary could not be written: see the Summarise step's error in the execution history",
      },
    },
  };
}
