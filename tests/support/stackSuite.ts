// Runs a suite once per stack over the graph that stack recorded with its own config.
import { loadStackConfig } from "../../local/stackConfig";
import { STACKS, StackGraph, stackGraph } from "../harness/graph";

/** The stacks whose config file sets `serverless-notes:<key>` to this value. */
export function stacksWhere(key: string, value: string): string[] {
  const stacks = STACKS.filter((s) => loadStackConfig(s)[`serverless-notes:${key}`] === value);
  if (stacks.length === 0) throw new Error(`no stack sets ${key} to ${value}: nothing to test`);
  return stacks;
}

export function forEachStack(
  title: string,
  body: (get: () => StackGraph) => void,
  stacks: readonly string[] = STACKS,
): void {
  for (const stack of stacks) {
    describe(`${title} (${stack})`, function () {
      let graph: StackGraph | undefined;
      before(async function () {
        this.timeout(120_000);
        graph = await stackGraph(stack);
      });
      body(() => {
        if (!graph) throw new Error(`the ${stack} stack was not recorded`);
        return graph;
      });
    });
  }
}

/** A boolean from the stack's config file. */
export function flag(graph: StackGraph, key: string): boolean {
  return graph.config(`serverless-notes:${key}`) === "true";
}

export function numberSetting(graph: StackGraph, key: string): number {
  return Number(graph.config(`serverless-notes:${key}`));
}

/** The physical name the program derives for a stack. */
export function physical(graph: StackGraph, what: string): string {
  return `serverless-notes-${graph.stack}-${what}`;
}
