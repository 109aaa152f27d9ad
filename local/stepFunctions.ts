// The program's state machines, run by aws-local-stepfunctions (a maintained Amazon States
// Language interpreter on npm). Each Task state that invokes a Lambda function (its ARN as the
// Resource, or `arn:aws:states:::lambda:invoke` with FunctionName and Payload) runs that
// function in the local Lambda runtime, once the state machine's role is seen to allow
// `lambda:InvokeFunction` on it; every state's and execution's outcome is one log line.
import { randomUUID } from "node:crypto";
import { ExecutionAbortedError, ExecutionError, StateMachine } from "aws-local-stepfunctions";
import type { RunOptions, StateMachineDefinition } from "aws-local-stepfunctions";
import { accessDeniedMessage, evaluate } from "./iam";
import type { InvokeOutcome } from "./lambdaRuntime";
import type { LocalFunction, LocalStateMachine } from "./model";

// aws-local-stepfunctions 3.x calls Promise.withResolvers, which Node.js has from 22; npm start
// may run on Node.js 20, so the standard method is added where it is missing.
const promises = Promise as unknown as { withResolvers?: unknown };
if (typeof promises.withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor) {
      let resolve!: (value: T) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((yes, no) => ((resolve = yes), (reject = no)));
      return { promise, resolve, reject };
    },
  });
}

/** A Standard workflow's limit on a state's input or output ("Step Functions service quotas"). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
const LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke";

export interface ExecutionResult {
  status: "SUCCEEDED" | "FAILED" | "ABORTED";
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface Execution {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  /** Settles when the execution ends, however it ends. */
  done: Promise<ExecutionResult>;
}

export interface StepFunctionsOptions {
  stateMachines: LocalStateMachine[];
  functions: LocalFunction[];
  /** Runs a function in the local Lambda runtime. */
  invoke: (functionName: string, payload: unknown) => Promise<InvokeOutcome>;
  /** One line per state and per execution outcome. */
  onLog?: (line: string) => void;
}

export interface LocalStepFunctions {
  startExecution(stateMachineArn: string, input: unknown, name?: string): Execution;
  /** Task states the local interpreter cannot run, each with why: reported at start. */
  unsupported: string[];
  /** Aborts every running execution and waits for each to end. */
  close(): Promise<void>;
}

type StateDefinition = Record<string, unknown> & { Type?: string };

/** Every state of a definition by name, those inside Map and Parallel states included. */
function allStates(definition: Record<string, unknown>): [string, StateDefinition][] {
  const states = Object.entries((definition.States ?? {}) as Record<string, StateDefinition>);
  return states.flatMap(([name, state]) => {
    const nested = [
      state.ItemProcessor,
      state.Iterator,
      ...((state.Branches as unknown[]) ?? []),
    ].filter((d): d is Record<string, unknown> => typeof d === "object" && d !== null);
    return [[name, state] as [string, StateDefinition], ...nested.flatMap(allStates)];
  });
}

/** A named error as Step Functions reports it: `Error` is the name, `Cause` the message. */
const stateError = (name: string, cause: string) => Object.assign(new Error(cause), { name });

