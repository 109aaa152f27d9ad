// The import workflow's Amazon States Language definition, built from data: the step functions'
// ARNs and the environment's settings go in, a typed definition comes out. Every Task retries
// Lambda's own transient errors with backoff and full jitter, and catches everything else into
// the report, so a run never ends half-done without saying so (see infra/importWorkflow.ts).

/** Lambda's transient errors, as Step Functions names them for a Task on a function ARN. */
export const LAMBDA_TRANSIENT_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
  "Lambda.ClientExecutionTimeoutException",
] as const;

/** The error the load step throws when DynamoDB still hands items back after its own retries. */
export const UNPROCESSED_ITEMS_ERROR = "UnprocessedItems";

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  MaxDelaySeconds: number;
  JitterStrategy: "FULL";
}

export interface Catcher {
  ErrorEquals: string[];
  /** Where `{Error, Cause}` is put in the state's input before going on. */
  ResultPath: string;
  Next: string;
}

type Transition = { Next: string; End?: never } | { End: true; Next?: never };

export type TaskState = {
  Type: "Task";
  Resource: string;
  Parameters?: Record<string, unknown>;
  ResultPath?: string;
  TimeoutSeconds: number;
  Retry: Retrier[];
  Catch: Catcher[];
} & Transition;

export interface ChoiceState {
  Type: "Choice";
  Choices: ({ Variable: string; Next: string } & (
    { IsPresent: true } | { StringEquals: string }
  ))[];
  Default: string;
}

export interface SucceedState {
  Type: "Succeed";
}

export type PassState = {
  Type: "Pass";
  InputPath?: string;
  Parameters?: Record<string, unknown>;
} & Transition;

export interface FailState {
  Type: "Fail";
  Error: string;
  Cause: string;
}

export type MapState = {
  Type: "Map";
  ItemsPath: string;
  ItemSelector: Record<string, unknown>;
  MaxConcurrency: number;
  ItemProcessor: {
    ProcessorConfig: { Mode: "INLINE" };
    StartAt: string;
    States: Record<string, State>;
  };
  ResultPath: string;
  Catch: Catcher[];
} & Transition;

export type State = TaskState | ChoiceState | PassState | FailState | SucceedState | MapState;

export interface StateMachineDefinition {
  Comment: string;
  StartAt: string;
  States: Record<string, State>;
}

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

function transient(): Retrier {
  return {
    ErrorEquals: [...LAMBDA_TRANSIENT_ERRORS],
    IntervalSeconds: 1,
    MaxAttempts: 6,
    BackoffRate: 2,
    MaxDelaySeconds: 30,
    JitterStrategy: "FULL",
  };
}

const toReport = (): Catcher[] => [
  { ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: STATES.report },
];

function task(
  resource: string,
  settings: ImportWorkflowSettings,
  rest: Partial<Pick<TaskState, "Parameters" | "ResultPath">> & {
    retry?: Retrier[];
    catch: Catcher[];
  } & Transition,
): TaskState {
  const { retry, catch: catchers, ...fields } = rest;
  return {
    Type: "Task",
    Resource: resource,
    TimeoutSeconds: settings.taskTimeoutSeconds,
    ...fields,
    Retry: [transient(), ...(retry ?? [])],
    Catch: catchers,
  } as TaskState;
}

export function importWorkflowDefinition(settings: ImportWorkflowSettings): StateMachineDefinition {
  const { functions } = settings;
  if (!Number.isInteger(settings.maxConcurrency) || settings.maxConcurrency < 1) {
    throw new Error(`maxConcurrency ${settings.maxConcurrency} is not a whole number from 1`);
  }
  return {
    Comment:
      "Imports a notes CSV uploaded under imports/: check, split, load the parts, always report",
    StartAt: STATES.check,
    States: {
      [STATES.check]: task(functions.check, settings, {
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
      [STATES.split]: task(functions.split, settings, {
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
            [STATES.loadPart]: task(functions.loadPart, settings, {
              retry: [
                {
                  ErrorEquals: [UNPROCESSED_ITEMS_ERROR],
                  IntervalSeconds: 2,
                  MaxAttempts: 5,
                  BackoffRate: 2,
                  MaxDelaySeconds: 60,
                  JitterStrategy: "FULL",
                },
              ],
              // A part that still fails is reported as failed; the other parts go on.
              catch: [
                { ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: STATES.partFailed },
              ],
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
      [STATES.report]: task(functions.report, settings, {
        // The report is the run's last word: if it cannot be written, the run fails visibly.
        catch: [
          { ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: STATES.reportNotWritten },
        ],
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
