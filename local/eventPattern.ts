// EventBridge's event patterns, as far as the program uses them: nested fields, lists of exact
// values (any one matches, also against each element of an array in the event) and `wildcard`
// (EventBridge user guide, "Amazon EventBridge event patterns" and "Comparison operators for use
// in event patterns"). No maintained npm library matches patterns locally (the one published,
// eb-patterns, is no longer on the registry), so this covers exactly those features and refuses
// any other operator by name instead of guessing.

/** A pattern this matcher does not evaluate: its rule cannot run locally. */
export class UnsupportedPattern extends Error {}

export type EventMatcher = (event: unknown) => boolean;

type Leaf = (value: unknown) => boolean;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A `wildcard` value as a regular expression: `*` is any run of characters (slashes included),
 * `\*` a literal star and `\\` a literal backslash. EventBridge refuses `**`.
 */
function wildcard(pattern: string, where: string): RegExp {
  if (pattern.includes("**")) {
    throw new UnsupportedPattern(`${where}: consecutive wildcard characters are not allowed`);
  }
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\" && (pattern[i + 1] === "*" || pattern[i + 1] === "\\")) {
      source += `\\${pattern[++i]}`;
    } else if (c === "*") {
      source += "[\\s\\S]*";
    } else {
      source += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`);
}

function leafMatcher(condition: unknown, where: string): Leaf {
  if (condition === null || ["string", "number", "boolean"].includes(typeof condition)) {
    return (value) => value === condition;
  }
  if (isObject(condition)) {
    const operators = Object.keys(condition);
    if (operators.length === 1 && typeof condition.wildcard === "string") {
      const regex = wildcard(condition.wildcard, where);
      return (value) => typeof value === "string" && regex.test(value);
    }
    throw new UnsupportedPattern(
      `${where}: the ${operators.map((o) => JSON.stringify(o)).join(", ")} operator is not matched locally (only exact values and "wildcard" are)`,
    );
  }
  throw new UnsupportedPattern(`${where}: ${JSON.stringify(condition)} is not a value to match`);
}

function fieldMatcher(pattern: unknown, where: string): (value: unknown) => boolean {
  if (Array.isArray(pattern)) {
    if (pattern.length === 0)
      throw new UnsupportedPattern(`${where}: an empty list matches nothing`);
    const leaves = pattern.map((p, i) => leafMatcher(p, `${where}[${i}]`));
    const one = (value: unknown) => leaves.some((leaf) => leaf(value));
    return (value) => value !== undefined && (Array.isArray(value) ? value.some(one) : one(value));
  }
  if (isObject(pattern)) {
    const fields = Object.entries(pattern).map(
      ([name, sub]) => [name, fieldMatcher(sub, `${where}.${name}`)] as const,
    );
    if (fields.length === 0) throw new UnsupportedPattern(`${where}: an empty object`);
    return (value) => isObject(value) && fields.every(([name, match]) => match(value[name]));
  }
  throw new UnsupportedPattern(
    `${where}: ${JSON.stringify(pattern)} must be a list of values or an object of fields`,
  );
}

/** The pattern made into a matcher; throws UnsupportedPattern for what it does not evaluate. */
export function compilePattern(pattern: Record<string, unknown>): EventMatcher {
  return fieldMatcher(pattern, "$");
}
