// The Amazon States Language interpreter the workflow tests run definitions on
// (aws-local-stepfunctions). Its 3.x calls Promise.withResolvers, which Node.js has from 22; the
// tests may run on Node.js 20, so the standard method is added where it is missing.
import { ExecutionError, StateMachine } from "aws-local-stepfunctions";
import type { RunOptions, StateMachineDefinition } from "aws-local-stepfunctions";
import type { State } from "../../app/workflowDefinition";

type Resolvers = { promise: Promise<unknown>; resolve: unknown; reject: unknown };
const promise = Promise as unknown as { withResolvers?: () => Resolvers };
if (typeof promise.withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers(this: PromiseConstructor): Resolvers {
      let resolve: unknown;
      let reject: unknown;
      const created = new this((yes, no) => {
        resolve = yes;
        reject = no;
      });
      return { promise: created, resolve, reject };
    },
  });
}

/** How an execution ended: its output, or the error of the Fail state (or failure) it ended in. */
export type Ending = { output: unknown } | { error: { name: string; message: string } };

/** A Task state's local stand-in for its function: JSON in, JSON out. */
export type LocalTask = (input: unknown) => Promise<unknown>;

/**
 * Runs `definition` (validated: ARNs and paths checked) on `input`, each Task state named in
 * `tasks` answered by its local function, retries without waiting, and resolves with the
 * execution's output, or with the error it failed with.
 */
export async function runLocally(
  definition: object,
  input: unknown,
  tasks: Record<string, LocalTask>,
): Promise<Ending> {
  const overrides: RunOptions["overrides"] = {
    taskResourceLocalHandlers: tasks as NonNullable<
      RunOptions["overrides"]
    >["taskResourceLocalHandlers"],
    retryIntervalOverrides: Object.fromEntries(Object.keys(tasks).map((name) => [name, 0])),
  };
  // The interpreter's types of a definition and of JSON are its own; the values are plain JSON.
  const machine = new StateMachine(structuredClone(definition) as StateMachineDefinition, {
    validationOptions: { checkArn: true, checkPaths: true },
  });
  const execution = machine.run(JSON.parse(JSON.stringify(input)), { overrides });
  try {
    return { output: await execution.result };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    const cause = error.cause as { name: string; message: string };
    return { error: { name: cause.name, message: cause.message } };
  }
}

/** Every state, those of Map item processors included, by name (names are unique throughout). */
export function allStates(definition: { States: Record<string, State> }): Record<string, State> {
  const states: Record<string, State> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    states[name] = state;
    if (state.Type === "Map") Object.assign(states, allStates(state.ItemProcessor));
  }
  return states;
}
