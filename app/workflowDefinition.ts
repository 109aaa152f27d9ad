// The pieces every workflow definition here is built from: the Amazon States Language types the
// definitions are written in (the subset they use), and the retriers and catchers they share, so
// that each workflow (app/importWorkflowDefinition.ts, app/exportWorkflowDefinition.ts) is data
// built by one set of small functions and a reader sees each retry policy once.

/** Lambda's transient errors, as Step Functions names them for a Task on a function ARN. */
export const LAMBDA_TRANSIENT_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
  "Lambda.ClientExecutionTimeoutException",
] as const;

/**
 * DynamoDB's throttling errors, as a function reports them once the SDK's own retries are spent
 * (Lambda names a thrown error by its `name`, the SDK's exception class): the table's capacity,
 * the account's request rate, or a partition's limit. DynamoDB developer guide, "Error handling
 * with DynamoDB": https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 */
export const DYNAMODB_THROTTLING_ERRORS = [
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
] as const;

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

/** One test of a Choice rule, on one variable. */
type Comparison = { Variable: string } & (
  | { IsPresent: boolean }
  | { IsTimestamp: boolean }
  | { StringEquals: string }
  | { BooleanEquals: boolean }
);

export type ChoiceRule = (Comparison | { Not: Comparison }) & { Next: string };

export interface ChoiceState {
  Type: "Choice";
  /** Tried in order: the first that holds is taken. */
  Choices: ChoiceRule[];
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

/**
 * A Map over an array of the state. `INLINE` runs the iterations inside this execution (their
 * events count towards its 25,000); `DISTRIBUTED` runs each as a child execution with its own
 * history, so the parent's history does not grow with the work.
 */
export type MapState = {
  Type: "Map";
  ItemsPath: string;
  ItemSelector: Record<string, unknown>;
  MaxConcurrency: number;
  /** Names the child executions of a distributed Map (at most 40 characters). */
  Label?: string;
  ItemProcessor: {
    ProcessorConfig:
      { Mode: "INLINE" } | { Mode: "DISTRIBUTED"; ExecutionType: "STANDARD" | "EXPRESS" };
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

/** Backoff from `IntervalSeconds`, doubling, capped, with full jitter (a random wait below it). */
function backoff(
  errors: readonly string[],
  intervalSeconds: number,
  maxAttempts: number,
  maxDelaySeconds: number,
): Retrier {
  return {
    ErrorEquals: [...errors],
    IntervalSeconds: intervalSeconds,
    MaxAttempts: maxAttempts,
    BackoffRate: 2,
    MaxDelaySeconds: maxDelaySeconds,
    JitterStrategy: "FULL",
  };
}

/** Lambda's transient errors: 6 attempts, from 1 s, at most 30 s apart. Every Task has it first. */
export function lambdaTransientRetry(): Retrier {
  return backoff(LAMBDA_TRANSIENT_ERRORS, 1, 6, 30);
}

/**
 * Errors a step may meet again and get past by waiting, e.g. DynamoDB's throttling or the import's
 * unprocessed items: 5 attempts, from 2 s, at most 60 s apart.
 */
export function throttledRetry(errors: readonly string[]): Retrier {
  return backoff(errors, 2, 5, 60);
}

/** Everything else, with its `{Error, Cause}` kept at `$.failure`, goes to `next`. */
export function catchAll(next: string): Catcher[] {
  return [{ ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: next }];
}

/** A Task on a Lambda function: Lambda's transient errors retried first, then `retry`. */
export function task(
  resource: string,
  timeoutSeconds: number,
  rest: Partial<Pick<TaskState, "Parameters" | "ResultPath">> & {
    retry?: Retrier[];
    catch: Catcher[];
  } & Transition,
): TaskState {
  const { retry, catch: catchers, ...fields } = rest;
  return {
    Type: "Task",
    Resource: resource,
    TimeoutSeconds: timeoutSeconds,
    ...fields,
    Retry: [lambdaTransientRetry(), ...(retry ?? [])],
    Catch: catchers,
  } as TaskState;
}
