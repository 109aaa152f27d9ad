// The CSV import as a Step Functions workflow: any size up to 1 GiB, never half-done and silent.
//
//   aws s3 cp x.csv s3://<notes bucket>/imports/x.csv
//     │ S3 → EventBridge (the bucket's notification `eventbridge: true`)
//     ▼
//   EventBridge rule: source aws.s3, detail-type "Object Created", this bucket, and a key
//     matching one of the wildcards imports/*.csv, imports/*.csV, … imports/*.CSV
//     │ target: the state machine, the whole event as input (its role: states:StartExecution
//     ▼ on this state machine only)
//   Standard state machine
//     Check ──▶ Reported? ──(a report of this version)──▶ AlreadyReported (ends with it)
//       │          ├──(refused: over 1 GiB, no header)──────────────────┐
//       │          ▼                                                     │
//       │        Split ──▶ Load (Map, MaxConcurrency) ─┬─▶ Report ◀─────┘
//       │                   └ LoadPart ─(Catch)─▶ PartFailed           │
//       └───────(Catch States.ALL, with Error and Cause)───────────────┘
//   Report ─▶ Outcome? ─▶ Imported (Succeed) | ImportFailed (Fail: a part or step failed)
//     └─(Catch)─▶ ReportNotWritten (Fail)
//
// Why EventBridge and not a starter function: the rule's pattern can match the suffix in any
// case, which S3's own notification filter cannot; the rule starts the execution itself, so there is
// no function to size, retry, alarm and give a dead-letter queue just to call StartExecution;
// and the bucket's notification stays free of per-consumer entries (EventBridge gets every
// event, rules choose). Failed deliveries are retried within bounds, then kept in a queue.
//
// The key's two conditions sit on one field, and EventBridge ORs the conditions of one field
// ("Comparison operators for use in event patterns",
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html):
// `prefix` and `suffix` with `equals-ignore-case` side by side would match `imports/x.json` and
// `other/x.csv`. A `wildcard` holds both, but compares case-sensitively, so the rule lists the
// eight spellings of the suffix (`imports/*.csv` … `imports/*.CSV`): exactly "ends in .csv in
// any case". `*` matches "/" too, so uploads in sub-folders are imported.
//
// Input: the EventBridge event as it is (`detail.bucket.name`, `detail.object.key`, and where
// present `detail.object.version-id`); an operator re-runs an import with the same shape. Check
// trusts none of the event's size or ETag: HeadObject answers them, for the version it names.
//
// Output layout, collision-free for any two upload keys: everything an import writes lives under
// `results/<encodeURIComponent(upload key)>/<ETag>/` — `report.json` and one `part-NNNNN.json`
// per part (its rows converted to JSON and the rows it refused). encodeURIComponent is
// injective and turns every "/" into "%2F", so no upload key's folder is a prefix of another's,
// and nothing written there is under `imports/`, so no output starts another import.
//
// Idempotency by object version: the ETag (and the version id where the bucket is versioned)
// names the run's folder. Check finds a finished report there and ends at once with it; a report
// that says "Failed" does not count, so re-running the same version finishes it. Rows are written
// with BatchWriteItem as whole items whose every attribute comes from the file version: the
// note's text, `Version` 1, and `CreatedAt`/`UpdatedAt` set to the object's LastModified. A
// resumed or retried part therefore writes the same items again, so nothing doubles or churns.
// A new version at the same key is imported in full (the current import's rule: its rows
// overwrite those notes, at Version 1).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { occurrenceAlarm } from "./alarms";
import type { AlarmNotifications } from "./alarms";
import { deadLetterQueue } from "./failedEvents";
import type { AsyncInvocationArgs } from "./failedEvents";
import { Function } from "./function";
import type { FunctionArgs, HandlerFactory } from "./function";
import {
  assumableBy,
  executionStarting,
  functionInvoking,
  logDelivery,
  policyDocument,
  queueSendingBy,
  workflowTraceWriting,
} from "./iamDocuments";

/** One step's function: what it runs and exactly what it may do. */
export interface WorkflowStep {
  /** The function's resource name, e.g. `importCheck`. */
  name: string;
  /** The function's physical name. */
  functionName: pulumi.Input<string>;
  handlerFactory: HandlerFactory;
  grants: aws.iam.PolicyStatement[];
  modules?: string[];
  environment?: Record<string, pulumi.Input<string>>;
}

