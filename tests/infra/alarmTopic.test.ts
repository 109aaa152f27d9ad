// Alarms notify someone: one SNS topic per stack, told by every alarm, and an email subscription
// where the stack file names an address.
import { strict as assert } from "node:assert";
import { recordStack } from "../harness/graph";
import type { StackGraph } from "../harness/graph";
import { flag, forEachStack, physical } from "../support/stackSuite";

const TOPIC = "aws:sns/topic:Topic";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";

forEachStack("AlarmTopic", (graph) => {
  const topic = (g: StackGraph) => g.resource(TOPIC, { name: physical(g, "alarms") });

  it("is one named topic, replaced delete-first, that only this account's alarms may publish to", () => {
    const g = graph();
    const t = topic(g);
    assert.equal(t.deleteBeforeReplace, true);
    assert.equal(g.count(TOPIC), 1);
    const region = g.config("aws:region");
    assert.deepEqual(
      g.resource("aws:sns/topicPolicy:TopicPolicy", { arn: t.state.arn }).inputs.policy,
      {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "CloudWatchAlarms",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: t.state.arn,
            Condition: {
              ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${region}:123456789012:alarm:*` },
              StringEquals: { "aws:SourceAccount": "123456789012" },
            },
          },
        ],
      },
    );
    assert.equal(g.outputs.alarmTopicArn, t.state.arn);
  });

  it("is told by every alarm when it fires and when it is OK again", () => {
    const g = graph();
    const alarms = g.all().filter((r) => r.type === ALARM);
    assert.equal(alarms.length > 0, flag(g, "alarms"), "alarms exist exactly where configured");
    for (const alarm of alarms) {
      assert.deepEqual(alarm.inputs.alarmActions, [topic(g).state.arn], alarm.name);
      assert.deepEqual(alarm.inputs.okActions, [topic(g).state.arn], alarm.name);
    }
  });

  it("has no subscription where the stack file says alarmEmail off", () => {
    const g = graph();
    if (g.config("serverless-notes:alarmEmail") !== "off") return;
    assert.equal(g.count(SUBSCRIPTION), 0);
  });
});

describe("AlarmTopic with alarmEmail set", function () {
  this.timeout(120_000);
  it("subscribes the address by email (SNS asks its owner to confirm)", async () => {
    const g = await recordStack("prod", {
      set: { "serverless-notes:alarmEmail": "ops@example.com" },
    });
    assert.equal(g.recorded.error, undefined);
    g.resource(SUBSCRIPTION, {
      topic: g.resource(TOPIC).state.arn,
      protocol: "email",
      endpoint: "ops@example.com",
    });
  });
});
