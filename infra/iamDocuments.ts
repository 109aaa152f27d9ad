// Every IAM grant of the system, as typed policy documents built by small named functions, so a
// reader finds each permission once, here.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

type Arn = pulumi.Input<string>;

export function policyDocument(...statements: aws.iam.PolicyStatement[]): aws.iam.PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** Trust policy: only the named AWS service may assume the role. */
export function assumableBy(service: string): aws.iam.PolicyDocument {
  return policyDocument({
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
  });
}

/** Exactly these DynamoDB actions on exactly one table. */
export function tableAccess(tableArn: Arn, actions: string[]): aws.iam.PolicyStatement {
  for (const action of actions) {
    if (!/^dynamodb:[A-Za-z]+$/.test(action)) {
      throw new Error(`tableAccess takes named DynamoDB actions, not "${action}"`);
    }
  }
  return { Effect: "Allow", Action: actions, Resource: tableArn };
}

/** S3 actions on objects: `…Object…` ones and the multipart upload's own. */
const OBJECT_ACTION =
  /^s3:([A-Za-z]+Object[A-Za-z]*|AbortMultipartUpload|ListMultipartUploadParts)$/;

/** Exactly these S3 object actions on the objects under one key prefix of one bucket. */
export function objectAccess(
  bucketArn: Arn,
  prefix: string,
  actions: string[],
): aws.iam.PolicyStatement {
  for (const action of actions) {
    if (!OBJECT_ACTION.test(action)) {
      throw new Error(`objectAccess takes named S3 object actions, not "${action}"`);
    }
  }
  if (!/^([A-Za-z0-9_.-]+\/)+$/.test(prefix)) {
    throw new Error(`objectAccess takes a folder-like key prefix ending in "/", not "${prefix}"`);
  }
  return {
    Effect: "Allow",
    Action: actions,
    Resource: pulumi.interpolate`${bucketArn}/${prefix}*`,
  };
}

/** Writing log events into one log group's streams (the group itself is created by Pulumi). */
export function logWriting(logGroupArn: Arn): aws.iam.PolicyStatement {
  return {
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: pulumi.interpolate`${logGroupArn}:log-stream:*`,
  };
}

/** X-Ray segment upload; AWS offers no resource narrower than `*` for these two actions. */
export function traceWriting(): aws.iam.PolicyStatement {
  return {
    Effect: "Allow",
    Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
    Resource: "*",
  };
}

/** The course's `S3-Delete-Bucket-Policy`: delete one bucket, nothing else. */
export function bucketDeletion(bucketArn: Arn): aws.iam.PolicyStatement {
  return { Effect: "Allow", Action: "s3:DeleteBucket", Resource: bucketArn };
}

/** Anyone may read the objects of a website bucket; no other action, not the bucket itself. */
export function publicObjectRead(bucketArn: Arn): aws.iam.PolicyStatement {
  return {
    Sid: "PublicReadGetObject",
    Effect: "Allow",
    Principal: "*",
    Action: "s3:GetObject",
    Resource: pulumi.interpolate`${bucketArn}/*`,
  };
}

/** Refuses every request to a bucket or its objects that does not come over TLS. */
export function denyInsecureTransport(bucketArn: Arn): aws.iam.PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** Invoking exactly these functions, e.g. a state machine's own steps. */
export function functionInvoking(functionArns: Arn[]): aws.iam.PolicyStatement {
  return { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: functionArns };
}

/**
 * What Step Functions needs to send a state machine's logs to CloudWatch Logs. These actions
 * take no resource narrower than `*` (Step Functions developer guide, "Using CloudWatch Logs to
 * log execution history": https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html).
 */
export function logDelivery(): aws.iam.PolicyStatement {
  return {
    Effect: "Allow",
    Action: [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
    ],
    Resource: "*",
  };
}

/** X-Ray for a state machine: its segments and the sampling rules; AWS offers no narrower resource. */
export function workflowTraceWriting(): aws.iam.PolicyStatement {
  return {
    Effect: "Allow",
    Action: [
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
    ],
    Resource: "*",
  };
}

/**
 * What a state machine with a distributed Map needs to run it: starting its child executions,
 * which are executions of the same state machine, and describing and stopping them, on exactly
 * this state machine and its own executions ("IAM policies for using Distributed Map states",
 * https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html).
 */
export function childExecutionRunning(
  stateMachineArn: pulumi.Output<string>,
): aws.iam.PolicyStatement[] {
  // arn:aws:states:<region>:<account>:stateMachine:<name> → …:execution:<name>/* (its Map Runs).
  const executions = stateMachineArn.apply(
    (arn) => `${arn.replace(/:stateMachine:([^:]+)$/, ":execution:$1")}/*`,
  );
  return [
    executionStarting(stateMachineArn),
    {
      Effect: "Allow",
      Action: ["states:DescribeExecution", "states:StopExecution"],
      Resource: executions,
    },
  ];
}

/** Starting executions of exactly one state machine. */
export function executionStarting(stateMachineArn: Arn): aws.iam.PolicyStatement {
  return { Effect: "Allow", Action: "states:StartExecution", Resource: stateMachineArn };
}

/** Queue policy: an AWS service may send to the queue for one source (e.g. one rule) only. */
export function queueSendingBy(
  service: string,
  queueArn: Arn,
  sourceArn: Arn,
): aws.iam.PolicyStatement {
  return {
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sqs:SendMessage",
    Resource: queueArn,
    Condition: { ArnEquals: { "aws:SourceArn": sourceArn } },
  };
}

/**
 * Bucket policy: an AWS service may use these object actions under one prefix, only on behalf of
 * one source (`aws:SourceArn`) in one account: CloudFront reading the site for one distribution,
 * S3 server access logging writing one bucket's logs. The conditions stop a confused deputy.
 */
export function objectAccessBy(
  service: string,
  bucketArn: Arn,
  prefix: string,
  actions: string[],
  source: { arn: Arn; account: Arn },
): aws.iam.PolicyStatement {
  for (const action of actions) {
    if (!/^s3:[A-Za-z]+Object[A-Za-z]*$/.test(action)) {
      throw new Error(`objectAccessBy takes named S3 object actions, not "${action}"`);
    }
  }
  if (!/^([A-Za-z0-9_.-]+\/)*$/.test(prefix)) {
    throw new Error(`objectAccessBy takes "" or a key prefix ending in "/", not "${prefix}"`);
  }
  return {
    Effect: "Allow",
    Principal: { Service: service },
    Action: actions,
    Resource: pulumi.interpolate`${bucketArn}/${prefix}*`,
    Condition: {
      ArnLike: { "aws:SourceArn": source.arn },
      StringEquals: { "aws:SourceAccount": source.account },
    },
  };
}

/**
 * Topic policy: CloudWatch may publish to the topic for the account's alarms in its region only
 * (SNS developer guide, "Amazon SNS access control case examples").
 */
export function alarmPublishing(topicArn: Arn, region: Arn, account: Arn): aws.iam.PolicyStatement {
  return {
    Sid: "CloudWatchAlarms",
    Effect: "Allow",
    Principal: { Service: "cloudwatch.amazonaws.com" },
    Action: "sns:Publish",
    Resource: topicArn,
    Condition: {
      ArnLike: {
        "aws:SourceArn": pulumi.interpolate`arn:aws:cloudwatch:${region}:${account}:alarm:*`,
      },
      StringEquals: { "aws:SourceAccount": account },
    },
  };
}
