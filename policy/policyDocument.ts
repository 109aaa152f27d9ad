// Reading IAM policy documents as the engine hands them over: a JSON string (what the provider
// stores) or the typed `aws.iam.PolicyDocument` object the program wrote.

export interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

type ParsedDocument = { statements: Statement[] } | { error: string };

export function parseDocument(document: unknown): ParsedDocument {
  let value = document;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch (err) {
      return { error: `not JSON (${(err as Error).message})` };
    }
  }
  if (!value || typeof value !== "object" || !("Statement" in value)) {
    return { error: "no Statement" };
  }
  const statement = (value as { Statement: unknown }).Statement;
  const statements = Array.isArray(statement) ? statement : [statement];
  if (statements.some((s) => !s || typeof s !== "object")) {
    return { error: "a statement is not an object" };
  }
  return { statements: statements as Statement[] };
}

export const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** `*` or `service:*`: every action, or every action of a service. */
export const isWildcardAction = (action: string): boolean =>
  /^(?:[A-Za-z0-9-]+:)?\*+$/.test(action);

/** `"*"` or `{ AWS: "*" }`: anyone at all, signed in or not. */
export function isEveryone(principal: unknown): boolean {
  if (principal === "*") return true;
  if (principal && typeof principal === "object" && "AWS" in principal) {
    return asList((principal as { AWS: string | string[] }).AWS).includes("*");
  }
  return false;
}

/** How a message names a statement: its Sid, or its position. */
export const describeStatement = (statement: Statement, index: number): string =>
  statement.Sid ? `statement "${statement.Sid}"` : `statement ${index + 1}`;

export const quoted = (values: string[]): string => values.map((v) => `"${v}"`).join(", ");
