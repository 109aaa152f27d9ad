// What happens to an event that EventBridge cannot deliver (a workflow it could not start): it is
// retried a bounded number of times within a bounded age, then left in a dead-letter queue, where
// an alarm can see it, instead of being dropped silently.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { occurrenceAlarm } from "./alarms";
import type { AlarmNotifications } from "./alarms";

export interface AsyncInvocationArgs {
  /** Retries after a failed delivery. */
  maximumRetryAttempts: number;
  /** Seconds an event is tried. */
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