/** A Lambda function's failure as Step Functions passes it on: its errorType, the payload as cause. */
function functionFailure(outcome: InvokeOutcome, timeoutSeconds: number): Error {
  if ("error" in outcome) {
    const { errorType, errorMessage } = outcome.error;
    return stateError(errorType, JSON.stringify({ errorType, errorMessage, trace: [] }));
  }
  return stateError(
    "Sandbox.Timedout",
    JSON.stringify({ errorMessage: `Task timed out after ${timeoutSeconds.toFixed(2)} seconds` }),
  );
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const brief = (text: unknown) => {
  const s = typeof text === "string" ? text : JSON.stringify(text);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
};

export function startStepFunctions(options: StepFunctionsOptions): LocalStepFunctions {
  const log = (line: string) => options.onLog?.(line);
  const functionOf = (nameOrArn: string) =>
    options.functions.find(
      (f) => f.name === nameOrArn || f.arn === nameOrArn || nameOrArn.startsWith(`${f.arn}:`),
    );
  const running = new Map<string, { abort(): void; done: Promise<ExecutionResult> }>();
  const unsupported: string[] = [];

  /** The local handler of each Task state, by state name, for one state machine. */
  function taskHandlers(machine: LocalStateMachine) {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, state] of allStates(machine.definition)) {
      if (state.Type !== "Task") continue;
      const resource = String(state.Resource);
      const direct = resource.startsWith("arn:aws:lambda:") ? functionOf(resource) : undefined;
      if (resource !== LAMBDA_INVOKE && !direct) {
        unsupported.push(
          `${machine.name}: state "${stateName}" calls ${resource}, which is not run locally (only Lambda functions of this program are)`,
        );
      }
      handlers[stateName] = async (input) => {
        const request = input as { FunctionName?: string; Payload?: unknown };
        const fn =
          direct ??
          (resource === LAMBDA_INVOKE ? functionOf(String(request.FunctionName)) : undefined);
        if (!fn) {
          throw stateError("States.TaskFailed", `${resource} is not a function of this program`);
        }
        const payload = direct ? input : request.Payload;
        const { decision } = evaluate(machine.role.statements, "lambda:InvokeFunction", fn.arn);
        if (decision !== "allow") {
          const principal = `arn:aws:sts::${machine.role.arn.split(":")[4]}:assumed-role/${machine.role.name}/${machine.name}`;
          throw stateError(
            "Lambda.AWSLambdaException",
            `${accessDeniedMessage(principal, "lambda:InvokeFunction", fn.arn, decision)} (Service: Lambda, Status Code: 403, Error Code: AccessDeniedException)`,
          );
        }
        const outcome = await options.invoke(fn.name, payload);
        if (!("result" in outcome)) throw functionFailure(outcome, fn.timeoutSeconds);
        if (Buffer.byteLength(JSON.stringify(outcome.result ?? null)) > MAX_PAYLOAD_BYTES) {
          throw stateError(
            "States.DataLimitExceeded",
            `The state/task '${stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`,
          );
        }
        return direct
          ? outcome.result
          : { ExecutedVersion: "$LATEST", Payload: outcome.result, StatusCode: 200 };
      };
    }
    return handlers;
  }

  const machines = new Map(
    options.stateMachines.map((machine) => [
      machine.arn,
      {
        machine,
        handlers: taskHandlers(machine),
        // The interpreter's own types of a definition; the value is the program's JSON.
        interpreter: new StateMachine(
          structuredClone(machine.definition) as unknown as StateMachineDefinition,
          { validationOptions: { checkArn: true, checkPaths: true } },
        ),
      },
    ]),
  );

  async function logEvents(
    label: string,
    events: AsyncGenerator<{ type: string; timestamp: number } & Record<string, unknown>>,
  ) {
    const entered = new Map<string, number>();
    for await (const event of events) {
      const state = event.state as { name: string } | undefined;
      const where = state
        ? `${state.name}${event.index === undefined ? "" : `[${String(event.index)}]`}`
        : "";
      const took = () => seconds(event.timestamp - (entered.get(where) ?? event.timestamp));
      if (event.type === "StateEntered") entered.set(where, event.timestamp);
      else if (event.type === "StateExited") log(`${label} ${where} succeeded (${took()})`);
      else if (event.type === "StateFailed") {
        log(`${label} ${where} failed (${took()}): ${String(event.Error)} ${brief(event.Cause)}`);
      } else if (event.type === "StateRetried") {
        const retry = event.retry as { attempt: number; retrier: { MaxAttempts?: number } };
        log(
          `${label} ${where} retried (attempt ${retry.attempt} of ${retry.retrier.MaxAttempts ?? 3})`,
        );
      } else if (event.type === "StateCaught") {
        log(
          `${label} ${where} caught → ${(event.catch as { catcher: { Next: string } }).catcher.Next}`,
        );
      }
    }
  }

  function startExecution(stateMachineArn: string, input: unknown, name = randomUUID()): Execution {
    const found = machines.get(stateMachineArn);
    if (!found)
      throw stateError(
        "StateMachineDoesNotExist",
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    if (Buffer.byteLength(JSON.stringify(input ?? {})) > MAX_PAYLOAD_BYTES) {
      throw stateError("InvalidExecutionInput", "the input is over 262144 bytes");
    }
    const { machine, handlers, interpreter } = found;
    const executionArn = machine.arn.replace(":stateMachine:", ":execution:") + `:${name}`;
    const label = `[${machine.name.split("-").pop()} ${name.slice(0, 8)}]`;
    const started = Date.now();
    const overrides: RunOptions["overrides"] = {
      taskResourceLocalHandlers: handlers as NonNullable<
        RunOptions["overrides"]
      >["taskResourceLocalHandlers"],
    };
    const run = interpreter.run(JSON.parse(JSON.stringify(input ?? {})), {
      overrides,
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          StartTime: new Date(started).toISOString(),
          RoleArn: machine.role.arn,
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });
    log(`${label} started ${machine.name}`);
    const events = logEvents(label, run.eventLogs as Parameters<typeof logEvents>[1]).catch(
      () => undefined,
    );
    const done = run.result
      .then(
        (output): ExecutionResult => ({ status: "SUCCEEDED", output }),
        (error: unknown): ExecutionResult => {
          if (error instanceof ExecutionError) {
            const cause = error.cause as { name: string; message: string };
            return { status: "FAILED", error: cause.name, cause: cause.message };
          }
          if (error instanceof ExecutionAbortedError) return { status: "ABORTED" };
          return { status: "FAILED", error: "States.Runtime", cause: String(error) };
        },
      )
      .then(async (result) => {
        await events;
        const why = result.error ? `: ${result.error} ${brief(result.cause)}` : "";
        log(`${label} ${result.status} in ${seconds(Date.now() - started)}${why}`);
        running.delete(executionArn);
        return result;
      });
    running.set(executionArn, { abort: run.abort, done });
    return { executionArn, name, stateMachineArn, done };
  }

  return {
    startExecution,
    unsupported,
    close: async () => {
      const all = [...running.values()];
      for (const execution of all) execution.abort();
      await Promise.all(all.map((e) => e.done));
    },
  };
}