export interface ImportWorkflowArgs<Step extends string> {
  /** The state machine's physical name; its log group is `/aws/vendedlogs/states/<name>`. */
  stateMachineName: string;
  /** The EventBridge rule's physical name. */
  ruleName: string;
  bucket: { bucketName: pulumi.Input<string>; arn: pulumi.Input<string> };
  /** Uploads whose key starts with this (a folder, e.g. `imports/`) … */
  prefix: string;
  /** … and ends with this in any case (e.g. `.csv`) start the workflow. */
  suffix: string;
  /** Each step's function, by the name the definition gives its ARN. */
  steps: Record<Step, WorkflowStep>;
  /** The state machine's definition, built from the steps' function ARNs. */
  definition: (functionArns: Record<Step, string>) => object;
  /** Size, time, logs and alarms of the steps' functions. */
  functionSettings: Pick<
    FunctionArgs,
    "memoryMb" | "timeoutSeconds" | "logRetentionDays" | "tracing" | "errorAlarm"
  >;
  /** Days the state machine's log group keeps execution logs. */
  logRetentionDays: number;
  /** X-Ray tracing of the executions. */
  tracing: boolean;
  /** Where set, alarms on failed executions and on events that could not start one, notifying there. */
  alarms?: AlarmNotifications;
  /** EventBridge's retries of a StartExecution that fails, before the event goes to a queue. */
  delivery: AsyncInvocationArgs;
}

/** Eight wildcards, one per spelling of `suffix`'s letters: "ends in suffix, any case". */
export function anyCaseKeyWildcards(prefix: string, suffix: string): { wildcard: string }[] {
  if (/[*\\]/.test(prefix + suffix)) throw new Error("prefix and suffix may not hold * or \\");
  let spellings = [""];
  for (const char of suffix) {
    const cases = [...new Set([char.toLowerCase(), char.toUpperCase()])];
    spellings = spellings.flatMap((head) => cases.map((c) => head + c));
  }
  return spellings.map((spelling) => ({ wildcard: `${prefix}*${spelling}` }));
}

/** S3's "Object Created" events of one bucket whose key is an upload to import. */
export function uploadPattern(bucketName: string, prefix: string, suffix: string): object {
  return {
    source: ["aws.s3"],
    "detail-type": ["Object Created"],
    detail: {
      bucket: { name: [bucketName] },
      object: { key: anyCaseKeyWildcards(prefix, suffix) },
    },
  };
}

/**
 * The import workflow: its step functions, the Standard state machine that runs them, and the
 * EventBridge wiring from the bucket's uploads to new executions (see the comment above).
 */
export class ImportWorkflow<Step extends string> extends pulumi.ComponentResource {
  readonly stateMachineArn: pulumi.Output<string>;
  readonly stateMachineName: pulumi.Output<string>;

  constructor(
    name: string,
    args: ImportWorkflowArgs<Step>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("serverless-notes:workflow:ImportWorkflow", name, {}, opts);
    const keys = Object.keys(args.steps) as Step[];

    // Each step on its own function, role and log group, with exactly its grants. Step
    // Functions invokes them and waits: their retries and failures are the definition's.
    const functions = keys.map(
      (key) =>
        new Function(
          args.steps[key].name,
          {
            functionName: args.steps[key].functionName,
            handlerFactory: args.steps[key].handlerFactory,
            grants: args.steps[key].grants,
            modules: args.steps[key].modules,
            environment: args.steps[key].environment,
            ...args.functionSettings,
          },
          { parent: this },
        ),
    );
    const arns = functions.map((fn) => fn.arn);

    // The executions' own log; the vendedlogs prefix keeps CloudWatch Logs' resource policy
    // from growing with every log group. Fixed name: a replacement deletes the old one first.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-executions`,
      {
        name: `/aws/vendedlogs/states/${args.stateMachineName}`,
        retentionInDays: args.logRetentionDays,
      },
      { parent: this, deleteBeforeReplace: true },
    );

    // The state machine's role: trusted by Step Functions only; it invokes its own functions,
    // delivers its logs, and traces where traced.
    const role = new aws.iam.Role(
      name,
      { assumeRolePolicy: assumableBy("states.amazonaws.com") },
      { parent: this },
    );
    const rolePolicy = new aws.iam.RolePolicy(
      name,
      {
        role: role.id,
        policy: policyDocument(
          functionInvoking(arns),
          logDelivery(),
          ...(args.tracing ? [workflowTraceWriting()] : []),
        ),
      },
      { parent: this },
    );

