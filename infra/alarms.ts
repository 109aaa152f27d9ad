import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface OccurrenceAlarmArgs {
  description: pulumi.Input<string>;
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
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
    },
    opts,
  );
}
