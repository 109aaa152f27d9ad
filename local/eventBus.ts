// EventBridge's default bus for the program's rules: an event put on it goes to every enabled
// rule whose pattern matches, and a scheduled rule can be fired now. Each target is reached as
// EventBridge reaches it: a state machine through the target's role (which must allow
// `states:StartExecution` on it), a Lambda function through the function's resource-based
// policy (an `aws.lambda.Permission` for events.amazonaws.com and the rule), with the event
// whole, or the target's constant `input`, or the part its `inputPath` selects.
import { randomUUID } from "node:crypto";
import { compilePattern, UnsupportedPattern } from "./eventPattern";
import type { EventMatcher } from "./eventPattern";
import { evaluate } from "./iam";
import type { InvokeOutcome } from "./lambdaRuntime";
import type { LocalFunction, LocalPermission, LocalRule } from "./model";
import type { ObjectCreated } from "./s3";
import type { Execution, LocalStepFunctions } from "./stepFunctions";

/** An event as EventBridge delivers it ("Amazon EventBridge events", the envelope's fields). */
export interface AwsEvent {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export type Delivery = { rule: string; target: string } & (
  | { kind: "execution"; execution: Execution }
  | { kind: "invocation"; functionName: string; outcome: Promise<InvokeOutcome> }
  | { kind: "refused"; reason: string }
);

export interface EventBusOptions {
  rules: LocalRule[];
  functions: LocalFunction[];
  permissions: LocalPermission[];
  stepFunctions: LocalStepFunctions;
  /** Runs a function in the local Lambda runtime. */
  invoke: (functionName: string, event: unknown) => Promise<InvokeOutcome>;
  account: string;
  region: string;
  onLog?: (line: string) => void;
}

export interface EventBus {
  /** Sends the event to the targets of every enabled rule whose pattern matches it. */
  put(event: AwsEvent): Delivery[];
  /** Sends a scheduled rule's event to its targets now. */
  fire(ruleName: string): Delivery[];
  /** The rules with a schedule, as `fire` takes them. */
  scheduledRules: LocalRule[];
  /** Rules the local bus cannot run, each with why: reported at start. */
  unsupported: string[];
}

/** A rule with no such name, or not a scheduled one. */
export class UnknownRule extends Error {}

/** EventBridge's time format: seconds, no fraction. */
const eventTime = (date = new Date()) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

export function awsEvent(
  fields: Pick<AwsEvent, "source" | "detail-type" | "resources" | "detail">,
  account: string,
  region: string,
): AwsEvent {
  return { version: "0", id: randomUUID(), account, time: eventTime(), region, ...fields };
}

/** What S3 sends to EventBridge for a new object (Amazon S3 user guide, "EventBridge event message structure"). */
export function objectCreatedEvent(
  created: ObjectCreated,
  account: string,
  region: string,
): AwsEvent {
  return awsEvent(
    {
      source: "aws.s3",
      "detail-type": "Object Created",
      resources: [`arn:aws:s3:::${created.bucket}`],
      detail: {
        version: "0",
        bucket: { name: created.bucket },
        object: {
          key: created.key,
          size: created.size,
          etag: created.etag,
          sequencer: Date.now().toString(16).toUpperCase().padStart(18, "0"),
        },
        "request-id": created.requestId,
        requester: account,
        "source-ip-address": created.sourceIp,
        reason: created.reason,
      },
    },
    account,
    region,
  );
}

/** `$.detail.object` → that part of the event; only plain dotted paths are taken. */
function select(event: unknown, inputPath: string): unknown {
  if (!/^\$(\.[A-Za-z0-9_-]+)*$/.test(inputPath)) {
    throw new Error(`inputPath ${inputPath} is not a plain dotted path`);
  }
  return inputPath
    .split(".")
    .slice(1)
    .reduce<unknown>(
      (value, name) => (value as Record<string, unknown> | undefined)?.[name],
      event,
    );
}

export function startEventBus(options: EventBusOptions): EventBus {
  const log = (line: string) => options.onLog?.(line);
  const unsupported: string[] = [];
  const matchers = new Map<string, EventMatcher>();
  for (const rule of options.rules) {
    if (!rule.eventPattern) continue;
    try {
      matchers.set(rule.name, compilePattern(rule.eventPattern));
    } catch (error) {
      if (!(error instanceof UnsupportedPattern)) throw error;
      unsupported.push(`rule ${rule.name} never fires locally: ${error.message}`);
    }
  }
  for (const rule of options.rules) {
    for (const target of rule.targets.filter((t) => t.unsupported.length > 0)) {
      unsupported.push(
        `rule ${rule.name}, target ${target.id}: ${target.unsupported.join(", ")} not applied locally`,
      );
    }
  }

  function deliver(
    rule: LocalRule,
    target: LocalRule["targets"][number],
    event: AwsEvent,
  ): Delivery {
    const base = { rule: rule.name, target: target.arn };
    const refused = (reason: string): Delivery => {
      log(`[events] ${rule.name} → ${target.arn} refused: ${reason}`);
      return { ...base, kind: "refused", reason };
    };
    let input: unknown = event;
    try {
      if (target.input !== undefined) input = JSON.parse(target.input);
      else if (target.inputPath !== undefined) input = select(event, target.inputPath);
    } catch (error) {
      return refused(`the target's input: ${(error as Error).message}`);
    }
    if (target.arn.startsWith("arn:aws:states:")) {
      if (!target.role)
        return refused("the target names no role for EventBridge to start executions with");
      const { decision } = evaluate(target.role.statements, "states:StartExecution", target.arn);
      if (decision !== "allow") {
        return refused(
          `its role ${target.role.name} may not states:StartExecution on it (${decision})`,
        );
      }
      try {
        log(`[events] ${rule.name} → ${target.arn}`);
        const execution = options.stepFunctions.startExecution(target.arn, input);
        return { ...base, kind: "execution", execution };
      } catch (error) {
        return refused((error as Error).message);
      }
    }
    const fn = options.functions.find(
      (f) => f.arn === target.arn || target.arn.startsWith(`${f.arn}:`),
    );
    if (!fn) return refused("not a Lambda function or state machine of this program");
    const permitted = options.permissions.some(
      (p) =>
        (p.functionName === fn.name || p.functionName === fn.arn) &&
        p.principal === "events.amazonaws.com" &&
        (p.action === "lambda:InvokeFunction" || p.action === "lambda:*") &&
        (p.sourceArn === undefined || p.sourceArn === rule.arn),
    );
    if (!permitted) {
      return refused(
        `${fn.name} has no permission for events.amazonaws.com to invoke it for this rule`,
      );
    }
    log(`[events] ${rule.name} → ${fn.name}`);
    return {
      ...base,
      kind: "invocation",
      functionName: fn.name,
      outcome: options.invoke(fn.name, input),
    };
  }

  return {
    put: (event) =>
      options.rules
        .filter((rule) => rule.enabled && matchers.get(rule.name)?.(event))
        .flatMap((rule) => rule.targets.map((target) => deliver(rule, target, event))),
    fire: (ruleName) => {
      const rule = options.rules.find(
        (r) => r.name === ruleName || r.name.endsWith(`-${ruleName}`),
      );
      if (!rule?.scheduleExpression) {
        const known = options.rules.filter((r) => r.scheduleExpression).map((r) => r.name);
        throw new UnknownRule(
          `no scheduled rule ${ruleName}: ${known.length ? `the scheduled rules are ${known.join(", ")}` : "the program declares none"}`,
        );
      }
      const event = awsEvent(
        {
          source: "aws.events",
          "detail-type": "Scheduled Event",
          resources: [rule.arn],
          detail: {},
        },
        options.account,
        options.region,
      );
      log(`[events] ${rule.name} (${rule.scheduleExpression}) fired now`);
      return rule.targets.map((target) => deliver(rule, target, event));
    },
    scheduledRules: options.rules.filter((r) => r.scheduleExpression !== undefined),
    unsupported,
  };
}