    // The workflow, its definition built from data with the functions' ARNs in. Step Functions
    // checks the role when it is saved: the policy first. Fixed name: delete before replace.
    const stateMachine = new aws.sfn.StateMachine(
      name,
      {
        name: args.stateMachineName,
        type: "STANDARD",
        roleArn: role.arn,
        definition: pulumi.all(arns).apply((resolved) => {
          const byStep = Object.fromEntries(keys.map((key, i) => [key, resolved[i]]));
          return JSON.stringify(args.definition(byStep as Record<Step, string>));
        }),
        loggingConfiguration: {
          logDestination: pulumi.interpolate`${logGroup.arn}:*`,
          includeExecutionData: true,
          level: "ALL",
        },
        tracingConfiguration: { enabled: args.tracing },
      },
      { parent: this, dependsOn: [rolePolicy], deleteBeforeReplace: true },
    );

    // S3 sends every event of the bucket to EventBridge; the rule below picks the uploads.
    new aws.s3.BucketNotification(
      name,
      { bucket: args.bucket.bucketName, eventbridge: true },
      { parent: this },
    );

    // An upload to import. Fixed name: a replacement deletes the old rule first.
    const rule = new aws.cloudwatch.EventRule(
      name,
      {
        name: args.ruleName,
        description: `Starts ${args.stateMachineName} for each ${args.prefix}*${args.suffix} (any case) created`,
        eventPattern: pulumi
          .output(args.bucket.bucketName)
          .apply((bucket) => JSON.stringify(uploadPattern(bucket, args.prefix, args.suffix))),
      },
      { parent: this, deleteBeforeReplace: true },
    );

    // EventBridge's role for the target: starting executions of this state machine only.
    const eventsRole = new aws.iam.Role(
      `${name}-events`,
      { assumeRolePolicy: assumableBy("events.amazonaws.com") },
      { parent: this },
    );
    const eventsPolicy = new aws.iam.RolePolicy(
      `${name}-events`,
      { role: eventsRole.id, policy: policyDocument(executionStarting(stateMachine.arn)) },
      { parent: this },
    );

    // Events EventBridge could not deliver after its retries land here (alarmed where asked);
    // only this rule may send to it.
    const failed = deadLetterQueue(`${name}-events`, args.alarms, { parent: this });
    const queuePolicy = new aws.sqs.QueuePolicy(
      `${name}-events-failed`,
      {
        queueUrl: failed.url,
        policy: policyDocument(queueSendingBy("events.amazonaws.com", failed.arn, rule.arn)),
      },
      { parent: this },
    );

    const { maximumRetryAttempts: retries, maximumEventAgeSeconds: age } = args.delivery;
    if (!Number.isInteger(retries) || retries < 0 || retries > 185) {
      throw new Error(`${name}: maximumRetryAttempts ${retries} is not from 0 to 185`);
    }
    if (!Number.isInteger(age) || age < 60 || age > 86_400) {
      throw new Error(`${name}: maximumEventAgeSeconds ${age} is not from 60 to 86400`);
    }
    // The whole event is the execution's input: an operator re-runs an import with the same.
    new aws.cloudwatch.EventTarget(
      name,
      {
        rule: rule.name,
        arn: stateMachine.arn,
        roleArn: eventsRole.arn,
        retryPolicy: { maximumRetryAttempts: retries, maximumEventAgeInSeconds: age },
        deadLetterConfig: { arn: failed.arn },
      },
      { parent: this, dependsOn: [eventsPolicy, queuePolicy] },
    );

    if (args.alarms) {
      // An import that stopped, or whose report could not be written.
      occurrenceAlarm(
        `${name}-failed-executions`,
        {
          description: pulumi.interpolate`Failed imports of ${stateMachine.name}: read their reports`,
          namespace: "AWS/States",
          metricName: "ExecutionsFailed",
          dimensions: { StateMachineArn: stateMachine.arn },
          notify: args.alarms,
        },
        { parent: this },
      );
    }

    this.stateMachineArn = stateMachine.arn;
    this.stateMachineName = stateMachine.name;
    this.registerOutputs({ stateMachineArn: this.stateMachineArn });
  }
}
