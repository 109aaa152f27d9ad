// What starts a workflow: an EventBridge rule (an event pattern, or a schedule) whose target is the
// state machine. EventBridge starts each execution with its own role, which may
// states:StartExecution on this state machine and nothing else; a start that still fails after
// EventBridge's bounded retries leaves its event in a queue (alarmed where asked) that only this
// rule may send to. Created inside the workflow's own component.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmNotifications } from "./alarms";
import { deadLetterQueue } from "./failedEvents";
import type { AsyncInvocationArgs } from "./failedEvents";
import { assumableBy, executionStarting, policyDocument, queueSendingBy } from "./iamDocuments";

export interface WorkflowRuleArgs {
  /** The rule's physical name. */
  ruleName: string;
  description: pulumi.Input<string>;
  /** When the workflow starts: on events that match a pattern (JSON), or on a schedule. */
  trigger: { eventPattern: pulumi.Input<string> } | { scheduleExpression: string };
  stateMachine: { arn: pulumi.Input<string> };
  /** An alarm on events waiting in the queue. */
  /** Where set, an alarm on events that could not start an execution, notifying there. */
  alarms?: AlarmNotifications;
  /** EventBridge's retries of a StartExecution that fails, before the event goes to the queue. */
  delivery: AsyncInvocationArgs;
}

/** Creates the rule, its role, its queue and its target as children of `parent`. */
export function workflowRule(
  name: string,
  args: WorkflowRuleArgs,
  parent: pulumi.Resource,
): aws.cloudwatch.EventRule {
  const { maximumRetryAttempts: retries, maximumEventAgeSeconds: age } = args.delivery;
  if (!Number.isInteger(retries) || retries < 0 || retries > 185) {
    throw new Error(`${name}: maximumRetryAttempts ${retries} is not from 0 to 185`);
  }
  if (!Number.isInteger(age) || age < 60 || age > 86_400) {
    throw new Error(`${name}: maximumEventAgeSeconds ${age} is not from 60 to 86400`);
  }

  // When the workflow starts. Fixed name: a replacement deletes the old rule first.
  const rule = new aws.cloudwatch.EventRule(
    name,
    { name: args.ruleName, description: args.description, ...args.trigger },
    { parent, deleteBeforeReplace: true },
  );

  // EventBridge's role for the target: starting executions of this state machine only.
  const eventsRole = new aws.iam.Role(
    `${name}-events`,
    { assumeRolePolicy: assumableBy("events.amazonaws.com") },
    { parent },
  );
  const eventsPolicy = new aws.iam.RolePolicy(
    `${name}-events`,
    { role: eventsRole.id, policy: policyDocument(executionStarting(args.stateMachine.arn)) },
    { parent },
  );

  // Events EventBridge could not deliver after its retries land here (alarmed where asked);
  // only this rule may send to it.
  const failed = deadLetterQueue(`${name}-events`, args.alarms, { parent });
  const queuePolicy = new aws.sqs.QueuePolicy(
    `${name}-events-failed`,
    {
      queueUrl: failed.url,
      policy: policyDocument(queueSendingBy("events.amazonaws.com", failed.arn, rule.arn)),
    },
    { parent },
  );

  // The whole event is the execution's input: an operator starts an execution with the same.
  new aws.cloudwatch.EventTarget(
    name,
    {
      rule: rule.name,
      arn: args.stateMachine.arn,
      roleArn: eventsRole.arn,
      retryPolicy: { maximumRetryAttempts: retries, maximumEventAgeInSeconds: age },
      deadLetterConfig: { arn: failed.arn },
    },
    { parent, dependsOn: [eventsPolicy, queuePolicy] },
  );
  return rule;
}
