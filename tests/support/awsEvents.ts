// The events EventBridge hands to a function, in the shapes AWS documents.
import { randomUUID } from "node:crypto";
import type { ScheduledEvent } from "aws-lambda";

const ACCOUNT = "123456789012";

/** What an EventBridge schedule rule sends at `time`. */
export function scheduledEvent(
  ruleArn: string,
  time: string,
  region = "ap-northeast-2",
): ScheduledEvent {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: ACCOUNT,
    time,
    region,
    resources: [ruleArn],
    detail: {},
  };
}
