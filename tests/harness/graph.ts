// CDK-style assertions over the graph a stack recorded under mocks: find resources by type,
// match their inputs partially, count them. Every query that finds nothing fails loudly, so a
// test cannot pass by asserting over an empty set.
import { recordStack as recordProgram } from "../../local/recordStack";
import type { RecordOptions, RecordedResource, RecordedStack } from "../../local/recordStack";

export type { RecordedResource, RecordedStack };

/** A matcher: returns a list of mismatches, empty when the value matches. */
export type Matcher = { readonly match: (actual: unknown, at: string) => string[] };

const isMatcher = (v: unknown): v is Matcher =>
  typeof v === "object" && v !== null && typeof (v as Matcher).match === "function";

/**
 * Objects match when every expected key matches (other keys may exist); arrays must have the
 * same length and match element by element; anything else must be equal.
 */
export function mismatches(actual: unknown, expected: unknown, at = "$"): string[] {
  if (isMatcher(expected)) return expected.match(actual, at);
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at}: expected an array, got ${JSON.stringify(actual)}`];
    if (actual.length !== expected.length) {
      return [`${at}: expected ${expected.length} items, got ${JSON.stringify(actual)}`];
    }
    return expected.flatMap((e, i) => mismatches(actual[i], e, `${at}[${i}]`));
  }
  if (expected && typeof expected === "object") {
    if (!actual || typeof actual !== "object" || Array.isArray(actual)) {
      return [`${at}: expected an object, got ${JSON.stringify(actual)}`];
    }
    return Object.entries(expected).flatMap(([k, e]) =>
      mismatches((actual as Record<string, unknown>)[k], e, `${at}.${k}`),
    );
  }
  return actual === expected
    ? []
    : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

export const Match = {
  absent: (): Matcher => ({
    match: (a, at) =>
      a === undefined ? [] : [`${at}: expected nothing, got ${JSON.stringify(a)}`],
  }),
  anyValue: (): Matcher => ({
    match: (a, at) => (a === undefined || a === null ? [`${at}: expected a value`] : []),
  }),
  stringMatching: (re: RegExp): Matcher => ({
    match: (a, at) =>
      typeof a === "string" && re.test(a)
        ? []
        : [`${at}: ${JSON.stringify(a)} does not match ${re}`],
  }),
  /** An array containing items matching each of these, in any order, among others. */
  arrayWith: (items: unknown[]): Matcher => ({
    match: (a, at) => {
      if (!Array.isArray(a)) return [`${at}: expected an array, got ${JSON.stringify(a)}`];
      return items.flatMap((e) =>
        a.some((x) => mismatches(x, e).length === 0)
          ? []
          : [`${at}: no item matches ${JSON.stringify(e)} in ${JSON.stringify(a)}`],
      );
    },
  }),
  /** Exactly this value, no extra keys. */
  exact: (value: unknown): Matcher => ({
    match: (a, at) =>
      JSON.stringify(a) === JSON.stringify(value)
        ? []
        : [`${at}: expected exactly ${JSON.stringify(value)}, got ${JSON.stringify(a)}`],
  }),
};

export class StackGraph {
  constructor(readonly recorded: RecordedStack) {}

  get stack(): string {
    return this.recorded.stack;
  }

  get outputs(): Record<string, unknown> {
    return this.recorded.outputs;
  }

  /** A config value exactly as `Pulumi.<stack>.yaml` gives it. */
  config(key: string): string {
    const value = this.recorded.config[key];
    if (value === undefined) throw new Error(`${this.stack}: no config value ${key}`);
    return value;
  }

  all(): RecordedResource[] {
    return this.recorded.resources;
  }

  /** Every resource of a type whose inputs match; never empty (it throws instead). */
  resources(type: string, props: unknown = {}): RecordedResource[] {
    const ofType = this.recorded.resources.filter((r) => r.type === type);
    if (ofType.length === 0) throw new Error(`${this.stack}: no resource of type ${type}`);
    const found = ofType.filter((r) => mismatches(r.inputs, props).length === 0);
    if (found.length === 0) {
      const why = ofType.map((r) => `  ${r.name}: ${mismatches(r.inputs, props).join("; ")}`);
      throw new Error(`${this.stack}: no ${type} matches\n${why.join("\n")}`);
    }
    return found;
  }

  /** The one resource of a type (and, given, name) whose inputs match. */
  resource(type: string, props: unknown = {}, name?: string): RecordedResource {
    const found = this.resources(type, props).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) {
      throw new Error(
        `${this.stack}: expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`,
      );
    }
    return found[0];
  }

  count(type: string): number {
    return this.recorded.resources.filter((r) => r.type === type).length;
  }

  /** `CDK hasResourceProperties`: at least one resource of the type matches. */
  hasResource(type: string, props: unknown): void {
    this.resources(type, props);
  }

  /** Resources whose parent is the given one. */
  children(parent: RecordedResource, type?: string): RecordedResource[] {
    const key = `${parent.type}::${parent.name}`;
    return this.recorded.resources.filter(
      (r) => r.parent === key && (type === undefined || r.type === type),
    );
  }

  /** Follows a parent chain up to the component of the given type. */
  ancestor(resource: RecordedResource, type: string): RecordedResource | undefined {
    let current: RecordedResource | undefined = resource;
    while (current?.parent) {
      const [parentType, parentName] = splitKey(current.parent);
      current = this.recorded.resources.find((r) => r.type === parentType && r.name === parentName);
      if (current?.type === type) return current;
    }
    return undefined;
  }
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf("::");
  return [key.slice(0, i), key.slice(i + 2)];
}

/** Runs the program for one stack with changed config; a program error is in `recorded.error`. */
export async function recordStack(stack: string, options: RecordOptions = {}): Promise<StackGraph> {
  return new StackGraph(await recordProgram(stack, options));
}

const cache = new Map<string, Promise<StackGraph>>();

/** The stack's graph with its real config, recorded once per test run. */
export function stackGraph(stack: string): Promise<StackGraph> {
  let graph = cache.get(stack);
  if (!graph) {
    graph = recordStack(stack).then((g) => {
      if (g.recorded.error) throw new Error(`stack ${stack} failed: ${g.recorded.error}`);
      return g;
    });
    cache.set(stack, graph);
  }
  return graph;
}

export const STACKS = ["dev", "prod"] as const;
