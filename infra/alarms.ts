import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Where an alarm's changes of state go: the stack's alarm topic (`AlarmTopic`). */
export interface AlarmNotifications {
  topicArn: pulumi.Input<string>;
}

export interface OccurrenceAlarmArgs {
  description: pulumi.Input<string>;
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  /** Told when the alarm fires and when it is OK again: an alarm nobody hears is no alarm. */
  notify: AlarmNotifications;
}

/** An alarm that fires on any occurrence of a count metric within five minutes. */
export function occurrenceAlarm(
  name: string,
  args: OccurrenceAlarmArgs,
  opts: pulumi.CustomResourceOptions,
): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: args.description,
      namespace: args.namespace,
      metricName: args.metricName,
      dimensions: args.dimensions,
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [args.notify.topicArn],
      okActions: [args.notify.topicArn],
    },
    opts,
  );
}
