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
import type { AlarmNotifications } from "./alarms";
import type { AsyncInvocationArgs } from "./failedEvents";
import { workflowMachine } from "./workflowMachine";
import type { WorkflowMachineArgs } from "./workflowMachine";
import { workflowRule } from "./workflowRule";

export interface ImportWorkflowArgs<Step extends string> extends Pick<
  WorkflowMachineArgs<Step>,
  "stateMachineName" | "steps" | "definition" | "functionSettings" | "logRetentionDays" | "tracing"
> {
  /** The EventBridge rule's physical name. */
  ruleName: string;
  bucket: { bucketName: pulumi.Input<string>; arn: pulumi.Input<string> };
  /** Uploads whose key starts with this (a folder, e.g. `imports/`) … */
  prefix: string;
  /** … and ends with this in any case (e.g. `.csv`) start the workflow. */
  suffix: string;
  /** Alarms on failed executions and on events that could not start one. */
  /** Where set, alarms on failed executions and undelivered events, notifying there. */
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

    // The steps' functions, the state machine, its log and role (infra/workflowMachine.ts).
    const stateMachine = workflowMachine(
      name,
      {
        stateMachineName: args.stateMachineName,
        steps: args.steps,
        definition: args.definition,
        functionSettings: args.functionSettings,
        logRetentionDays: args.logRetentionDays,
        tracing: args.tracing,
        // An import that stopped, or whose report could not be written.
        failedExecutionsAlarm: args.alarms
          ? { what: "imports", advice: "read their reports", notify: args.alarms }
          : undefined,
      },
      this,
    );

    // S3 sends every event of the bucket to EventBridge; the rule below picks the uploads.
    new aws.s3.BucketNotification(
      name,
      { bucket: args.bucket.bucketName, eventbridge: true },
      { parent: this },
    );

    // An upload to import starts an execution, the event its input (infra/workflowRule.ts).
    workflowRule(
      name,
      {
        ruleName: args.ruleName,
        description: `Starts ${args.stateMachineName} for each ${args.prefix}*${args.suffix} (any case) created`,
        trigger: {
          eventPattern: pulumi
            .output(args.bucket.bucketName)
            .apply((bucket) => JSON.stringify(uploadPattern(bucket, args.prefix, args.suffix))),
        },
        stateMachine,
        alarms: args.alarms,
        delivery: args.delivery,
      },
      this,
    );

    this.stateMachineArn = stateMachine.arn;
    this.stateMachineName = stateMachine.name;
    this.registerOutputs({ stateMachineArn: this.stateMachineArn });
  }
}
