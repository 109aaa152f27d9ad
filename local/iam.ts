// IAM's decision on one request under a role's identity-based policies, so the local app denies
// exactly what the deployed role would deny. A Condition cannot be evaluated here: when one would
// decide the outcome, evaluation stops with an error rather than guessing either way.
import type { PolicyStatement } from "./model";

export type Decision = "allow" | "explicitDeny" | "implicitDeny";

const asList = (value: string | string[] | undefined): string[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

/**
 * IAM's glob over an ARN (or an action): `*` any run of characters within one colon-separated
 * segment, `?` exactly one; a `*` that ends a segment may run on across colons. (IAM User
 * Guide, "IAM JSON policy elements: Resource", Using wildcards in resource ARNs.)
 */
function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.replace(/[.*+?^${}()|[\]\\]/g, (c, at: number) => {
    if (c === "?") return "[^:]";
    if (c !== "*") return `\\${c}`;
    const endsSegment = at === pattern.length - 1 || pattern[at + 1] === ":";
    return endsSegment ? ".*" : "[^:]*";
  });
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

/** `Action`/`NotAction` or `Resource`/`NotResource`: a statement naming neither matches nothing. */
function elementMatches(
  listed: string | string[] | undefined,
  excluded: string | string[] | undefined,
  value: string,
  ignoreCase: boolean,
): boolean {
  const matchesAny = (patterns: string[]) =>
    patterns.some((p) => globMatches(p, value, ignoreCase));
  const included = asList(listed);
  if (included) return matchesAny(included);
  const notIncluded = asList(excluded);
  if (notIncluded) return !matchesAny(notIncluded);
  return false;
}

function describe(statement: PolicyStatement, index: number): string {
  const sid = statement.Sid ? ` (Sid "${statement.Sid}")` : "";
  return `statement ${index + 1}${sid} ${JSON.stringify(statement)}`;
}

/** AWS refuses these documents at deploy time; locally they must not quietly mean something. */
function checkWellFormed(statement: PolicyStatement, index: number): void {
  const problem =
    statement.Effect !== "Allow" && statement.Effect !== "Deny"
      ? `has the Effect ${JSON.stringify(statement.Effect)}; expected "Allow" or "Deny"`
      : statement.Action !== undefined && statement.NotAction !== undefined
        ? "has both Action and NotAction"
        : statement.Resource !== undefined && statement.NotResource !== undefined
          ? "has both Resource and NotResource"
          : undefined;
  if (problem) throw new Error(`IAM ${describe(statement, index)} ${problem}`);
}

/**
 * AWS's evaluation of identity-based policies: an explicit Deny wins, else any Allow, else the
 * implicit deny. Action names compare case-insensitively, resources case-sensitively.
 */
export function evaluate(
  statements: readonly PolicyStatement[],
  action: string,
  resource: string,
): { decision: Decision } {
  statements.forEach(checkWellFormed);
  const applicable = statements
    .map((statement, index) => ({ statement, index }))
    .filter(
      ({ statement: s }) =>
        elementMatches(s.Action, s.NotAction, action, true) &&
        elementMatches(s.Resource, s.NotResource, resource, false),
    );
  for (const effect of ["Deny", "Allow"] as const) {
    const matching = applicable.filter(({ statement }) => statement.Effect === effect);
    if (matching.some(({ statement }) => statement.Condition === undefined)) {
      return { decision: effect === "Deny" ? "explicitDeny" : "allow" };
    }
    const conditional = matching[0];
    if (conditional) {
      throw new Error(
        `IAM ${describe(conditional.statement, conditional.index)} has a Condition, which is ` +
          `not evaluated locally, and it decides ${action} on ${resource}`,
      );
    }
  }
  return { decision: "implicitDeny" };
}

/** The message of AWS's AccessDeniedException for a request the policies refuse. */
export function accessDeniedMessage(
  principalArn: string,
  action: string,
  resource: string,
  decision: Exclude<Decision, "allow">,
): string {
  const reason =
    decision === "explicitDeny"
      ? "with an explicit deny in an identity-based policy"
      : `because no identity-based policy allows the ${action} action`;
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${reason}`;
}
