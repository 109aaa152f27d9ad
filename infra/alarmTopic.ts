import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmNotifications } from "./alarms";
import { alarmPublishing, policyDocument } from "./iamDocuments";

export interface AlarmTopicArgs {
  /** The topic's physical name, e.g. `serverless-notes-prod-alarms`. */
  topicName: string;
  /** Where set, this address is subscribed (SNS emails it a link to confirm first). */
  email?: string;
}

/**
 * The one SNS topic every alarm of a stack notifies, and who hears it. Unencrypted on purpose:
 * CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key, and an alarm's
 * message holds nothing secret (SNS developer guide, "Key management": compatibility with AWS
 * services).
 */
export class AlarmTopic extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;
  /** What each alarm's `notify` takes. */
  readonly notifications: AlarmNotifications;

  constructor(name: string, args: AlarmTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-notes:operations:AlarmTopic", name, {}, opts);
    const child = { parent: this };

    // Its name is fixed (operators subscribe to it by name), so a replacement deletes it first.
    const topic = new aws.sns.Topic(
      name,
      { name: args.topicName },
      { parent: this, deleteBeforeReplace: true },
    );

    // Only CloudWatch alarms of this account and region may publish; the account's own IAM
    // principals keep what their IAM policies allow.
    const region = aws.getRegionOutput({}, child);
    const account = aws.getCallerIdentityOutput({}, child);
    new aws.sns.TopicPolicy(
      name,
      {
        arn: topic.arn,
        policy: policyDocument(alarmPublishing(topic.arn, region.region, account.accountId)),
      },
      child,
    );

    if (args.email) {
      // Pending until its owner follows the link SNS emails; until then nothing is delivered.
      new aws.sns.TopicSubscription(
        `${name}-email`,
        { topic: topic.arn, protocol: "email", endpoint: args.email },
        child,
      );
    }

    this.topicArn = topic.arn;
    this.notifications = { topicArn: topic.arn };
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
