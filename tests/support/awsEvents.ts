// The events S3 and EventBridge hand to a function, in the shapes AWS documents.
import { randomBytes, randomUUID } from "node:crypto";
import type { S3Event, ScheduledEvent } from "aws-lambda";

const ACCOUNT = "123456789012";

/** S3 URL-encodes the key in notifications, with `+` for a space and `/` left alone. */
function notificationKey(key: string): string {
  return key
    .split("/")
    .map((part) => encodeURIComponent(part).replace(/%20/g, "+"))
    .join("/");
}

/** The notification S3 sends for one `PutObject` (`ObjectCreated:Put`). */
export function objectCreatedEvent(
  bucket: string,
  key: string,
  size: number,
  region = "ap-northeast-2",
): S3Event {
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: region,
        eventTime: new Date().toISOString(),
        eventName: "ObjectCreated:Put",
        userIdentity: { principalId: "AWS:AIDAEXAMPLE" },
        requestParameters: { sourceIPAddress: "127.0.0.1" },
        responseElements: {
          "x-amz-request-id": randomBytes(8).toString("hex").toUpperCase(),
          "x-amz-id-2": randomBytes(32).toString("base64"),
        },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "importNotes",
          bucket: {
            name: bucket,
            ownerIdentity: { principalId: "A3NL1KOZZKExample" },
            arn: `arn:aws:s3:::${bucket}`,
          },
          object: {
            key: notificationKey(key),
            size,
            eTag: randomBytes(16).toString("hex"),
            sequencer: randomBytes(8).toString("hex").toUpperCase(),
          },
        },
      },
    ],
  };
}

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
