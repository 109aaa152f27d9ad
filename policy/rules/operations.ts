// An alarm nobody hears is no alarm: every CloudWatch alarm notifies somewhere when it fires.
import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { PreviewGaps, isUnknown } from "../previewGaps";

export const cloudwatchAlarmHasAction: ResourceValidationPolicy = {
  name: "cloudwatch-alarm-has-action",
  description:
    "Every CloudWatch metric alarm has its actions enabled and at least one alarm action (e.g. the stack's SNS topic).",
  validateResource: validateResourceOfType(aws.cloudwatch.MetricAlarm, (alarm, args, report) => {
    const gaps = new PreviewGaps();
    // The topic's ARN may be unknown in a preview; how many actions there are is not.
    const actions = gaps.read(() => (alarm.alarmActions ?? []).length);
    const enabled = gaps.read(() => alarm.actionsEnabled);
    if (isUnknown(actions)) gaps.skip(actions);
    else if (actions === 0) {
      report(
        `Alarm "${args.name}" has no alarm action, so nobody hears it fire: add the stack's ` +
          "alarm topic to alarmActions.",
      );
    }
    if (isUnknown(enabled)) gaps.skip(enabled);
    else if (enabled === false) {
      report(`Alarm "${args.name}" has its actions disabled (actionsEnabled: false).`);
    }
    gaps.finish();
  }),
};
