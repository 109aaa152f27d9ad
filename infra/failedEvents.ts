// What happens to an event that a function started by S3 or EventBridge fails on: Lambda retries
// it a bounded number of times within a bounded age, then leaves it in a dead-letter queue,
// where an alarm can see it, instead of dropping it silently.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { occurrenceAlarm } from "./alarms";
import type { AlarmNotifications } from "./alarms";

export interface AsyncInvocationArgs {
  /** Retries after a failed asynchronous invocation, 0 to 2. */
  maximumRetryAttempts: number;
  /** Seconds Lambda keeps trying an event, 60 to 21600. */
  maximumEventAgeSeconds: number;
}

/** Fourteen days, the longest SQS keeps a message: time to look at a failed event. */
const RETENTION_SECONDS = 14 * 24 * 60 * 60;

/** The queue failed events land in, with an alarm on any waiting message where asked. */
export function deadLetterQueue(
  name: string,
  alarm: AlarmNotifications | undefined,
  opts: pulumi.CustomResourceOptions,
): aws.sqs.Queue {
  // Auto-named: nothing refers to it by name, so a replacement never collides.
  const queue = new aws.sqs.Queue(
    `${name}-failed`,
    { sqsManagedSseEnabled: true, messageRetentionSeconds: RETENTION_SECONDS },
    opts,
  );
  if (alarm) {
    // A failed event is waiting: someone should look at it before it expires.
    occurrenceAlarm(
      `${name}-failed`,
      {
        description: pulumi.interpolate`Failed events of ${name} waiting in ${queue.name}`,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: queue.name },
        notify: alarm,
      },
      opts,
    );
  }
  return queue;
}

/** Bounded retries and event age for a function's asynchronous invocations, failures to a queue. */
export function failedEventsTo(
  name: string,
  functionName: pulumi.Input<string>,
  queueArn: pulumi.Input<string>,
  args: AsyncInvocationArgs,
  opts: pulumi.CustomResourceOptions,
): aws.lambda.FunctionEventInvokeConfig {
  const { maximumRetryAttempts: retries, maximumEventAgeSeconds: age } = args;
  if (!Number.isInteger(retries) || retries < 0 || retries > 2) {
    throw new Error(`${name}: maximumRetryAttempts ${retries} is not 0, 1 or 2`);
  }
  if (!Number.isInteger(age) || age < 60 || age > 21_600) {
    throw new Error(`${name}: maximumEventAgeSeconds ${age} is not from 60 to 21600`);
  }
  return new aws.lambda.FunctionEventInvokeConfig(
    name,
    {
      functionName,
      maximumRetryAttempts: retries,
      maximumEventAgeInSeconds: age,
      destinationConfig: { onFailure: { destination: queueArn } },
    },
    opts,
  );
}
