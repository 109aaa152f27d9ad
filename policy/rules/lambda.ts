// Lambda functions run on a runtime AWS still supports, say how much memory and time they get,
// and log into a group that forgets: Lambda's own log group keeps everything forever.
import * as aws from "@pulumi/aws";
import {
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { PreviewGaps, Unknown, isUnknown } from "../previewGaps";

/**
 * Runtimes AWS supports for creating and updating functions, from the "Supported runtimes" table
 * of https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html. A runtime leaves this list
 * when AWS deprecates it; an allow-list means a runtime nobody reviewed never passes.
 */
const SUPPORTED_RUNTIMES = [
  // nodejs20.x left with Node.js 20's end of life (deprecated 2026-04-30).
  "nodejs22.x",
  "nodejs24.x",
  "python3.10",
  "python3.11",
  "python3.12",
  "python3.13",
  "python3.14",
  "java8.al2",
  "java11",
  "java17",
  "java21",
  "java25",
  "dotnet8",
  "dotnet10",
  "ruby3.2",
  "ruby3.3",
  "ruby3.4",
  "provided.al2",
  "provided.al2023",
];

export const lambdaSupportedRuntime: ResourceValidationPolicy = {
  name: "lambda-supported-runtime",
  description: "Lambda functions use a runtime AWS still supports (nodejs22.x or newer, …).",
  validateResource: validateResourceOfType(aws.lambda.Function, (fn, args, report) => {
    // A container image brings its own runtime.
    if (fn.packageType === "Image") return;
    if (fn.runtime === undefined) {
      report(`Function "${args.name}" names no runtime.`);
    } else if (!SUPPORTED_RUNTIMES.includes(fn.runtime)) {
      report(
        `Function "${args.name}" runs on ${fn.runtime}, which AWS no longer supports: ` +
          "move it to a supported runtime such as nodejs24.x.",
      );
    }
  }),
};

export const lambdaExplicitMemoryAndTimeout: ResourceValidationPolicy = {
  name: "lambda-explicit-memory-and-timeout",
  description: "Lambda functions set memorySize and timeout rather than take Lambda's defaults.",
  validateResource: validateResourceOfType(aws.lambda.Function, (fn, args, report) => {
    // Presence is what counts, so a value still unknown during preview is set all the same.
    const missing = (["memorySize", "timeout"] as const).filter((key) => !(key in fn));
    if (missing.length > 0) {
      report(
        `Function "${args.name}" does not set ${missing.join(" or ")}: Lambda's defaults ` +
          "(128 MB, 3 s) are rarely what a function needs; choose them.",
      );
    }
  }),
};

/** The log groups a function writes to, or unknown while names are still being computed. */
function logGroupsOf(
  fn: PolicyResource,
  logGroups: PolicyResource[],
  gaps: PreviewGaps,
): { target: string; groups: PolicyResource[] } | Unknown {
  const names = logGroups.map((lg) => ({ lg, name: gaps.read(() => lg.props.name as string) }));
  const nameUnknown = names.find((n) => isUnknown(n.name))?.name as Unknown | undefined;
  /** Whether the engine recorded `resource.props[key]` as computed from `source`. */
  const computedFrom = (resource: PolicyResource, key: string, source: PolicyResource) =>
    (resource.propertyDependencies[key] ?? []).some((d) => d.urn === source.urn);

  const configured = gaps.read(() => fn.props.loggingConfig?.logGroup as string | undefined);
  if (isUnknown(configured)) {
    const groups = logGroups.filter((lg) => computedFrom(fn, "loggingConfig", lg));
    return groups.length > 0 ? { target: "its configured log group", groups } : configured;
  }
  if (configured) {
    const groups = names.filter((n) => n.name === configured).map((n) => n.lg);
    return groups.length > 0 || !nameUnknown ? { target: configured, groups } : nameUnknown;
  }
  const fnName = gaps.read(() => fn.props.name as string);
  const target = isUnknown(fnName) ? "/aws/lambda/<name>" : `/aws/lambda/${fnName}`;
  const groups = names
    .filter((n) => (isUnknown(n.name) ? computedFrom(n.lg, "name", fn) : n.name === target))
    .map((n) => n.lg);
  if (groups.length > 0 || !(nameUnknown || isUnknown(fnName))) return { target, groups };
  return nameUnknown ?? (fnName as Unknown);
}

export const lambdaLogGroupRetention: StackValidationPolicy = {
  name: "lambda-log-group-retention",
  description:
    "Every Lambda function logs into a CloudWatch log group of the stack with a finite retention.",
  validateStack: (args, report) => {
    const gaps = new PreviewGaps();
    const logGroups = args.resources.filter((r) => r.isType(aws.cloudwatch.LogGroup));
    for (const fn of args.resources.filter((r) => r.isType(aws.lambda.Function))) {
      const found = logGroupsOf(fn, logGroups, gaps);
      if (isUnknown(found)) {
        gaps.skip(found);
        continue;
      }
      if (found.groups.length === 0) {
        report(
          `Function "${fn.name}" writes to ${found.target}, which no log group of the stack ` +
            "declares, so Lambda creates it with no retention: declare it with retentionInDays.",
          fn.urn,
        );
      }
      for (const lg of found.groups) {
        const days = gaps.read(() => lg.props.retentionInDays as number | undefined);
        if (isUnknown(days)) gaps.skip(days);
        else if (typeof days !== "number" || days <= 0) {
          report(
            `Log group "${lg.name}" of function "${fn.name}" keeps its logs forever: set retentionInDays.`,
            lg.urn,
          );
        }
      }
    }
    gaps.finish();
  },
};
