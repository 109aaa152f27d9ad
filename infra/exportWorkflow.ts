// The scheduled export of every user's notes as a Step Functions workflow, so that no table size
// breaks it:
//
//   EventBridge rule, schedule expression (where the stack schedules one)
//     │ target: the state machine, the scheduled event as input (its role: states:StartExecution
//     ▼ on this state machine only); undelivered events → SQS queue
//   Standard state machine
//     Scheduled? ─▶ PlanScheduledDay | PlanToday: the date, the segments [0 … n-1]
//       ▼
//     ExportSegments: distributed Map, one child execution per segment, all at once
//       └ ExportSlice ─▶ SegmentDone? ─(not yet)─▶ ExportSlice …   (a loop of slices)
//           └─(Catch)─▶ SegmentFailed (the other segments go on)
//       │ (Catch on the Map)
//       ▼
//     Summarise: exports/scheduled/<date>/summary.json ─▶ Outcome? ─▶ Exported | ExportFailed
//       └─(Catch)─▶ SummaryNotWritten
//
// The limits it is sized against (AWS Step Functions quotas,
// https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html, and "Using Map state
// in Distributed mode", https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html):
// - 262,144 bytes per state input or output: the Map's items are the segment numbers and its
//   results one small record per segment (at most 100); a slice's input and output are its
//   counts and a Scan key. Nothing grows with the table.
// - 25,000 events in a Standard execution's history: the parent's history holds about twenty
//   events whatever the table (an inline Map would add about seven per item); each segment is a
//   child execution with its own history, which grows by about seven events per slice (three more
//   per retry), so a segment may run about 3,500 slices.
// - A slice is one Lambda invocation (at most 15 minutes); it starts no user after 60% of its time,
//   so a segment's slices are many short runs rather than one long one, and the execution may
//   last up to a year.
// - A distributed Map runs up to 10,000 child executions at once; this one runs `segments`.
// What remains: one user's export must finish within one slice (its Query and its upload stream,
// so memory is no limit: time is), and a user's object may reach 10,000 parts of 8 MiB.
//
// The state machine's role may invoke exactly its two functions, deliver its logs and, because a
// distributed Map's children are executions of this same state machine, start, describe and stop
// its own executions (infra/workflowMachine.ts).
import * as pulumi from "@pulumi/pulumi";
import type { AlarmNotifications } from "./alarms";
import type { AsyncInvocationArgs } from "./failedEvents";
import { workflowMachine } from "./workflowMachine";
import type { WorkflowMachineArgs } from "./workflowMachine";
import { workflowRule } from "./workflowRule";

export interface ExportWorkflowArgs<Step extends string> extends Pick<
  WorkflowMachineArgs<Step>,
  "stateMachineName" | "steps" | "definition" | "functionSettings" | "logRetentionDays" | "tracing"
> {
  /** The EventBridge rule's physical name. */
  ruleName: string;
  /** When the export runs (an EventBridge schedule expression); no rule when undefined. */
  schedule?: string;
  /** Alarms on failed executions and on scheduled events that could not start one. */
  /** Where set, alarms on failed executions and undelivered events, notifying there. */
  alarms?: AlarmNotifications;
  /** EventBridge's retries of a StartExecution that fails, before the event goes to a queue. */
  delivery: AsyncInvocationArgs;
}

/**
 * The scheduled export: its step functions, the Standard state machine with a distributed Map that
 * runs them, and, where a schedule is set, the EventBridge rule that starts it. Without a schedule
 * the state machine is still there, to be started by hand.
 */
export class ExportWorkflow<Step extends string> extends pulumi.ComponentResource {
  readonly stateMachineArn: pulumi.Output<string>;

  constructor(
    name: string,
    args: ExportWorkflowArgs<Step>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("serverless-notes:workflow:ExportWorkflow", name, {}, opts);

    const stateMachine = workflowMachine(
      name,
      {
        stateMachineName: args.stateMachineName,
        steps: args.steps,
        definition: args.definition,
        distributedMap: true,
        functionSettings: args.functionSettings,
        logRetentionDays: args.logRetentionDays,
        tracing: args.tracing,
        // An export that stopped, or whose summary could not be written.
        failedExecutionsAlarm: args.alarms
          ? { what: "exports", advice: "read their summaries", notify: args.alarms }
          : undefined,
      },
      this,
    );

    if (args.schedule) {
      workflowRule(
        name,
        {
          ruleName: args.ruleName,
          description: `Starts ${args.stateMachineName}: every user's notes into exports/scheduled/<date>/`,
          trigger: { scheduleExpression: args.schedule },
          stateMachine,
          alarms: args.alarms,
          delivery: args.delivery,
        },
        this,
      );
    }

    this.stateMachineArn = stateMachine.arn;
    this.registerOutputs({ stateMachineArn: this.stateMachineArn });
  }
}
